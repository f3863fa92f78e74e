import {
  createOffsetMsgId,
  CreateTopicRequestHeader,
  encodeHostAddress,
  encodeKvTable,
  encodeTopicConfigWrapper,
  QueryMessageRequestHeader,
  RequestCode,
  ResponseCode,
  StateError,
  topicConfig,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { respond } from '../../../../test/fakes/fake-broker';
import { startFakeCluster, storedRecord, type FakeCluster } from '../../../../test/fakes/fake-cluster';
import { silentLogger } from '../logger';
import { Admin } from './admin';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ c: FakeCluster; admin: Admin }> {
  const c = await startFakeCluster(2, { queueNums: 2 });
  const admin = new Admin({ namesrvAddr: c.namesrv.addr, logger: silentLogger });
  await admin.start();
  cleanups.push(
    () => c.close(),
    () => admin.shutdown(),
  );
  return { c, admin };
}

const ok = (body?: Buffer, ext?: Record<string, string>) => respond(ResponseCode.SUCCESS, ext, body);

describe('Admin topics', () => {
  it('creates a topic on every master of a cluster', async () => {
    const { c, admin } = await setup();
    const addrs = await admin.createTopic({ topic: 'NewT', clusterName: 'FakeCluster', writeQueueNums: 4 });
    expect(addrs).toEqual(c.brokers.map((b) => b.addr));
    for (const b of c.brokers) {
      expect(
        CreateTopicRequestHeader.decode(b.requestsOf(RequestCode.UPDATE_AND_CREATE_TOPIC)[0]?.extFields),
      ).toEqual({
        topic: 'NewT',
        defaultTopic: 'TBW102',
        readQueueNums: 8,
        writeQueueNums: 4,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
      });
    }
    await expect(admin.createTopic({ topic: 'X', clusterName: 'Nope' })).rejects.toMatchObject({
      code: 'CLUSTER_NOT_FOUND',
    });
  });

  it('creates a topic on one broker and surfaces its error', async () => {
    const { c, admin } = await setup();
    const b = c.brokers[1]!;
    expect(
      await admin.createTopic({
        topic: 'One',
        brokerAddr: b.addr,
        readQueueNums: 2,
        writeQueueNums: 2,
        perm: 4,
      }),
    ).toEqual([b.addr]);
    expect(b.requestsOf(RequestCode.UPDATE_AND_CREATE_TOPIC)[0]?.extFields).toMatchObject({
      readQueueNums: '2',
      perm: '4',
    });
    expect(c.brokers[0]?.requests).toHaveLength(0);
    b.script(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      respond(ResponseCode.NO_PERMISSION, undefined, undefined, 'broker not writable'),
    );
    await expect(admin.createTopic({ topic: 'One', brokerAddr: b.addr })).rejects.toMatchObject({
      code: 'NO_PERMISSION',
      addr: b.addr,
    });
  });

  it('records orderTopicConf for ordered topics, which routes then carry', async () => {
    const { c, admin } = await setup();
    await admin.createTopic({ topic: 'Ord', clusterName: 'FakeCluster', writeQueueNums: 3, order: true });
    expect(c.namesrv.kvConfig('ORDER_TOPIC_CONFIG', 'Ord')).toBe('broker-a:3;broker-b:3');
    await admin.createTopic({ topic: 'Ord', brokerAddr: c.brokers[0]!.addr, writeQueueNums: 5, order: true });
    expect(c.namesrv.kvConfig('ORDER_TOPIC_CONFIG', 'Ord')).toBe('broker-a:5;broker-b:3');
    expect((await admin.topicRoute(c.topic)).orderTopicConf).toBeUndefined();
  });

  it.each([
    [{ topic: 'T' }, 'clusterName'],
    [{ topic: 'T', clusterName: 'C', brokerAddr: 'h:1' }, 'clusterName'],
    [{ topic: 'bad topic', clusterName: 'C' }, 'topic'],
    [{ topic: 'T', clusterName: 'C', perm: 16 }, 'perm'],
    [{ topic: 'T', clusterName: 'C', writeQueueNums: 0 }, 'writeQueueNums'],
    [{ topic: 'T', clusterName: 'C', queues: 1 }, 'queues'],
  ])('rejects createTopic(%j)', async (opts, key) => {
    const { admin, c } = await setup();
    await expect(admin.createTopic(opts as never)).rejects.toThrow(new RegExp(`^${key}:`));
    expect(c.namesrv.requests).toHaveLength(0);
  });

  it('lists topics, reads routes and cluster info from the name server', async () => {
    const { c, admin } = await setup();
    expect(await admin.topicList()).toEqual([c.topic]);
    expect((await admin.topicRoute(c.topic)).queueDatas.map((q) => q.brokerName)).toEqual([
      'broker-a',
      'broker-b',
    ]);
    await expect(admin.topicRoute('Missing')).rejects.toMatchObject({ code: 'TOPIC_NOT_EXIST' });
    const info = await admin.clusterInfo();
    expect(info.clusterAddrTable.get('FakeCluster')).toEqual(['broker-a', 'broker-b']);
    expect(info.brokerAddrTable.get('broker-b')?.brokerAddrs.get(0)).toBe(c.brokers[1]?.addr);
  });

  it('merges topic stats of every broker, parsing object map keys', async () => {
    const { c, admin } = await setup();
    c.brokers.forEach((b) => {
      const key = (q: number): string =>
        `{"brokerName":"${b.brokerName}","queueId":${q},"topic":"${c.topic}"}`;
      const body = `{"offsetTable":{${key(1)}:{"lastUpdateTimestamp":1700000000000,"maxOffset":9,"minOffset":2},${key(0)}:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0}}}`;
      b.on(RequestCode.GET_TOPIC_STATS_INFO, ok(Buffer.from(body)));
    });
    const stats = await admin.topicStatus(c.topic);
    expect(stats.map((s) => `${s.messageQueue.brokerName}:${s.messageQueue.queueId}`)).toEqual([
      'broker-a:0',
      'broker-a:1',
      'broker-b:0',
      'broker-b:1',
    ]);
    expect(stats[1]).toEqual({
      messageQueue: { topic: c.topic, brokerName: 'broker-a', queueId: 1 },
      minOffset: 2,
      maxOffset: 9,
      lastUpdateTimestamp: 1_700_000_000_000,
    });
    expect(c.brokers[0]?.requestsOf(RequestCode.GET_TOPIC_STATS_INFO)[0]?.extFields).toEqual({
      topic: c.topic,
    });
  });
});

describe('Admin messages and brokers', () => {
  it('views a message on the broker its offset id names', async () => {
    const { c, admin } = await setup();
    const b = c.brokers[1]!;
    const id = createOffsetMsgId(encodeHostAddress('127.0.0.1', Number(b.addr.split(':')[1])), 4242);
    b.on(
      RequestCode.VIEW_MESSAGE_BY_ID,
      ok(storedRecord({ topic: c.topic, physicalOffset: 4242, storeAddr: b.addr, body: 'seen' })),
    );
    const msg = await admin.viewMessage(id);
    expect(msg.body.toString()).toBe('seen');
    expect(msg.offsetMsgId).toBe(id);
    expect(b.requestsOf(RequestCode.VIEW_MESSAGE_BY_ID)[0]?.extFields).toEqual({ offset: '4242' });
    await expect(admin.viewMessage('nothex')).rejects.toThrow(/^offsetMsgId:/);
  });

  it('queries every broker by key, re-filters by KEYS tokens and drops duplicates', async () => {
    const { c, admin } = await setup();
    const [a, b] = c.brokers as [(typeof c.brokers)[0], (typeof c.brokers)[0]];
    const rec = (offset: number, keys: string, ts: number) =>
      storedRecord({
        topic: c.topic,
        physicalOffset: offset,
        storeAddr: a!.addr,
        storeTimestamp: ts,
        properties: { KEYS: keys },
      });
    a!.on(
      RequestCode.QUERY_MESSAGE,
      ok(
        Buffer.concat([
          rec(200, 'order-1 x', 20),
          rec(100, 'order-1', 10),
          rec(300, 'order-10', 5),
          rec(100, 'order-1', 10),
        ]),
        {
          indexLastUpdateTimestamp: '777',
          indexLastUpdatePhyoffset: '9',
        },
      ),
    );
    b!.on(
      RequestCode.QUERY_MESSAGE,
      respond(ResponseCode.QUERY_NOT_FOUND, undefined, undefined, 'can not find message'),
    );
    const r = await admin.queryMessageByKey(c.topic, 'order-1', { maxNum: 16, begin: 1, end: 2 });
    expect(r.messages.map((m) => m.commitLogOffset)).toEqual([100, 200]);
    expect(r.indexLastUpdateTimestamp).toBe(777);
    expect(QueryMessageRequestHeader.decode(a!.requestsOf(RequestCode.QUERY_MESSAGE)[0]?.extFields)).toEqual({
      topic: c.topic,
      key: 'order-1',
      maxNum: 16,
      beginTimestamp: 1,
      endTimestamp: 2,
      _UNIQUE_KEY_QUERY: false,
    });
  });

  it('finds a message by UNIQ_KEY, or nothing', async () => {
    const { c, admin } = await setup();
    const rec = (offset: number, uniq: string) =>
      storedRecord({ topic: c.topic, physicalOffset: offset, properties: { UNIQ_KEY: uniq } });
    c.brokers[0]?.on(
      RequestCode.QUERY_MESSAGE,
      ok(Buffer.concat([rec(1, 'OTHER'), rec(2, 'WANTED')]), {
        indexLastUpdateTimestamp: '1',
        indexLastUpdatePhyoffset: '1',
      }),
    );
    c.brokers[1]?.on(RequestCode.QUERY_MESSAGE, respond(ResponseCode.QUERY_NOT_FOUND));
    expect((await admin.queryMessageByUniqKey(c.topic, 'WANTED'))?.commitLogOffset).toBe(2);
    expect(c.brokers[0]?.requestsOf(RequestCode.QUERY_MESSAGE)[0]?.extFields?._UNIQUE_KEY_QUERY).toBe('true');
    expect(await admin.queryMessageByUniqKey(c.topic, 'ABSENT')).toBeUndefined();
  });

  it('fails a query only when every broker fails', async () => {
    const { c, admin } = await setup();
    for (const b of c.brokers)
      b.on(RequestCode.QUERY_MESSAGE, respond(ResponseCode.SYSTEM_ERROR, undefined, undefined, 'down'));
    await expect(admin.queryMessageByKey(c.topic, 'k')).rejects.toMatchObject({ code: 'SYSTEM_ERROR' });
  });

  it('reads broker runtime info and all topic configs', async () => {
    const { c, admin } = await setup();
    const b = c.brokers[0]!;
    b.on(
      RequestCode.GET_BROKER_RUNTIME_INFO,
      ok(encodeKvTable({ brokerVersionDesc: 'V4_9_8', msgPutTotalTodayNow: '12' })),
    );
    const wrapper = {
      topicConfigTable: { T: topicConfig('T', { readQueueNums: 4, writeQueueNums: 4 }) },
      dataVersion: { counter: 3, stateVersion: 0, timestamp: 1 },
    };
    b.on(RequestCode.GET_ALL_TOPIC_CONFIG, ok(encodeTopicConfigWrapper(wrapper)));
    expect(await admin.brokerRuntimeInfo(b.addr)).toEqual({
      brokerVersionDesc: 'V4_9_8',
      msgPutTotalTodayNow: '12',
    });
    expect(await admin.getAllTopicConfig(b.addr)).toEqual(wrapper);
  });

  it('requires start() and refuses calls after shutdown', async () => {
    const { c, admin } = await setup();
    const idle = new Admin({ namesrvAddr: c.namesrv.addr, logger: silentLogger });
    await expect(idle.topicList()).rejects.toBeInstanceOf(StateError);
    await admin.shutdown();
    await expect(admin.topicList()).rejects.toBeInstanceOf(StateError);
  });
});
