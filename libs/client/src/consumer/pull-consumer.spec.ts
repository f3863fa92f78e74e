import {
  MessageSysFlag,
  PullMessageRequestHeader,
  PullSysFlag,
  RemotingTimeoutError,
  RequestCode,
  ResponseCode,
  ResponseError,
  StateError,
  type MessageQueue,
} from '@rocketts/protocol';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { never, respond } from '../../../../test/fakes/fake-broker';
import { startFakeCluster, storedRecord, type FakeCluster } from '../../../../test/fakes/fake-cluster';
import { silentLogger } from '../logger';
import { PullConsumer } from './pull-consumer';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ c: FakeCluster; consumer: PullConsumer; mq: MessageQueue }> {
  const c = await startFakeCluster(2, { queueNums: 2 });
  const consumer = new PullConsumer({
    namesrvAddr: c.namesrv.addr,
    consumerGroup: 'CG',
    logger: silentLogger,
  });
  await consumer.start();
  cleanups.push(
    () => c.close(),
    () => consumer.shutdown(),
  );
  return { c, consumer, mq: { topic: c.topic, brokerName: 'broker-b', queueId: 1 } };
}

const header = (next: number, min = 0, max = 10): Record<string, string> => ({
  suggestWhichBrokerId: '0',
  nextBeginOffset: String(next),
  minOffset: String(min),
  maxOffset: String(max),
});

describe('PullConsumer.pull', () => {
  it('sends PULL_MESSAGE with the SUBSCRIPTION bit to the master and decodes FOUND', async () => {
    const { c, consumer, mq } = await setup();
    const b = c.brokers[1]!;
    const body = Buffer.concat([
      storedRecord({
        topic: mq.topic,
        queueId: 1,
        queueOffset: 5,
        body: 'm5',
        properties: { TAGS: 'TagA', UNIQ_KEY: 'U5' },
      }),
      storedRecord({ topic: mq.topic, queueId: 1, queueOffset: 6, body: 'm6' }),
    ]);
    b.script(RequestCode.PULL_MESSAGE, respond(ResponseCode.SUCCESS, header(7, 0, 7), body));
    const r = await consumer.pull(mq, { offset: 5 });
    expect(r).toMatchObject({ status: 'FOUND', nextBeginOffset: 7, minOffset: 0, maxOffset: 7 });
    expect(r.messages.map((m) => [m.queueOffset, m.body.toString(), m.msgId])).toEqual([
      [5, 'm5', 'U5'],
      [6, 'm6', r.messages[1]?.offsetMsgId],
    ]);
    const h = PullMessageRequestHeader.decode(b.requestsOf(RequestCode.PULL_MESSAGE)[0]?.extFields);
    expect(h).toMatchObject({
      consumerGroup: 'CG',
      topic: mq.topic,
      queueId: 1,
      queueOffset: 5,
      maxMsgNums: 32,
      sysFlag: PullSysFlag.SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      expressionType: 'TAG',
    });
    expect(c.brokers[0]?.requests).toHaveLength(0);
  });

  it.each([
    [ResponseCode.PULL_NOT_FOUND, 'NO_NEW_MSG'],
    [ResponseCode.PULL_RETRY_IMMEDIATELY, 'NO_MATCHED_MSG'],
    [ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_ILLEGAL'],
  ])('maps code %i to %s with the offsets of the header', async (code, status) => {
    const { c, consumer, mq } = await setup();
    c.brokers[1]?.script(RequestCode.PULL_MESSAGE, respond(code, header(42, 3, 50)));
    expect(await consumer.pull(mq, { offset: 100, maxNums: 4 })).toEqual({
      status,
      nextBeginOffset: 42,
      minOffset: 3,
      maxOffset: 50,
      messages: [],
    });
  });

  it('throws any other code as a ResponseError', async () => {
    const { c, consumer, mq } = await setup();
    c.brokers[1]?.script(
      RequestCode.PULL_MESSAGE,
      respond(ResponseCode.SUBSCRIPTION_PARSE_FAILED, undefined, undefined, 'bad sql'),
    );
    const err = await consumer
      .pull(mq, { offset: 0, subExpression: { type: 'SQL92', expression: 'a >' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'SUBSCRIPTION_PARSE_FAILED', addr: c.brokers[1]?.addr });
    expect(c.brokers[1]?.requestsOf(RequestCode.PULL_MESSAGE)[0]?.extFields).toMatchObject({
      subscription: 'a >',
      expressionType: 'SQL92',
    });
  });

  it('filters again by tag on the client and inflates compressed bodies', async () => {
    const { c, consumer, mq } = await setup();
    const raw = Buffer.alloc(6000, 'q');
    const body = Buffer.concat([
      storedRecord({
        topic: mq.topic,
        queueOffset: 0,
        properties: { TAGS: 'TagA' },
        body: deflateSync(raw),
        sysFlag: MessageSysFlag.COMPRESSED,
      }),
      storedRecord({ topic: mq.topic, queueOffset: 1, properties: { TAGS: 'TagC' } }), // a hash collision the broker let through
      storedRecord({ topic: mq.topic, queueOffset: 2 }),
      storedRecord({ topic: mq.topic, queueOffset: 3, properties: { TAGS: 'TagB' } }),
    ]);
    c.brokers[1]?.script(RequestCode.PULL_MESSAGE, respond(ResponseCode.SUCCESS, header(4), body));
    const r = await consumer.pull(mq, { offset: 0, subExpression: 'TagA || TagB' });
    expect(r.status).toBe('FOUND');
    expect(r.messages.map((m) => m.queueOffset)).toEqual([0, 3]);
    expect(r.messages[0]?.body).toEqual(raw);
    expect(c.brokers[1]?.requestsOf(RequestCode.PULL_MESSAGE)[0]?.extFields).toMatchObject({
      subscription: 'TagA || TagB',
      expressionType: 'TAG',
    });
  });

  it('asks for long polling with the SUSPEND bit and a socket timeout beyond the hold time', async () => {
    const { c, consumer, mq } = await setup();
    await consumer.pull(mq, { offset: 3, suspendTimeoutMs: 15_000 });
    const h = PullMessageRequestHeader.decode(
      c.brokers[1]?.requestsOf(RequestCode.PULL_MESSAGE)[0]?.extFields,
    );
    expect(h.sysFlag).toBe(PullSysFlag.SUBSCRIPTION | PullSysFlag.SUSPEND);
    expect(h.suspendTimeoutMillis).toBe(15_000);
    await expect(consumer.pull(mq, { offset: 3, suspendTimeoutMs: 1000, timeoutMs: 1000 })).rejects.toThrow(
      /^timeoutMs: must exceed/,
    );
    c.brokers[1]?.script(RequestCode.PULL_MESSAGE, never());
    await expect(
      consumer.pull(mq, { offset: 3, suspendTimeoutMs: 100, timeoutMs: 200 }),
    ).rejects.toBeInstanceOf(RemotingTimeoutError);
  });

  it('keeps one subVersion per expression', async () => {
    const { c, consumer, mq } = await setup();
    await consumer.pull(mq, { offset: 0, subExpression: 'TagA' });
    await new Promise((r) => setTimeout(r, 5));
    await consumer.pull(mq, { offset: 0, subExpression: 'TagA' });
    await consumer.pull(mq, { offset: 0, subExpression: 'TagB' });
    const v = c.brokers[1]!.requestsOf(RequestCode.PULL_MESSAGE).map((r) => r.extFields?.subVersion);
    expect(v[0]).toBe(v[1]);
    expect(Number(v[2])).toBeGreaterThan(Number(v[0]));
  });

  it('validates arguments before any I/O', async () => {
    const { c, consumer, mq } = await setup();
    await expect(consumer.pull(mq, { offset: -1 })).rejects.toThrow(/^offset:/);
    await expect(consumer.pull(mq, { offset: 0, maxNums: 0 })).rejects.toThrow(/^maxNums:/);
    await expect(consumer.pull({ ...mq, queueId: -1 }, { offset: 0 })).rejects.toThrow(/^mq:/);
    await expect(consumer.pull({ ...mq, brokerName: 'broker-z' }, { offset: 0 })).rejects.toMatchObject({
      code: 'BROKER_NOT_FOUND',
    });
    expect(c.brokers.flatMap((b) => b.requests)).toHaveLength(0);
  });
});

describe('PullConsumer queues and offsets', () => {
  it('lists readable queues sorted by broker then id', async () => {
    const { consumer, c } = await setup();
    expect(
      (await consumer.fetchSubscribeMessageQueues(c.topic)).map((q) => `${q.brokerName}:${q.queueId}`),
    ).toEqual(['broker-a:0', 'broker-a:1', 'broker-b:0', 'broker-b:1']);
    await expect(consumer.fetchSubscribeMessageQueues('Missing')).rejects.toMatchObject({
      code: 'TOPIC_NOT_EXIST',
    });
  });

  it('commits and fetches offsets on the queue master; −1 when the broker has none', async () => {
    const { c, consumer, mq } = await setup();
    const b = c.brokers[1]!;
    await consumer.commitOffset(mq, 17);
    expect(b.requestsOf(RequestCode.UPDATE_CONSUMER_OFFSET)[0]?.extFields).toEqual({
      consumerGroup: 'CG',
      topic: mq.topic,
      queueId: '1',
      commitOffset: '17',
    });
    b.script(
      RequestCode.QUERY_CONSUMER_OFFSET,
      respond(ResponseCode.SUCCESS, { offset: '17' }),
      respond(ResponseCode.QUERY_NOT_FOUND, undefined, undefined, 'Not found'),
    );
    expect(await consumer.fetchConsumeOffset(mq)).toBe(17);
    expect(await consumer.fetchConsumeOffset(mq)).toBe(-1);
    b.script(
      RequestCode.QUERY_CONSUMER_OFFSET,
      respond(ResponseCode.SYSTEM_ERROR, undefined, undefined, 'boom'),
    );
    await expect(consumer.fetchConsumeOffset(mq)).rejects.toMatchObject({ code: 'SYSTEM_ERROR' });
  });

  it('reads max, min, searched offsets and the earliest store time', async () => {
    const { c, consumer, mq } = await setup();
    const b = c.brokers[1]!;
    b.on(RequestCode.GET_MAX_OFFSET, respond(ResponseCode.SUCCESS, { offset: '99' }))
      .on(RequestCode.GET_MIN_OFFSET, respond(ResponseCode.SUCCESS, { offset: '3' }))
      .on(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, respond(ResponseCode.SUCCESS, { offset: '50' }))
      .on(
        RequestCode.GET_EARLIEST_MSG_STORETIME,
        respond(ResponseCode.SUCCESS, { timestamp: '1700000000000' }),
      );
    expect(await consumer.maxOffset(mq)).toBe(99);
    expect(await consumer.minOffset(mq)).toBe(3);
    expect(await consumer.searchOffset(mq, 1_700_000_000_500)).toBe(50);
    expect(await consumer.earliestMsgStoreTime(mq)).toBe(1_700_000_000_000);
    expect(b.requestsOf(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP)[0]?.extFields).toEqual({
      topic: mq.topic,
      queueId: '1',
      timestamp: '1700000000500',
    });
  });

  it('refuses calls after shutdown', async () => {
    const { consumer, mq } = await setup();
    await consumer.shutdown();
    await expect(consumer.pull(mq, { offset: 0 })).rejects.toBeInstanceOf(StateError);
    await expect(consumer.commitOffset(mq, 1)).rejects.toBeInstanceOf(StateError);
  });
});
