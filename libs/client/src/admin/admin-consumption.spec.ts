import {
  createOffsetMsgId,
  decodeMessageRecords,
  decodeSubscriptionGroupConfig,
  encodeConsumerConnection,
  encodeConsumeMessageDirectlyResult,
  encodeConsumeStats,
  encodeConsumerRunningInfo,
  encodeHostAddress,
  encodeProducerConnection,
  encodeResetOffsetBody,
  parseBody,
  RequestCode,
  ResponseCode,
  type ConsumerConnection,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeRoute, respond } from '../../../../test/fakes/fake-broker';
import { startFakeCluster, storedRecord, type FakeCluster } from '../../../../test/fakes/fake-cluster';
import { silentLogger } from '../logger';
import { Admin } from './admin';
import { originalTopicOf, replayMessage } from './resend-dlq';

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

const ok = (body?: Buffer) => respond(ResponseCode.SUCCESS, undefined, body);
const fail = (code: number, remark: string) => respond(code, undefined, undefined, remark);
const mq = (brokerName: string, queueId: number, topic = 'T') => ({ topic, brokerName, queueId });
const wrapper = (brokerOffset: number, consumerOffset: number, pullOffset = consumerOffset) => ({
  brokerOffset,
  consumerOffset,
  pullOffset,
  lastTimestamp: 0,
});

describe('Admin consumer progress and connections', () => {
  it('merges GET_CONSUME_STATS of every broker into per-queue and total lag', async () => {
    const { c, admin } = await setup();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    a.on(
      RequestCode.GET_CONSUME_STATS,
      ok(
        encodeConsumeStats({
          consumeTps: 1.5,
          offsetTable: [
            [mq('broker-a', 1), wrapper(10, 4, 6)],
            [mq('broker-a', 0), wrapper(5, 5)],
          ],
        }),
      ),
    );
    b.on(
      RequestCode.GET_CONSUME_STATS,
      ok(encodeConsumeStats({ consumeTps: 2, offsetTable: [[mq('broker-b', 0), wrapper(7, 0)]] })),
    );
    const p = await admin.consumerProgress('G', 'T');
    expect(
      p.queues.map((q) => [q.messageQueue.brokerName, q.messageQueue.queueId, q.lag, q.inflight]),
    ).toEqual([
      ['broker-a', 0, 0, 0],
      ['broker-a', 1, 6, 2],
      ['broker-b', 0, 7, 0],
    ]);
    expect([p.totalLag, p.totalInflight, p.consumeTps]).toEqual([13, 2, 3.5]);
    expect(a.requestsOf(RequestCode.GET_CONSUME_STATS)[0]?.extFields).toEqual({
      consumerGroup: 'G',
      topic: 'T',
    });
    await admin.consumerProgress('G');
    expect(b.requestsOf(RequestCode.GET_CONSUME_STATS)[1]?.extFields).toEqual({ consumerGroup: 'G' });
    b.on(RequestCode.GET_CONSUME_STATS, fail(ResponseCode.SYSTEM_ERROR, 'broken'));
    await expect(admin.consumerProgress('G')).rejects.toMatchObject({ code: 'SYSTEM_ERROR', addr: b.addr });
  });

  it('merges the connections brokers report, and fails CONSUMER_NOT_ONLINE when none knows the group', async () => {
    const { c, admin } = await setup();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    const conn = (clientId: string) => ({
      clientId,
      clientAddr: `${clientId}:1`,
      language: 'JAVA',
      version: 413,
    });
    const cc = (ids: string[]): ConsumerConnection => ({
      connectionSet: ids.map(conn),
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      subscriptionTable: {},
    });
    a.on(RequestCode.GET_CONSUMER_CONNECTION_LIST, ok(encodeConsumerConnection(cc(['c2', 'c1']))));
    b.on(RequestCode.GET_CONSUMER_CONNECTION_LIST, ok(encodeConsumerConnection(cc(['c1', 'c3']))));
    const got = await admin.consumerConnection('G');
    expect(got.connectionSet.map((x) => x.clientId)).toEqual(['c1', 'c2', 'c3']);
    expect(got.consumeType).toBe('CONSUME_PASSIVELY');

    const notOnline = fail(ResponseCode.CONSUMER_NOT_ONLINE, 'the consumer group[G] not online');
    a.on(RequestCode.GET_CONSUMER_CONNECTION_LIST, notOnline);
    expect((await admin.consumerConnection('G')).connectionSet.map((x) => x.clientId)).toEqual(['c1', 'c3']);
    b.on(RequestCode.GET_CONSUMER_CONNECTION_LIST, notOnline);
    await expect(admin.consumerConnection('G')).rejects.toMatchObject({ code: 'CONSUMER_NOT_ONLINE' });

    a.on(RequestCode.GET_PRODUCER_CONNECTION_LIST, ok(encodeProducerConnection([conn('p1')])));
    b.on(
      RequestCode.GET_PRODUCER_CONNECTION_LIST,
      fail(ResponseCode.SYSTEM_ERROR, 'the producer group[PG] not exist'),
    );
    expect(await admin.producerConnection('PG', c.topic)).toEqual([conn('p1')]);
    expect(a.requestsOf(RequestCode.GET_PRODUCER_CONNECTION_LIST)[0]?.extFields).toEqual({
      producerGroup: 'PG',
    });
  });
});

describe('Admin offsets, groups and topics', () => {
  it('resets offsets on every broker of the topic and returns the merged table', async () => {
    const { c, admin } = await setup();
    c.brokers.forEach((b, i) =>
      b.on(
        RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
        ok(encodeResetOffsetBody([[mq(b.brokerName, 0, c.topic), i + 3]])),
      ),
    );
    const table = await admin.resetOffsetByTime('G', c.topic, 1_700_000_000_000, false);
    expect(table.map((t) => `${t.messageQueue.brokerName}=${t.offset}`)).toEqual([
      'broker-a=3',
      'broker-b=4',
    ]);
    expect(c.brokers[1]?.requestsOf(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET)[0]?.extFields).toEqual({
      topic: c.topic,
      group: 'G',
      timestamp: '1700000000000',
      isForce: 'false',
    });
    await expect(admin.resetOffsetByTime('G', c.topic, -5)).rejects.toThrow(/^timestamp:/);
  });

  it('writes a full group config to each master of a cluster or to one broker', async () => {
    const { c, admin } = await setup();
    for (const b of c.brokers) b.on(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, ok());
    const r = await admin.updateSubGroup(
      { groupName: 'G', retryMaxTimes: 3 },
      { clusterName: 'FakeCluster' },
    );
    expect(r.brokerAddrs).toEqual(c.brokers.map((b) => b.addr));
    const sent = c.brokers[0]?.requestsOf(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)[0];
    expect(decodeSubscriptionGroupConfig(parseBody(sent?.body, 'cfg'))).toEqual(r.config);
    expect(r.config).toMatchObject({
      groupName: 'G',
      retryMaxTimes: 3,
      retryQueueNums: 1,
      consumeEnable: true,
    });
    await admin.updateSubGroup({ groupName: 'G' }, { brokerAddr: c.brokers[1]!.addr });
    expect(c.brokers[1]?.requestsOf(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)).toHaveLength(2);
    await expect(
      admin.updateSubGroup({ groupName: 'G', bogus: 1 } as never, { brokerAddr: 'h:1' }),
    ).rejects.toThrow(/bogus/);
    await expect(
      admin.updateSubGroup({ groupName: 'G' }, { brokerAddr: 'h:1', clusterName: 'C' } as never),
    ).rejects.toThrow(/^target:/);
  });

  it('deletes a group from a cluster with its retry and DLQ topics; from one broker, only the group', async () => {
    const { c, admin } = await setup();
    for (const b of c.brokers) {
      b.on(RequestCode.DELETE_SUBSCRIPTIONGROUP, ok());
      b.on(RequestCode.DELETE_TOPIC_IN_BROKER, ok());
    }
    c.namesrv.on(RequestCode.DELETE_TOPIC_IN_NAMESRV, ok());
    await admin.deleteSubGroup('G', { clusterName: 'FakeCluster' }, true);
    expect(c.brokers[0]?.requestsOf(RequestCode.DELETE_SUBSCRIPTIONGROUP)[0]?.extFields).toEqual({
      groupName: 'G',
      cleanOffset: 'true',
    });
    expect(
      c.brokers[1]?.requestsOf(RequestCode.DELETE_TOPIC_IN_BROKER).map((r) => r.extFields?.topic),
    ).toEqual(['%RETRY%G', '%DLQ%G']);
    expect(c.namesrv.requestsOf(RequestCode.DELETE_TOPIC_IN_NAMESRV).map((r) => r.extFields)).toEqual([
      { topic: '%RETRY%G', clusterName: 'FakeCluster' },
      { topic: '%DLQ%G', clusterName: 'FakeCluster' },
    ]);
    await admin.deleteSubGroup('H', { brokerAddr: c.brokers[0]!.addr });
    expect(c.brokers[0]?.requestsOf(RequestCode.DELETE_SUBSCRIPTIONGROUP)[1]?.extFields).toEqual({
      groupName: 'H',
      cleanOffset: 'false',
    });
    expect(c.brokers[0]?.requestsOf(RequestCode.DELETE_TOPIC_IN_BROKER)).toHaveLength(2);
  });

  it('deletes a topic on every broker first, then on the name server; a broker failure stops it', async () => {
    const { c, admin } = await setup();
    c.namesrv.on(RequestCode.DELETE_TOPIC_IN_NAMESRV, ok());
    c.brokers[0]?.on(RequestCode.DELETE_TOPIC_IN_BROKER, ok());
    c.brokers[1]?.on(RequestCode.DELETE_TOPIC_IN_BROKER, fail(ResponseCode.SYSTEM_ERROR, 'disk'));
    await expect(admin.deleteTopic(c.topic, 'FakeCluster')).rejects.toMatchObject({ code: 'SYSTEM_ERROR' });
    expect(c.namesrv.requestsOf(RequestCode.DELETE_TOPIC_IN_NAMESRV)).toHaveLength(0);
    c.brokers[1]?.on(RequestCode.DELETE_TOPIC_IN_BROKER, ok());
    expect(await admin.deleteTopic(c.topic, 'FakeCluster')).toEqual(c.brokers.map((b) => b.addr));
    expect(c.namesrv.requestsOf(RequestCode.DELETE_TOPIC_IN_NAMESRV)[0]?.extFields).toEqual({
      topic: c.topic,
      clusterName: 'FakeCluster',
    });
    await expect(admin.deleteTopic(c.topic, 'Nope')).rejects.toMatchObject({ code: 'CLUSTER_NOT_FOUND' });
  });
});

describe('Admin calls relayed to consumer clients', () => {
  it('asks the brokers of the retry topic in turn until one reaches the client', async () => {
    const { c, admin } = await setup();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    c.namesrv.setRoute('%RETRY%G', fakeRoute(c.brokers, { queueNums: 1 }));
    a.on(
      RequestCode.GET_CONSUMER_RUNNING_INFO,
      fail(ResponseCode.SYSTEM_ERROR, 'The Consumer <G> <c1> not online'),
    );
    b.on(
      RequestCode.GET_CONSUMER_RUNNING_INFO,
      ok(
        encodeConsumerRunningInfo({
          properties: { PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY' },
          subscriptionSet: [],
          mqTable: [],
          statusTable: {},
        }),
      ),
    );
    const info = await admin.getConsumerRunningInfo('G', 'c1');
    expect(info.properties.PROP_CONSUME_TYPE).toBe('CONSUME_PASSIVELY');
    expect(b.requestsOf(RequestCode.GET_CONSUMER_RUNNING_INFO)[0]?.extFields).toEqual({
      consumerGroup: 'G',
      clientId: 'c1',
      jstackEnable: 'false',
    });
    b.on(
      RequestCode.GET_CONSUMER_RUNNING_INFO,
      fail(ResponseCode.SYSTEM_ERROR, 'The Consumer <G> <c1> not online'),
    );
    await expect(admin.getConsumerRunningInfo('G', 'c1')).rejects.toThrow(/not online/);
  });

  it('sends CONSUME_MESSAGE_DIRECTLY to the broker the offset id names', async () => {
    const { c, admin } = await setup();
    const b = c.brokers[1]!;
    const id = createOffsetMsgId(encodeHostAddress('127.0.0.1', Number(b.addr.split(':')[1])), 99);
    b.on(
      RequestCode.CONSUME_MESSAGE_DIRECTLY,
      ok(
        encodeConsumeMessageDirectlyResult({
          order: false,
          autoCommit: true,
          consumeResult: 'CR_SUCCESS',
          spentTimeMills: 4,
        }),
      ),
    );
    expect(await admin.consumeMessageDirectly('G', 'c1', id, 'T')).toMatchObject({
      consumeResult: 'CR_SUCCESS',
    });
    expect(b.requestsOf(RequestCode.CONSUME_MESSAGE_DIRECTLY)[0]?.extFields).toEqual({
      consumerGroup: 'G',
      clientId: 'c1',
      msgId: id,
      topic: 'T',
    });
    await expect(admin.consumeMessageDirectly('G', 'c1', 'not-an-id')).rejects.toThrow(/^msgId:/);
  });
});

describe('DLQ replay messages', () => {
  const dead = (props: Record<string, string>) =>
    decodeMessageRecords(storedRecord({ topic: '%DLQ%G', body: 'payload', properties: props }))[0]!;

  it('go back to RETRY_TOPIC (else DLQ_ORIGIN_TOPIC) with body, tags, keys and user properties only', () => {
    const m = dead({
      RETRY_TOPIC: 'Orders',
      TAGS: 'Created',
      KEYS: 'k1 k2',
      UNIQ_KEY: 'ABC',
      ORIGIN_MESSAGE_ID: 'X',
      RECONSUME_TIME: '17',
      MAX_RECONSUME_TIMES: '16',
      DELAY: '3',
      REAL_TOPIC: '%RETRY%G',
      REAL_QID: '0',
      CLUSTER: 'DefaultCluster',
      WAIT: 'true',
      tenant: 'acme',
    });
    expect(originalTopicOf(m)).toBe('Orders');
    expect(replayMessage(m, 'Orders')).toEqual({
      topic: 'Orders',
      body: Buffer.from('payload'),
      flag: 0,
      tags: 'Created',
      keys: ['k1', 'k2'],
      properties: { UNIQ_KEY: 'ABC', tenant: 'acme' },
    });
    expect(originalTopicOf(dead({ DLQ_ORIGIN_TOPIC: 'Pay' }))).toBe('Pay');
    expect(originalTopicOf(dead({}))).toBeUndefined();
    expect(originalTopicOf(dead({ RETRY_TOPIC: '%DLQ%Other' }))).toBeUndefined();
  });
});
