/*
 * End to end across the merged features: a PushConsumer's failures go back to the broker with
 * CONSUMER_SEND_MSG_BACK, come back through the schedule service's delay levels and %RETRY%<group>, end in
 * %DLQ%<group> at the limit, and Admin.resendDlq replays them; orderly poison messages go straight to
 * the DLQ. One in-process name server and broker whose delay levels are seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushConsumer, Producer } from '@rocketts/client';
import {
  createLogger,
  dlqTopicOf,
  PullConsumer,
  retryTopicOf,
  silentLogger,
  type Logger,
  type MessageListener,
  type PushConsumerOptions,
} from '@rocketts/client';
import { isResponseCode, ResponseCode, type MessageExt } from '@rocketts/protocol';
import { drainAll } from '../helpers/drain';
import { startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { eventually, startPushConsumer } from '../helpers/push';
import { randomGroup } from '../helpers/tmp';

/**
 * A send-back with delayLevel 0 is retried at level 3 + reconsumeTimes: level 3 (first retry) is 1 s,
 * level 4 (second) 2 s, level 5 (third) 1 s; the rest 1 s.
 */
const DELAY_LEVELS = '1s 1s 1s 2s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s';
const RETRY_DELAYS_MS = [1000, 2000, 1000];
/** Clock granularity between the broker's store time and the handler's Date.now(). */
const TOLERANCE_MS = 50;
/** Long enough for a wrong extra delivery (level delay 1 s + schedule tick + pull) to show up. */
const QUIET_MS = 1500;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A warn-level logger whose lines go to `lines` (JSON, one per entry). */
function capturingLogger(lines: string[]): Logger {
  return createLogger('e2e', { level: 'warn', write: (line) => lines.push(line) });
}

interface Delivery {
  at: number;
  body: string;
  topic: string;
  reconsumeTimes: number;
  msgId: string;
  properties: Record<string, string>;
}

/** Over the producer's 4 KiB compression threshold: stored compressed, inflated by every reader. */
const DEAD_BODY = Buffer.from(`dead ${'order line; '.repeat(1000)}`);

const record = (m: MessageExt): Delivery => ({
  at: Date.now(),
  body: m.body.equals(DEAD_BODY) ? 'dead' : m.body.toString(),
  topic: m.topic,
  reconsumeTimes: m.reconsumeTimes,
  msgId: m.msgId,
  properties: { ...m.properties },
});

// The tests wait on delay levels more than they work, and use their own topics and groups: they run side by side.
describe.concurrent('consumption end to end: retries, DLQ and replay', () => {
  let cluster: EmbeddedCluster;
  let producer: Producer;
  let puller: PullConsumer;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({ brokers: 2, brokerConf: { messageDelayLevel: DELAY_LEVELS } });
    producer = await cluster.startProducer();
    puller = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await puller.start();
  });

  afterAll(async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
    await puller?.shutdown();
    await cluster?.stop();
  });

  /** Holds both the topic's queue(s) and %RETRY%<group> before anything is sent. */
  const pushConsumer = (
    group: string,
    topic: string,
    listener: MessageListener,
    extra: Partial<PushConsumerOptions> = {},
  ): Promise<PushConsumer> =>
    startPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      group,
      topic,
      listener,
      extra,
      stops,
      heldTopics: [topic, retryTopicOf(group)],
    });

  /** Every message stored in `topic` (all queues), or none when the topic does not exist. */
  const stored = async (topic: string): Promise<MessageExt[]> =>
    drainAll(puller, topic).catch((err: unknown) => {
      if (isResponseCode(err, ResponseCode.TOPIC_NOT_EXIST)) return [];
      throw err;
    });

  it('concurrent: each failure is sent back to the broker and redelivered after its delay level, reconsumeTimes 1, 2, 3', async () => {
    const topic = await cluster.createTopic(undefined, 2);
    const group = randomGroup();
    const logs: string[] = [];
    const deliveries: Delivery[] = [];
    const c = await pushConsumer(
      group,
      topic,
      {
        consumeConcurrently: (msgs) => {
          const m = msgs[0] as MessageExt;
          deliveries.push(record(m));
          if (m.reconsumeTimes < RETRY_DELAYS_MS.length) throw new Error(`try ${m.reconsumeTimes} fails`);
        },
      },
      { logger: capturingLogger(logs) },
    );
    const sent = await producer.send({ topic, body: 'retry-me', tags: 'TagR', keys: 'k-retry' });

    await eventually(() => deliveries.length === 4, 'the first delivery and three redeliveries', 20_000);
    expect(deliveries.map((d) => d.reconsumeTimes)).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < deliveries.length; i++) {
      const d = deliveries[i] as Delivery;
      const gap = d.at - (deliveries[i - 1] as Delivery).at;
      const delay = RETRY_DELAYS_MS[i - 1] as number;
      expect(gap, `redelivery ${i} after its level's ${delay} ms`).toBeGreaterThanOrEqual(
        delay - TOLERANCE_MS,
      );
      expect(gap, `redelivery ${i} not much later than ${delay} ms`).toBeLessThan(delay + 2500);
      // Shown under the original topic, same message id, with the broker's retry bookkeeping: the broker's
      // send-back records the original's offset message id, the client's fallback would record its UNIQ_KEY.
      expect(d).toMatchObject({ body: 'retry-me', topic, msgId: sent.msgId });
      expect(d.properties).toMatchObject({
        RETRY_TOPIC: topic,
        ORIGIN_MESSAGE_ID: sent.offsetMsgId,
        TAGS: 'TagR',
        KEYS: 'k-retry',
      });
    }
    expect(deliveries[0]).toMatchObject({ topic, reconsumeTimes: 0 });
    expect(deliveries[0]?.properties.ORIGIN_MESSAGE_ID).toBeUndefined();
    // CONSUMER_SEND_MSG_BACK was accepted every time: no fallback send to %RETRY% directly.
    expect(logs.filter((l) => /send-back failed|retry topic failed/.test(l))).toEqual([]);
    const copies = await stored(retryTopicOf(group));
    expect(copies.map((m) => m.reconsumeTimes)).toEqual([1, 2, 3]);
    for (const m of copies) expect(m.properties.ORIGIN_MESSAGE_ID).toBe(sent.offsetMsgId);
    await sleep(QUIET_MS);
    expect(deliveries).toHaveLength(4);
    expect(c.stats()).toMatchObject({ consumeOK: 1, consumeFailed: 3 });
  }, 30_000);

  it('concurrent: ackIndex acknowledges the head of a batch; the rest is redelivered through %RETRY%', async () => {
    const topic = await cluster.createTopic(undefined, 1);
    const group = randomGroup();
    const deliveries: Delivery[] = [];
    const c = await pushConsumer(
      group,
      topic,
      {
        consumeConcurrently: (msgs, context) => {
          deliveries.push(...msgs.map(record));
          // Queue order puts the "ok" messages first: acknowledge them, hand back the "bad" ones once.
          const firstBad = msgs.findIndex(
            (m) => m.body.toString().startsWith('bad') && m.reconsumeTimes === 0,
          );
          if (firstBad >= 0) context.ackIndex = firstBad - 1;
        },
      },
      { consumeMessageBatchMaxSize: 4 },
    );
    for (const body of ['ok-1', 'ok-2', 'bad-1', 'bad-2']) await producer.send({ topic, body });

    await eventually(() => deliveries.length === 6, 'four deliveries and two redeliveries', 15_000);
    const times = (body: string): number[] =>
      deliveries.filter((d) => d.body === body).map((d) => d.reconsumeTimes);
    expect(times('ok-1')).toEqual([0]);
    expect(times('ok-2')).toEqual([0]);
    expect(times('bad-1')).toEqual([0, 1]);
    expect(times('bad-2')).toEqual([0, 1]);
    await sleep(QUIET_MS);
    expect(deliveries).toHaveLength(6);
    expect(c.stats()).toMatchObject({ consumeFailed: 2 });
  }, 30_000);

  it('concurrent: a handler running past consumeTimeout gives its message back for redelivery and the offset moves on', async () => {
    const topic = await cluster.createTopic(undefined, 1);
    const group = randomGroup();
    const logs: string[] = [];
    const deliveries: Delivery[] = [];
    await pushConsumer(
      group,
      topic,
      {
        consumeConcurrently: (msgs) => {
          const m = msgs[0] as MessageExt;
          deliveries.push(record(m));
          // The first delivery of "hang" never finishes; every other call returns at once.
          if (m.body.toString() === 'hang' && m.reconsumeTimes === 0)
            return new Promise<never>(() => undefined);
          return undefined;
        },
      },
      // 600 ms; shutdown does not wait for the handler that never ends.
      { consumeTimeout: 0.01, awaitTerminationMillisWhenShutdown: 100, logger: capturingLogger(logs) },
    );
    const hung = await producer.send({ topic, body: 'hang' });
    await producer.send({ topic, body: 'after-1' });
    await producer.send({ topic, body: 'after-2' });

    await eventually(
      () => deliveries.some((d) => d.body === 'hang' && d.reconsumeTimes === 1),
      'the hung message redelivered through %RETRY%',
      15_000,
    );
    expect(deliveries.filter((d) => d.body === 'hang').map((d) => d.reconsumeTimes)).toEqual([0, 1]);
    expect(deliveries.filter((d) => d.body.startsWith('after-'))).toHaveLength(2);
    expect(deliveries.find((d) => d.reconsumeTimes === 1)?.msgId).toBe(hung.msgId);
    expect(logs.some((l) => l.includes('ran longer than consumeTimeout'))).toBe(true);
    // Nothing holds the queue back any more: its committed offset reaches the end.
    await eventually(
      async () => (await cluster.admin.consumerProgress(group, topic)).totalLag === 0,
      'the committed offset past the hung message',
      15_000,
    );
  }, 30_000);

  it('concurrent: after maxReconsumeTimes a message lands in %DLQ%<group> intact and the queue moves on; resendDlq replays it once', async () => {
    const topic = await cluster.createTopic(undefined, 1);
    const group = randomGroup();
    let fixed = false;
    const deliveries: Delivery[] = [];
    await pushConsumer(
      group,
      topic,
      {
        consumeConcurrently: (msgs) => {
          const m = msgs[0] as MessageExt;
          deliveries.push(record(m));
          if (m.body.equals(DEAD_BODY) && !fixed) throw new Error('cannot handle it yet');
        },
      },
      { maxReconsumeTimes: 2 },
    );
    const of = (body: string): Delivery[] => deliveries.filter((d) => d.body === body);
    const sent = await producer.send({
      topic,
      body: DEAD_BODY,
      tags: 'TagD',
      keys: ['order-9', 'batch-1'],
      properties: { tenant: 'acme' },
    });
    await eventually(() => of('dead').length === 3, 'three deliveries of the failing message', 20_000);
    await eventually(async () => (await stored(dlqTopicOf(group))).length === 1, 'a dead letter');
    const [dead] = (await stored(dlqTopicOf(group))) as [MessageExt];
    expect(dead.body.equals(DEAD_BODY)).toBe(true);
    expect(dead.keys).toEqual(['order-9', 'batch-1']);
    expect(dead.tags).toBe('TagD');
    expect(dead.msgId).toBe(sent.msgId);
    expect(dead.reconsumeTimes).toBe(3);
    expect(dead.properties).toMatchObject({
      tenant: 'acme',
      RETRY_TOPIC: topic,
      ORIGIN_MESSAGE_ID: sent.offsetMsgId,
    });
    // Two retries passed through %RETRY%<group>; the third failure went to the DLQ instead.
    expect((await stored(retryTopicOf(group))).map((m) => m.reconsumeTimes)).toEqual([1, 2]);

    // The queue goes on.
    for (const body of ['after-1', 'after-2']) await producer.send({ topic, body });
    await eventually(() => of('after-1').length === 1 && of('after-2').length === 1, 'later messages');
    await sleep(QUIET_MS);
    expect(of('dead').map((d) => d.reconsumeTimes)).toEqual([0, 1, 2]);
    // Every queue of the group, %RETRY%<group> included, is committed to its end.
    await eventually(
      async () => (await cluster.admin.consumerProgress(group)).totalLag === 0,
      'no lag on the topic and the retry topic',
    );
    expect((await cluster.admin.consumerProgress(group)).queues.map((q) => q.messageQueue.topic)).toContain(
      retryTopicOf(group),
    );

    // The handler is fixed; the dead letter is replayed to its topic and consumed once.
    fixed = true;
    const replay = await cluster.admin.resendDlq(group);
    expect(replay).toMatchObject({ resent: 1, skipped: 0, byTopic: { [topic]: 1 } });
    await eventually(() => of('dead').length === 4, 'the replayed message consumed');
    const again = of('dead')[3] as Delivery;
    expect(again).toMatchObject({ topic, reconsumeTimes: 0, msgId: sent.msgId });
    expect(again.properties).toMatchObject({ TAGS: 'TagD', KEYS: 'order-9 batch-1', tenant: 'acme' });
    expect(await cluster.admin.resendDlq(group)).toMatchObject({ resent: 0, skipped: 0 });
    await sleep(QUIET_MS);
    expect(of('dead')).toHaveLength(4);
    expect(of('after-1')).toHaveLength(1);
  }, 40_000);

  it('orderly: a poison message goes to %DLQ%<group> after maxReconsumeTimes local retries; its queue goes on in order', async () => {
    const topic = await cluster.createTopic(undefined, 2);
    const group = randomGroup();
    const [q0, q1] = (await producer.fetchPublishMessageQueues(topic)).slice(0, 2);
    const bodies0 = ['a0', 'a1', 'poison', 'a3', 'a4', 'a5'];
    const bodies1 = ['b0', 'b1', 'b2', 'b3'];
    let poison: Awaited<ReturnType<Producer['send']>> | undefined;
    for (const body of bodies0) {
      const r = await producer.send({ topic, body, keys: `key-${body}` }, { queue: q0 });
      if (body === 'poison') poison = r;
    }
    for (const body of bodies1) await producer.send({ topic, body }, { queue: q1 });
    const seen: { queueId: number; body: string; reconsumeTimes: number; fromRetry: boolean }[] = [];
    const logs: string[] = [];
    const c = await pushConsumer(
      group,
      topic,
      {
        consumeOrderly: (msgs) => {
          const m = msgs[0] as MessageExt;
          seen.push({
            queueId: m.queueId,
            body: m.body.toString(),
            reconsumeTimes: m.reconsumeTimes,
            fromRetry: m.properties.RETRY_TOPIC !== undefined,
          });
          if (m.body.toString() === 'poison') throw new Error('poison');
        },
      },
      { maxReconsumeTimes: 2, suspendCurrentQueueTimeMillis: 100, logger: capturingLogger(logs) },
    );
    await eventually(
      () => seen.some((s) => s.body === 'a5') && seen.some((s) => s.body === 'b3'),
      'both queues consumed to their end',
    );
    await sleep(QUIET_MS);
    const onQueue = (queueId: number): string[] =>
      seen.filter((s) => s.queueId === queueId).map((s) => `${s.body}#${s.reconsumeTimes}`);
    expect(onQueue(q0?.queueId as number)).toEqual([
      'a0#0',
      'a1#0',
      'poison#0',
      'poison#1',
      'poison#2',
      'a3#0',
      'a4#0',
      'a5#0',
    ]);
    expect(onQueue(q1?.queueId as number)).toEqual(['b0#0', 'b1#0', 'b2#0', 'b3#0']);
    expect(seen.filter((s) => s.fromRetry)).toEqual([]);

    const dlq = await stored(dlqTopicOf(group));
    expect(dlq.map((m) => m.body.toString())).toEqual(['poison']);
    expect(dlq[0]?.msgId).toBe(poison?.msgId);
    expect(dlq[0]?.keys).toEqual(['key-poison']);
    // Sent as Java's orderly consumer does: straight to %RETRY% with its own count (3 tries), routed to the DLQ.
    expect(dlq[0]?.properties).toMatchObject({ RETRY_TOPIC: topic, ORIGIN_MESSAGE_ID: poison?.msgId });
    expect(dlq[0]?.reconsumeTimes).toBe(3);
    expect(await stored(retryTopicOf(group))).toEqual([]);
    expect(logs.filter((l) => /send-back failed|retry topic failed/.test(l))).toEqual([]);
    // The admin sees an orderly member holding the locks of its queues.
    const info = await cluster.admin.getConsumerRunningInfo(group, c.clientId);
    expect(info.properties.PROP_CONSUMEORDERLY).toBe('true');
    expect(info.mqTable.filter(([mq]) => mq.topic === topic).map(([, pq]) => pq.locked)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  }, 30_000);
});
