import type { Producer } from '@rocketts/client';
import { LitePullConsumer, silentLogger, type LitePullConsumerOptions } from '@rocketts/client';
import type { MessageExt, MessageQueue } from '@rocketts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, waitFor, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { randomGroup, randomTopic } from '../helpers/tmp';

const key = (mq: MessageQueue): string => `${mq.brokerName}/${mq.queueId}`;

/**
 * LitePullConsumer against a real name server and two brokers (in process): assign + poll, seek, pause,
 * commit and restart from the committed offset, and two subscribing consumers sharing a topic.
 */
describe('LitePullConsumer', () => {
  let cluster: EmbeddedCluster;
  let producer: Producer;
  const clients: { shutdown(): Promise<void> }[] = [];

  const lite = async (options: Partial<LitePullConsumerOptions> = {}): Promise<LitePullConsumer> => {
    const c = new LitePullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      brokerSuspendMaxTimeMs: 1000,
      consumerTimeoutMsWhenSuspend: 5000,
      ...options,
    });
    clients.push(c);
    return c;
  };

  /** Poll until `n` messages arrived; fails after `timeoutMs`. */
  const pollN = async (c: LitePullConsumer, n: number, timeoutMs = 10_000): Promise<MessageExt[]> => {
    const out: MessageExt[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < n) {
      if (Date.now() > deadline) throw new Error(`polled ${out.length} of ${n} messages in ${timeoutMs} ms`);
      out.push(...(await c.poll(200)));
    }
    return out;
  };

  const sendTo = async (mq: MessageQueue, bodies: string[]): Promise<void> => {
    for (const body of bodies) await producer.send({ topic: mq.topic, body }, { queue: mq });
  };

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({ brokers: 2 });
    producer = await cluster.startProducer();
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) await c.shutdown().catch(() => undefined);
    await cluster?.stop();
  });

  it('assign + poll: every message once, in queue order; seek back re-delivers', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 4);
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => producer.send({ topic, body: `m${i}` })),
    );
    const c = await lite({ pullBatchSize: 16 });
    await c.start();
    const mqs = await c.fetchMessageQueues(topic);
    expect(mqs).toHaveLength(8);
    await c.assign(mqs);
    const got = await pollN(c, 200);
    expect(got.map((m) => m.msgId).sort()).toEqual(sent.map((r) => r.msgId).sort());
    const perQueue = new Map<string, number[]>();
    for (const m of got) {
      const k = `${m.storeHost}/${m.queueId}`;
      perQueue.set(k, [...(perQueue.get(k) ?? []), m.queueOffset]);
    }
    for (const offsets of perQueue.values()) expect(offsets).toEqual(offsets.map((_, i) => i));
    expect(await c.poll(300)).toEqual([]);

    const mq = mqs[5] as MessageQueue;
    const inQueue = sent
      .filter((r) => key(r.messageQueue) === key(mq))
      .sort((a, b) => a.queueOffset - b.queueOffset);
    await c.seek(mq, 1);
    const again = await pollN(c, inQueue.length - 1);
    expect(again.map((m) => m.msgId)).toEqual(inQueue.slice(1).map((r) => r.msgId));
  });

  it('pause stops delivery from that queue until resume', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 1);
    const c = await lite();
    await c.start();
    const [a, b] = (await c.fetchMessageQueues(topic)) as [MessageQueue, MessageQueue];
    await c.assign([a, b]);
    await sendTo(a, ['a0']);
    await sendTo(b, ['b0']);
    expect((await pollN(c, 2)).map((m) => m.body.toString()).sort()).toEqual(['a0', 'b0']);
    c.pause([a]);
    await sendTo(a, ['a1', 'a2']);
    await sendTo(b, ['b1']);
    const whilePaused = await pollN(c, 1);
    await new Promise((r) => setTimeout(r, 1500)); // a's messages would have arrived by now
    whilePaused.push(...(await c.poll(200)));
    expect(whilePaused.map((m) => m.body.toString())).toEqual(['b1']);
    c.resume([a]);
    expect((await pollN(c, 2)).map((m) => m.body.toString())).toEqual(['a1', 'a2']);
  });

  it('commit persists: a new consumer of the group starts from the committed offset', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 1);
    const group = randomGroup();
    const first = await lite({ consumerGroup: group, autoCommit: false, pullBatchSize: 2 });
    await first.start();
    const [mq] = (await first.fetchMessageQueues(topic)) as [MessageQueue];
    await sendTo(mq, ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    await first.assign([mq]);
    expect((await pollN(first, 4)).map((m) => m.body.toString())).toEqual(['c0', 'c1', 'c2', 'c3']);
    await first.commit();
    expect(await first.committed(mq)).toBe(4);
    await first.poll(1000); // polled but never committed: delivered again to the next consumer
    await first.shutdown();

    const second = await lite({ consumerGroup: group, autoCommit: false });
    await second.start();
    expect(await second.committed(mq)).toBe(4);
    await second.assign([mq]);
    expect((await pollN(second, 3)).map((m) => m.body.toString())).toEqual(['c4', 'c5', 'c6']);
  });

  it('subscribe: an admin reset by time moves a running consumer back', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 2);
    const group = randomGroup();
    const c = await lite({ consumerGroup: group });
    await c.subscribe(topic);
    await c.start();
    const sent: { body: string; storeTime: number }[] = [];
    for (let i = 0; i < 20; i++) {
      const body = `m${i}`;
      await producer.send({ topic, body });
      sent.push({ body, storeTime: Date.now() });
      if (i === 9) await new Promise((r) => setTimeout(r, 100));
    }
    const first = await pollN(c, 20);
    expect(first).toHaveLength(20);
    await c.commit();
    // Reset to between m9 (acknowledged) and m10 (sent 100 ms later): m10… come again, m0…m9 do not.
    const at = (sent[9]?.storeTime ?? 0) + 50;
    await cluster.admin.resetOffsetByTime(group, topic, at);
    const again = await pollN(c, 10);
    expect(again.map((m) => m.body.toString()).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 10}`).sort(),
    );
  }, 30_000);

  it('subscribe: two consumers of a group split the queues disjointly and share the messages', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 4);
    const group = randomGroup();
    const options = {
      consumerGroup: group,
      rebalanceIntervalMs: 1000,
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' as const,
    };
    const a = await lite(options);
    await a.subscribe(topic);
    await a.start();
    await waitFor(() => expect(a.assignment()).toHaveLength(8));
    const b = await lite(options);
    await b.subscribe(topic);
    await b.start();
    await waitFor(() => {
      const qa = a.assignment().map(key);
      const qb = b.assignment().map(key);
      expect(qa).toHaveLength(4);
      expect(qb).toHaveLength(4);
      expect(new Set([...qa, ...qb]).size).toBe(8);
    });

    const sent = await Promise.all(
      Array.from({ length: 100 }, (_, i) => producer.send({ topic, body: `s${i}` })),
    );
    const got: { by: string; msg: MessageExt }[] = [];
    await waitFor(
      async () => {
        for (const [name, c] of [
          ['a', a],
          ['b', b],
        ] as const)
          for (const msg of await c.poll(100)) got.push({ by: name, msg });
        expect(got.length).toBeGreaterThanOrEqual(100);
      },
      15_000,
      0,
    );
    expect(got.map((g) => g.msg.msgId).sort()).toEqual(sent.map((r) => r.msgId).sort());
    const aQueues = new Set(a.assignment().map(key));
    for (const g of got) {
      const q = `${sent.find((r) => r.msgId === g.msg.msgId)?.messageQueue.brokerName}/${g.msg.queueId}`;
      expect(aQueues.has(q)).toBe(g.by === 'a');
    }
  });
});
