/*
 * End to end across the merged features: Admin calls against a running PushConsumer through the broker —
 * backtracking by timestamp (RESET_CONSUMER_CLIENT_OFFSET to a live consumer, stored offsets for a
 * stopped one), running info and consume-directly relayed to the client, consumer progress following its
 * commits — and a PushConsumer answering request-reply. One in-process name server and broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushConsumer } from '@rocketts/client';
import {
  createLogger,
  createReply,
  Producer,
  retryTopicOf,
  silentLogger,
  type MessageListener,
  type PushConsumerOptions,
  type SendResult,
} from '@rocketts/client';
import { compareMessageQueue, replyTopicOf, type MessageExt } from '@rocketts/protocol';
import { EMBEDDED_CLUSTER, startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { eventually, startPushConsumer } from '../helpers/push';
import { randomGroup } from '../helpers/tmp';

/** Long enough for a wrong extra delivery to show up (a pull round trip is a few ms here). */
const QUIET_MS = 500;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`);

/** Message #i ("m<i>") was sent to queue i mod `queueCount`: per queue, delivery followed send order from #first. */
function expectInQueueOrder(got: MessageExt[], first: number, queueCount: number): void {
  const index = (m: MessageExt): number => Number(m.body.toString().slice(1));
  for (let q = 0; q < queueCount; q++) {
    const delivered = got.map(index).filter((i) => i % queueCount === q);
    const sent = Array.from({ length: 100 }, (_, i) => i).filter((i) => i >= first && i % queueCount === q);
    expect(delivered, `queue #${q}`).toEqual(sent);
  }
}

describe('consumption end to end: admin calls against a running push consumer', () => {
  let cluster: EmbeddedCluster;
  let producer: Producer;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({ brokers: 2 });
    producer = await cluster.startProducer();
  });

  afterAll(async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
    await cluster?.stop();
  });

  const pushConsumer = (
    group: string,
    topic: string,
    listener: MessageListener,
    extra: Partial<PushConsumerOptions> = {},
  ): Promise<PushConsumer> =>
    startPushConsumer({ namesrvAddr: cluster.namesrvAddr, group, topic, listener, extra, stops });

  /** Wait until the group's committed offsets on `topic` reach the end of every queue. */
  const drained = (group: string, topic: string): Promise<void> =>
    eventually(async () => {
      const p = await cluster.admin.consumerProgress(group, topic);
      return p.queues.length > 0 && p.totalLag === 0;
    }, `${group} committed everything of ${topic}`);

  it.each([
    ['concurrent', false],
    ['orderly', true],
  ])(
    'resetOffsetByTime (%s): a running consumer re-delivers exactly the messages stored since t; a stopped one resumes there',
    async (_mode, orderly) => {
      const topic = await cluster.createTopic(undefined, 2);
      const group = randomGroup();
      const queues = await producer.fetchPublishMessageQueues(topic);
      const sent: SendResult[] = [];
      for (let i = 0; i < 100; i++) {
        // Message #40 is the first stored in a new millisecond, so "at or after its store time" starts at it.
        if (i === 40) await sleep(5);
        sent.push(await producer.send({ topic, body: `m${i}` }, { queue: queues[i % queues.length] }));
      }
      const storeTime = async (i: number): Promise<number> =>
        (await cluster.admin.viewMessage((sent[i] as SendResult).offsetMsgId)).storeTimestamp;
      const t = await storeTime(40);
      expect(await storeTime(39)).toBeLessThan(t);

      let got: MessageExt[] = [];
      const handler = (msgs: MessageExt[]): void => {
        got.push(...msgs);
      };
      const listener: MessageListener = orderly
        ? { consumeOrderly: handler }
        : { consumeConcurrently: handler };
      const bodies = (): string[] => got.map((m) => m.body.toString()).sort();
      const logs: string[] = [];
      const c = await pushConsumer(group, topic, listener, {
        logger: createLogger('e2e', { level: 'info', write: (line) => logs.push(line) }),
      });
      await eventually(() => got.length >= 100, 'the first 100 deliveries');
      await drained(group, topic);
      expect(bodies()).toEqual(range(0, 100).sort());

      // Running: each broker tells the consumer, which restarts its queues from #40 (offset 10 of each).
      got = [];
      const table = await cluster.admin.resetOffsetByTime(group, topic, t);
      expect(table.map((r) => r.offset)).toEqual([10, 10, 10, 10]);
      await eventually(() => got.length >= 60, 're-delivery after the reset');
      await sleep(QUIET_MS);
      expect(bodies()).toEqual(range(40, 100).sort());
      const notices = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(notices.filter((n) => n.msg === 'offsets reset by the broker')).toEqual([
        expect.objectContaining({ group, topic, timestamp: t, queues: 2 }),
        expect.objectContaining({ group, topic, timestamp: t, queues: 2 }),
      ]);
      if (orderly) expectInQueueOrder(got, 40, queues.length);
      await drained(group, topic);
      await c.shutdown();

      // Stopped: the broker moves the stored offsets; the next start of the group resumes from #40.
      got = [];
      await cluster.admin.resetOffsetByTime(group, topic, t);
      const progress = await cluster.admin.consumerProgress(group, topic);
      expect(progress.queues.map((q) => q.consumerOffset)).toEqual([10, 10, 10, 10]);
      await pushConsumer(group, topic, listener);
      await eventually(() => got.length >= 60, 're-delivery after a restart');
      await sleep(QUIET_MS);
      expect(bodies()).toEqual(range(40, 100).sort());
      if (orderly) expectInQueueOrder(got, 40, queues.length);
    },
    40_000,
  );

  it('getConsumerRunningInfo and consumeMessageDirectly reach the push consumer through the broker', async () => {
    const topic = await cluster.createTopic(undefined, 2);
    const other = await cluster.createTopic(undefined, 1);
    const group = randomGroup();
    const handled: string[] = [];
    const c = await pushConsumer(group, topic, {
      consumeConcurrently: (msgs) => {
        const m = msgs[0] as MessageExt;
        handled.push(`${m.topic}:${m.body.toString()}`);
        if (m.body.toString() === 'later') return 'RECONSUME_LATER';
        if (m.body.toString() === 'boom') throw new Error('boom');
        return 'CONSUME_SUCCESS';
      },
    });
    await eventually(() => c.assignment().length === 6, 'four queues of the topic and two retry queues');

    const info = await cluster.admin.getConsumerRunningInfo(group, c.clientId);
    expect(info.subscriptionSet.map((s) => [s.topic, s.subString]).sort()).toEqual(
      [
        [topic, '*'],
        [retryTopicOf(group), '*'],
      ].sort(),
    );
    expect(info.mqTable.map(([mq]) => mq).sort(compareMessageQueue)).toEqual(c.assignment());
    expect(info.properties).toMatchObject({
      consumerGroup: group,
      messageModel: 'CLUSTERING',
      PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY',
      PROP_CONSUMEORDERLY: 'false',
    });

    // Messages of a topic the group does not subscribe to reach the listener only through the admin.
    const ok = await producer.send({ topic: other, body: 'fine' });
    const later = await producer.send({ topic: other, body: 'later' });
    const boom = await producer.send({ topic: other, body: 'boom' });
    const direct = (r: SendResult) =>
      cluster.admin.consumeMessageDirectly(group, c.clientId, r.offsetMsgId, other);
    expect(await direct(ok)).toMatchObject({ consumeResult: 'CR_SUCCESS', order: false });
    expect(await direct(later)).toMatchObject({ consumeResult: 'CR_LATER' });
    expect(await direct(boom)).toMatchObject({
      consumeResult: 'CR_THROW_EXCEPTION',
      remark: expect.stringContaining('boom'),
    });
    expect(handled).toEqual([`${other}:fine`, `${other}:later`, `${other}:boom`]);
    // Consuming directly moves no offset and sends nothing back.
    await sleep(QUIET_MS);
    expect(handled).toHaveLength(3);
    expect(c.stats()).toMatchObject({ consumeOK: 0, consumeFailed: 0 });
  });

  it('consumerProgress follows the push consumer: all lag while handlers are held, none after it drains', async () => {
    const topic = await cluster.createTopic(undefined, 2);
    const group = randomGroup();
    for (let i = 0; i < 20; i++) await producer.send({ topic, body: `p${i}` });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let done = 0;
    await pushConsumer(group, topic, {
      consumeConcurrently: async () => {
        await gate;
        done++;
      },
    });
    // Pulled but not consumed: nothing committed yet, everything in flight.
    await eventually(
      async () => (await cluster.admin.consumerProgress(group, topic)).totalInflight === 20,
      'in flight',
    );
    const held = await cluster.admin.consumerProgress(group, topic);
    expect(held.totalLag).toBe(20);
    expect(held.queues.map((q) => [q.brokerOffset, q.consumerOffset])).toEqual([
      [5, 0],
      [5, 0],
      [5, 0],
      [5, 0],
    ]);
    release();
    await eventually(() => done === 20, 'handlers released');
    await drained(group, topic);
    const after = await cluster.admin.consumerProgress(group, topic);
    expect(after.queues.map((q) => [q.brokerOffset, q.consumerOffset, q.lag])).toEqual([
      [5, 5, 0],
      [5, 5, 0],
      [5, 5, 0],
      [5, 5, 0],
    ]);
    expect(after.queues.every((q) => q.lastTimestamp > 0)).toBe(true);
  });

  it('request-reply: a PushConsumer answers requests through the broker', async () => {
    const topic = await cluster.createTopic(undefined, 2);
    const replier = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      producerGroup: randomGroup(),
      logger: silentLogger,
    });
    await replier.start();
    stops.push(() => replier.shutdown());
    await pushConsumer(randomGroup(), topic, {
      consumeConcurrently: async (msgs) => {
        for (const m of msgs) await replier.sendReply(createReply(m, `re:${m.body.toString()}`));
      },
    });
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => producer.request({ topic, body: `q${i}` }, { timeoutMs: 10_000 })),
    );
    expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `re:q${i}`));
    for (const r of replies) {
      expect(r.topic).toBe(replyTopicOf(EMBEDDED_CLUSTER));
      expect(r.properties.REPLY_TO_CLIENT).toBe(producer.clientId);
    }
  });
});
