import {
  decodeBatchBody,
  decodeHeartbeatData,
  decodeProperties,
  MessageSysFlag,
  RemotingFlag,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  SerializeType,
  StateError,
  type RemotingCommand,
} from '@rocketts/protocol';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fakeRoute, respond, type Behaviour } from '../../../../test/fakes/fake-broker';
import type { FakeCluster } from '../../../../test/fakes/fake-cluster';
import { producerFixture } from '../../../../test/fakes/producer-fixture';
import { silentLogger } from '../logger';
import type { SendResult } from './message';
import { Producer } from './producer';

const { cluster, producer } = producerFixture({ brokers: 2, queueNums: 2 });

const sends = (c: FakeCluster): RemotingCommand[] =>
  c.brokers.flatMap((b) => b.requestsOf(RequestCode.SEND_MESSAGE_V2));

describe('Producer.send', () => {
  it('sends SEND_MESSAGE_V2 with the one-letter header and returns the SendResult', async () => {
    const c = await cluster(1);
    const p = await producer(c);
    const r = await p.send({ topic: c.topic, body: 'hello', tags: 'TagA', keys: ['k1', 'k2'] });
    const [req] = sends(c);
    expect(req?.serializeType).toBe(SerializeType.JSON);
    const h = SendMessageRequestHeaderV2.decode(req?.extFields);
    expect(h).toMatchObject({
      producerGroup: 'PG',
      topic: c.topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: r.messageQueue.queueId,
      sysFlag: 0,
      flag: 0,
      reconsumeTimes: 0,
      unitMode: false,
      batch: false,
      brokerName: 'broker-a',
    });
    expect(Math.abs(h.bornTimestamp - Date.now())).toBeLessThan(5000);
    const props = decodeProperties(h.properties ?? '');
    expect(props).toMatchObject({ TAGS: 'TagA', KEYS: 'k1 k2', WAIT: 'true' });
    expect(req?.body?.toString()).toBe('hello');
    expect(r).toMatchObject({
      status: 'SEND_OK',
      msgId: props.UNIQ_KEY,
      queueOffset: 0,
      regionId: 'DefaultRegion',
      traceOn: true,
    });
    expect(r.offsetMsgId).toMatch(/^7F000001[0-9A-F]{24}$/);
    expect(r.messageQueue).toEqual({ topic: c.topic, brokerName: 'broker-a', queueId: h.queueId });
  });

  it('uses JSON headers when asked', async () => {
    const c = await cluster(1);
    await (await producer(c, { serializeType: 'JSON' })).send({ topic: c.topic, body: 'x' });
    expect(sends(c)[0]?.serializeType).toBe(SerializeType.JSON);
    expect(c.namesrv.requests[0]?.cmd.serializeType).toBe(SerializeType.JSON);
  });

  it.each([
    [ResponseCode.FLUSH_DISK_TIMEOUT, 'FLUSH_DISK_TIMEOUT'],
    [ResponseCode.FLUSH_SLAVE_TIMEOUT, 'FLUSH_SLAVE_TIMEOUT'],
    [ResponseCode.SLAVE_NOT_AVAILABLE, 'SLAVE_NOT_AVAILABLE'],
  ])('reports code %i as status %s without retrying', async (code, status) => {
    const c = await cluster(1);
    c.brokers[0]?.script(RequestCode.SEND_MESSAGE_V2, (req) => {
      const ok = c.brokers[0]?.defaultBehaviour(req) as Extract<Behaviour, { kind: 'respond' }>;
      return { ...ok, code };
    });
    expect((await (await producer(c)).send({ topic: c.topic, body: 'x' })).status).toBe(status);
    expect(sends(c)).toHaveLength(1);
  });

  it('goes round-robin over every queue of every broker', async () => {
    const c = await cluster(2, 2);
    const p = await producer(c);
    const results: SendResult[] = [];
    for (let i = 0; i < 8; i++) results.push(await p.send({ topic: c.topic, body: `m${i}` }));
    expect(c.brokers.map((b) => b.requestsOf(RequestCode.SEND_MESSAGE_V2).length)).toEqual([4, 4]);
    expect(new Set(results.map((r) => `${r.messageQueue.brokerName}:${r.messageQueue.queueId}`)).size).toBe(
      4,
    );
  });

  it('compresses a body of 4 KiB or more, and not a smaller one', async () => {
    const c = await cluster(1);
    const p = await producer(c);
    const big = Buffer.alloc(5000, 'z');
    await p.send({ topic: c.topic, body: big });
    await p.send({ topic: c.topic, body: Buffer.alloc(4000, 'z') });
    const [compressed, plain] = sends(c);
    expect(SendMessageRequestHeaderV2.decode(compressed?.extFields).sysFlag & MessageSysFlag.COMPRESSED).toBe(
      MessageSysFlag.COMPRESSED,
    );
    expect(inflateSync(compressed?.body as Buffer)).toEqual(big);
    expect(SendMessageRequestHeaderV2.decode(plain?.extFields).sysFlag).toBe(0);
    expect(plain?.body?.length).toBe(4000);
  });

  it('sends to the given queue only', async () => {
    const c = await cluster(2, 4);
    const p = await producer(c);
    const queue = { topic: c.topic, brokerName: 'broker-b', queueId: 3 };
    for (let i = 0; i < 3; i++)
      expect((await p.send({ topic: c.topic, body: 'o' }, { queue })).messageQueue).toEqual(queue);
    expect(c.brokers[1]?.requestsOf(RequestCode.SEND_MESSAGE_V2).map((r) => r.extFields?.e)).toEqual([
      '3',
      '3',
      '3',
    ]);
    await expect(
      p.send({ topic: c.topic, body: 'o' }, { queue: { ...queue, topic: 'Other' } }),
    ).rejects.toThrow(/^queue:/);
    await expect(
      p.send({ topic: c.topic, body: 'o' }, { queue: { ...queue, brokerName: 'broker-z' } }),
    ).rejects.toMatchObject({ code: 'BROKER_NOT_FOUND' });
    expect(await p.fetchPublishMessageQueues(c.topic)).toHaveLength(8);
  });

  it('uses the auto-create topic route for a topic the name server does not know', async () => {
    const c = await cluster(1);
    c.namesrv.setRoute('TBW102', fakeRoute(c.brokers, { queueNums: 8, perm: 7 }));
    const r = await (await producer(c)).send({ topic: 'BrandNew', body: 'x' });
    expect(r.messageQueue.queueId).toBeLessThan(4);
    expect(SendMessageRequestHeaderV2.decode(sends(c)[0]?.extFields)).toMatchObject({
      topic: 'BrandNew',
      defaultTopic: 'TBW102',
    });
  });

  it('fails with TOPIC_NOT_EXIST when no route exists at all', async () => {
    const c = await cluster(1);
    await expect((await producer(c)).send({ topic: 'Unknown', body: 'x' })).rejects.toMatchObject({
      code: 'TOPIC_NOT_EXIST',
      addr: c.namesrv.addr,
    });
  });

  it('rejects a bad topic, an empty or oversized body before any I/O', async () => {
    const c = await cluster(1);
    const p = await producer(c, { maxMessageSize: 1024 });
    await expect(p.send({ topic: 'no spaces', body: 'x' })).rejects.toThrow(/^topic:/);
    await expect(p.send({ topic: c.topic, body: '' })).rejects.toThrow(/^body: body length is zero/);
    await expect(p.send({ topic: c.topic, body: Buffer.alloc(1025) })).rejects.toThrow(
      /^body:.*maxMessageSize 1024/,
    );
    await expect(p.sendBatch([{ topic: 'a b', body: 'x' }])).rejects.toThrow(/^topic:/);
    await expect(p.sendOneway({ topic: 'a b', body: 'x' })).rejects.toThrow(/^topic:/);
    expect(c.namesrv.requests).toHaveLength(0);
    expect(c.brokers[0]?.connectionsAccepted).toBe(0);
  });
});

describe('Producer batch, one-way, callback and pipelining', () => {
  it('sends a batch as SEND_BATCH_MESSAGE with the §7.6 body and splits the ids', async () => {
    const c = await cluster(1);
    const r = await (
      await producer(c)
    ).sendBatch([
      { topic: c.topic, body: 'a', keys: 'k1' },
      { topic: c.topic, body: Buffer.alloc(5000, 'b') },
    ]);
    const [req] = c.brokers[0]?.requestsOf(RequestCode.SEND_BATCH_MESSAGE) ?? [];
    const h = SendMessageRequestHeaderV2.decode(req?.extFields);
    expect(h).toMatchObject({ batch: true, sysFlag: 0, properties: 'WAIT\u0001true\u0002' });
    const entries = decodeBatchBody(req?.body as Buffer);
    expect(entries.map((e) => e.body.length)).toEqual([1, 5000]);
    const uniq = entries.map((e) => decodeProperties(e.properties).UNIQ_KEY);
    expect(r.msgIds).toEqual(uniq);
    expect(r.msgId).toBe(uniq.join(','));
    expect(r.offsetMsgIds).toHaveLength(2);
    expect(r.offsetMsgId).toBe(r.offsetMsgIds.join(','));
  });

  it('writes one-way frames without waiting for an answer', async () => {
    const c = await cluster(1);
    await (await producer(c)).sendOneway({ topic: c.topic, body: 'fire' });
    const [req] = await c.brokers[0]!.waitForRequests(RequestCode.SEND_MESSAGE_V2, 1);
    expect((req?.flag ?? 0) & RemotingFlag.ONEWAY).toBe(RemotingFlag.ONEWAY);
  });

  it('reports results and errors through the sendAsync callback', async () => {
    const c = await cluster(1);
    const p = await producer(c);
    const outcome = (msg: Parameters<Producer['send']>[0]): Promise<[Error | null, SendResult | undefined]> =>
      new Promise((resolve) => p.sendAsync(msg, (err, res) => resolve([err, res])));
    const [err, res] = await outcome({ topic: c.topic, body: 'cb' });
    expect(err).toBeNull();
    expect(res?.status).toBe('SEND_OK');
    const [bad] = await outcome({ topic: 'bad topic', body: 'cb' });
    expect(bad?.message).toMatch(/^topic:/);
  });

  it('pipelines many sends in flight on one connection', async () => {
    const c = await cluster(1, 4);
    const broker = c.brokers[0]!;
    const n = 50;
    let release!: () => void;
    const allArrived = new Promise<void>((r) => (release = r));
    broker.on(RequestCode.SEND_MESSAGE_V2, async (req) => {
      if (broker.requestsOf(RequestCode.SEND_MESSAGE_V2).length === n) release();
      await allArrived;
      return broker.defaultBehaviour(req);
    });
    const p = await producer(c);
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => p.send({ topic: c.topic, body: `m${i}` })),
    );
    expect(new Set(results.map((r) => r.msgId)).size).toBe(n);
    expect(broker.connectionsAccepted).toBe(1);
    expect(c.namesrv.requestsOf(RequestCode.GET_ROUTEINFO_BY_TOPIC)).toHaveLength(1);
  });
});

describe('Producer lifecycle', () => {
  it('refuses calls before start and after shutdown with StateError', async () => {
    const c = await cluster(1);
    const p = new Producer({ namesrvAddr: c.namesrv.addr, producerGroup: 'PG', logger: silentLogger });
    await expect(p.send({ topic: c.topic, body: 'x' })).rejects.toBeInstanceOf(StateError);
    await p.start();
    await expect(p.start()).rejects.toBeInstanceOf(StateError);
    await p.shutdown();
    await p.shutdown();
    await expect(p.send({ topic: c.topic, body: 'x' })).rejects.toBeInstanceOf(StateError);
    await expect(p.sendBatch([{ topic: c.topic, body: 'x' }])).rejects.toBeInstanceOf(StateError);
  });

  it('heartbeats the masters it sends to with its producer group and unregisters at shutdown', async () => {
    const c = await cluster(2);
    const p = await producer(c, { heartbeatBrokerIntervalMs: 50 });
    await p.send(
      { topic: c.topic, body: 'x' },
      { queue: { topic: c.topic, brokerName: 'broker-a', queueId: 0 } },
    );
    const a = c.brokers[0]!;
    const beats = await a.waitForRequests(RequestCode.HEART_BEAT, 2);
    expect(decodeHeartbeatData(beats[0]?.body)).toEqual({
      clientID: p.clientId,
      producerDataSet: [{ groupName: 'PG' }],
      consumerDataSet: [],
    });
    await p.shutdown();
    expect(a.requestsOf(RequestCode.UNREGISTER_CLIENT).map((r) => r.extFields)).toEqual([
      { clientID: p.clientId, producerGroup: 'PG' },
    ]);
    expect(c.brokers[1]?.requests).toHaveLength(0);
    expect(p.clientId).toMatch(/^[\d.]+@\d+#\d+#\d+$/);
  });

  it('does not retry a send to a given queue', async () => {
    const c = await cluster(2);
    c.brokers[0]?.script(
      RequestCode.SEND_MESSAGE_V2,
      respond(ResponseCode.SYSTEM_BUSY, undefined, undefined, '[REJECTREQUEST]'),
    );
    const p = await producer(c);
    await expect(
      p.send(
        { topic: c.topic, body: 'x' },
        { queue: { topic: c.topic, brokerName: 'broker-a', queueId: 0 } },
      ),
    ).rejects.toMatchObject({ code: 'SYSTEM_BUSY' });
    expect(sends(c)).toHaveLength(1);
  });
});
