import { describe, expect, it } from 'vitest';
import {
  PullConsumer,
  PushConsumer,
  retryTopicOf,
  silentLogger,
  type MessageListener,
  type PushConsumerOptions,
} from '@rocketts/client';
import type { MessageExt } from '@rocketts/protocol';
import { drainTopic } from '../helpers/drain';
import { eventually } from '../helpers/push';
import { randomGroup } from '../helpers/tmp';
import { useCliCluster } from '../helpers/cli-cluster';

/** The push consumer against a real name server and broker (CLI processes). */
describe('push consumer (clustering, concurrent)', () => {
  const env = useCliCluster();

  async function consumer(
    subs: [string, Parameters<PushConsumer['subscribe']>[1]][],
    listener: MessageListener,
    extra: Partial<PushConsumerOptions> = {},
  ): Promise<PushConsumer> {
    const c = new PushConsumer({
      namesrvAddr: env.ns.addr,
      consumerGroup: randomGroup(),
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      persistConsumerOffsetInterval: 200,
      logger: silentLogger,
      ...extra,
    });
    for (const [t, e] of subs) c.subscribe(t, e);
    c.registerMessageListener(listener);
    await c.start();
    env.stops.push(() => c.shutdown());
    return c;
  }

  it('consumes several topics with tag and SQL92 filters', async () => {
    const [t1, t2] = [await env.topic(4), await env.topic(4)];
    for (let i = 0; i < 30; i++) {
      await env.producer.send({
        topic: t1,
        body: `t1-${i}`,
        tags: ['TagA', 'TagB', 'TagC'][i % 3] as string,
      });
      await env.producer.send({ topic: t2, body: `t2-${i}`, properties: { n: String(i) } });
    }
    const got: string[] = [];
    await consumer(
      [
        [t1, 'TagA || TagB'],
        [t2, { type: 'SQL92', expression: 'n >= 10 AND n < 15' }],
      ],
      {
        consumeConcurrently: (msgs) => {
          for (const m of msgs) got.push(m.body.toString());
        },
      },
    );
    const expected = [
      ...Array.from({ length: 30 }, (_, i) => i)
        .filter((i) => i % 3 !== 2)
        .map((i) => `t1-${i}`),
      ...[10, 11, 12, 13, 14].map((i) => `t2-${i}`),
    ];
    await eventually(() => got.length >= expected.length, `${expected.length} messages`);
    await new Promise((r) => setTimeout(r, 300));
    expect([...got].sort()).toEqual([...expected].sort());
  });

  it('redelivers a failed message through %RETRY%<group>, under its original topic', async () => {
    // The broker's CONSUMER_SEND_MSG_BACK stores the copy through delay level 1 (1 s by default);
    // consumption-e2e-retry.test.ts follows a message through every level to the DLQ.
    const t = await env.topic(2);
    const deliveries: { topic: string; reconsumeTimes: number; retryTopic?: string; body: string }[] = [];
    const c = await consumer([[t, '*']], {
      consumeConcurrently: (msgs, ctx) => {
        const m = msgs[0] as MessageExt;
        deliveries.push({
          topic: m.topic,
          reconsumeTimes: m.reconsumeTimes,
          retryTopic: m.properties.RETRY_TOPIC,
          body: m.body.toString(),
        });
        if (m.body.toString() === 'fail-once' && m.reconsumeTimes === 0) {
          ctx.delayLevelWhenNextConsume = 1;
          throw new Error('first delivery fails');
        }
      },
    });
    const sent = await env.producer.send({ topic: t, body: 'fail-once', keys: 'k-fail' });
    await env.producer.send({ topic: t, body: 'fine' });
    await eventually(
      () => deliveries.filter((d) => d.body === 'fail-once').length === 2,
      'redelivery',
      30_000,
    );
    const tries = deliveries.filter((d) => d.body === 'fail-once');
    expect(tries[0]).toMatchObject({ topic: t, reconsumeTimes: 0 });
    expect(tries[1]).toMatchObject({ topic: t, reconsumeTimes: 1, retryTopic: t });
    expect(deliveries.filter((d) => d.body === 'fine')).toHaveLength(1);
    expect(c.stats()).toMatchObject({ consumeOK: 2, consumeFailed: 1 });
    // The copy is stored in the group's retry topic, keeping the original's id and origin.
    const puller = new PullConsumer({
      namesrvAddr: env.ns.addr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await puller.start();
    env.stops.push(() => puller.shutdown());
    const [copy] = [...(await drainTopic(puller, retryTopicOf(c.consumerGroup))).values()].flat();
    expect(copy?.properties).toMatchObject({ RETRY_TOPIC: t, KEYS: 'k-fail' });
    // The broker's send-back records the original's offset id (the client's fallback would record its UNIQ_KEY).
    expect(copy?.properties.ORIGIN_MESSAGE_ID).toBe(sent.offsetMsgId);
    expect(copy?.msgId).toBe(sent.msgId);
  }, 60_000);

  it('commits at shutdown after the running handler finishes: the next member of the group gets only new messages', async () => {
    const t = await env.topic(2);
    for (let i = 0; i < 20; i++) await env.producer.send({ topic: t, body: `old-${i}` });
    const group = randomGroup();
    const first: string[] = [];
    let slowDone = false;
    const a = await consumer(
      [[t, '*']],
      {
        consumeConcurrently: async (msgs) => {
          for (const m of msgs) first.push(m.body.toString());
          if (first.length === 20) {
            await new Promise((r) => setTimeout(r, 500));
            slowDone = true;
          }
        },
      },
      { consumerGroup: group },
    );
    await eventually(() => first.length === 20, 'all 20 handed to the handler');
    await a.shutdown();
    expect(slowDone).toBe(true);
    for (let i = 0; i < 5; i++) await env.producer.send({ topic: t, body: `new-${i}` });
    const second: string[] = [];
    await consumer(
      [[t, '*']],
      {
        consumeConcurrently: (msgs) => {
          for (const m of msgs) second.push(m.body.toString());
        },
      },
      { consumerGroup: group },
    );
    await eventually(() => second.length >= 5, 'five new messages');
    await new Promise((r) => setTimeout(r, 300));
    expect([...second].sort()).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
  });

  it('holds no more than pullThresholdForQueue (+ one pull) unconsumed messages per queue', async () => {
    const t = await env.topic(1);
    for (let i = 0; i < 200; i++) await env.producer.send({ topic: t, body: `f${i}` });
    let done = 0;
    const c = await consumer(
      [[t, '*']],
      {
        consumeConcurrently: async () => {
          await new Promise((r) => setTimeout(r, 2));
          done++;
        },
      },
      { pullThresholdForQueue: 10, pullBatchSize: 5, concurrency: 2 },
    );
    let maxCached = 0;
    while (done < 200) {
      for (const [mq, info] of c.runningInfo().mqTable)
        if (mq.topic === t) maxCached = Math.max(maxCached, info.cachedMsgCount);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(maxCached).toBeGreaterThan(0);
    expect(maxCached).toBeLessThanOrEqual(10 + 5);
  }, 30_000);

  it('starts consuming a topic subscribed after start()', async () => {
    const [t1, t2] = [await env.topic(1), await env.topic(1)];
    const got: string[] = [];
    const c = await consumer([[t1, '*']], {
      consumeConcurrently: (msgs) => {
        for (const m of msgs) got.push(m.body.toString());
      },
    });
    c.subscribe(t2, '*');
    await eventually(() => c.assignment().some((mq) => mq.topic === t2), 'queue of the new topic');
    await env.producer.send({ topic: t2, body: 'late' });
    await eventually(() => got.includes('late'), 'message of the new topic');
  });
});
