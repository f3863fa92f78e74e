import { describe, expect, it } from 'vitest';
import {
  dlqTopicOf,
  PullConsumer,
  PushConsumer,
  retryTopicOf,
  silentLogger,
  type PushConsumerOptions,
} from '@rocketts/client';
import type { MessageExt, MessageQueue } from '@rocketts/protocol';
import { drainTopic } from '../helpers/drain';
import { eventually } from '../helpers/push';
import { randomGroup } from '../helpers/tmp';
import { useCliCluster } from '../helpers/cli-cluster';

const QUEUES = 4;
const PER_QUEUE = 80;

interface Success {
  consumer: string;
  queueId: number;
  seq: number;
}

/**
 * Orderly consumption against a real name server and broker (CLI processes): per-queue order holds across
 * handler failures, a rebalance and a consumer restart; a poison message leaves its queue after
 * maxReconsumeTimes retries.
 */
describe('push consumer (orderly)', () => {
  const env = useCliCluster();

  async function orderly(
    group: string,
    t: string,
    handler: (msgs: MessageExt[]) => Promise<'SUSPEND_CURRENT_QUEUE_A_MOMENT' | void>,
    extra: Partial<PushConsumerOptions> = {},
  ): Promise<PushConsumer> {
    const c = new PushConsumer({
      namesrvAddr: env.ns.addr,
      consumerGroup: group,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      persistConsumerOffsetInterval: 200,
      suspendCurrentQueueTimeMillis: 100,
      logger: silentLogger,
      ...extra,
    });
    c.subscribe(t, '*');
    c.registerMessageListener({ consumeOrderly: handler });
    await c.start();
    env.stops.push(() => c.shutdown());
    return c;
  }

  it('keeps per-queue order across handler failures, a rebalance and a consumer restart', async () => {
    const t = await env.topic(QUEUES);
    const group = randomGroup();
    const queues: MessageQueue[] = (await env.producer.fetchPublishMessageQueues(t)).slice(0, QUEUES);
    const sendRange = async (from: number, to: number): Promise<void> => {
      for (let seq = from; seq < to; seq++)
        for (const mq of queues)
          await env.producer.send({ topic: t, body: `${mq.queueId}:${seq}` }, { queue: mq });
    };
    await sendRange(0, PER_QUEUE / 2);

    const successes: Success[] = [];
    const inHandler = new Map<number, number>();
    let maxInHandler = 0;
    const failedOnce = new Set<string>();
    const handlerFor =
      (name: string) =>
      async (msgs: MessageExt[]): Promise<'SUSPEND_CURRENT_QUEUE_A_MOMENT' | void> => {
        const m = msgs[0] as MessageExt;
        const [q, s] = m.body.toString().split(':').map(Number) as [number, number];
        const busy = (inHandler.get(q) ?? 0) + 1;
        inHandler.set(q, busy);
        maxInHandler = Math.max(maxInHandler, busy);
        try {
          await new Promise((r) => setTimeout(r, 8));
          // Every 9th message fails on its first delivery: throw or ask for a suspension.
          if (s % 9 === 4 && !failedOnce.has(`${q}:${s}`)) {
            failedOnce.add(`${q}:${s}`);
            if (s % 2 === 0) throw new Error(`first try of ${q}:${s} fails`);
            return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
          }
          successes.push({ consumer: name, queueId: q, seq: s });
        } finally {
          inHandler.set(q, (inHandler.get(q) ?? 1) - 1);
        }
      };
    const distinct = (): number => new Set(successes.map((x) => `${x.queueId}:${x.seq}`)).size;

    const a = await orderly(group, t, handlerFor('A'));
    await eventually(() => distinct() >= 30, 'A consumed 30');
    const b = await orderly(group, t, handlerFor('B'));
    await eventually(
      () =>
        a.assignment().filter((q) => q.topic === t).length === 2 &&
        b.assignment().filter((q) => q.topic === t).length === 2,
      'two queues each after B joined',
    );
    const producing = sendRange(PER_QUEUE / 2, PER_QUEUE);
    await eventually(() => successes.some((x) => x.consumer === 'B'), 'B consuming');
    await a.shutdown();
    await eventually(
      () => b.assignment().filter((q) => q.topic === t).length === QUEUES,
      'B holds all queues',
    );
    await eventually(() => distinct() >= 120, 'consumed 120');
    const a2 = await orderly(group, t, handlerFor('A2'));
    await producing;
    await eventually(() => distinct() === QUEUES * PER_QUEUE, 'everything consumed', 60_000);
    expect(
      a2.assignment().filter((q) => q.topic === t).length +
        b.assignment().filter((q) => q.topic === t).length,
    ).toBe(QUEUES);

    expect(maxInHandler).toBe(1);
    expect(failedOnce.size).toBeGreaterThan(0);
    for (const mq of queues) {
      const log = successes.filter((x) => x.queueId === mq.queueId);
      const done = new Set<number>();
      for (const x of log) {
        // A message is consumed only after every earlier message of its queue was.
        if (x.seq > 0)
          expect(done.has(x.seq - 1), `queue ${mq.queueId}: ${x.seq} before ${x.seq - 1}`).toBe(true);
        done.add(x.seq);
      }
      expect(done.size).toBe(PER_QUEUE);
      // Within one consumer a queue never jumps ahead (replays after a handover may go back).
      for (const name of ['A', 'B', 'A2']) {
        const seqs = log.filter((x) => x.consumer === name).map((x) => x.seq);
        for (let i = 1; i < seqs.length; i++)
          expect(seqs[i] as number).toBeLessThanOrEqual((seqs[i - 1] as number) + 1);
      }
    }
    expect(new Set(successes.map((x) => x.consumer))).toEqual(new Set(['A', 'B', 'A2']));
  }, 120_000);

  it('moves a poison message out of its queue after maxReconsumeTimes retries and goes on', async () => {
    const t = await env.topic(1);
    const group = randomGroup();
    const seen: { body: string; reconsumeTimes: number; fromRetry: boolean }[] = [];
    await env.producer.send({ topic: t, body: 'm0' });
    const poison = await env.producer.send({ topic: t, body: 'poison' });
    await env.producer.send({ topic: t, body: 'm2' });
    await orderly(
      group,
      t,
      async (msgs) => {
        const m = msgs[0] as MessageExt;
        const fromRetry = m.properties.RETRY_TOPIC !== undefined;
        seen.push({ body: m.body.toString(), reconsumeTimes: m.reconsumeTimes, fromRetry });
        if (m.body.toString() === 'poison' && !fromRetry) throw new Error('poison');
      },
      { maxReconsumeTimes: 2, suspendCurrentQueueTimeMillis: 50 },
    );
    await eventually(() => seen.some((s) => s.body === 'm2'), 'm2 consumed after the poison message');
    const original = seen.filter((s) => !s.fromRetry);
    expect(original).toEqual([
      { body: 'm0', reconsumeTimes: 0, fromRetry: false },
      { body: 'poison', reconsumeTimes: 0, fromRetry: false },
      { body: 'poison', reconsumeTimes: 1, fromRetry: false },
      { body: 'poison', reconsumeTimes: 2, fromRetry: false },
      { body: 'm2', reconsumeTimes: 0, fromRetry: false },
    ]);

    // Sent back with delay level −1, the broker stores the copy in %DLQ%<group>, not %RETRY%<group>.
    const puller = new PullConsumer({
      namesrvAddr: env.ns.addr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await puller.start();
    env.stops.push(() => puller.shutdown());
    const drain = async (topicName: string): Promise<MessageExt[]> =>
      [...(await drainTopic(puller, topicName).catch(() => new Map<number, MessageExt[]>())).values()].flat();
    const inDlq = (await drain(dlqTopicOf(group))).filter((m) => m.msgId === poison.msgId);
    expect(inDlq).toHaveLength(1);
    expect(await drain(retryTopicOf(group))).toEqual([]);
    // Java's orderly dead letter: sent to %RETRY% with the client's own count, ORIGIN_MESSAGE_ID = UNIQ_KEY.
    expect(inDlq[0]?.properties).toMatchObject({ RETRY_TOPIC: t, ORIGIN_MESSAGE_ID: poison.msgId });
    expect(inDlq[0]?.reconsumeTimes).toBe(3);
    expect(seen.filter((s) => s.fromRetry)).toEqual([]);
  }, 60_000);
});
