import { describe, expect, it } from 'vitest';
import { Producer, PushConsumer, silentLogger, type PushConsumerOptions } from '@rocketts/client';
import type { MessageQueue } from '@rocketts/protocol';
import {
  eventually,
  expectBalanced,
  memberOf,
  spawnChildConsumer,
  type ChildConsumer,
} from '../helpers/push';
import { randomGroup, randomTopic } from '../helpers/tmp';
import { useCliCluster } from '../helpers/cli-cluster';

const QUEUES = 8;

/**
 * Clustering rebalance against a real name server and broker (CLI processes): members join and leave while
 * a producer sends; after every change the members' queues are disjoint and cover the topic, and every
 * message sent is consumed at least once — also when a member dies with SIGKILL.
 */
describe('push consumer rebalance (clustering)', () => {
  const env = useCliCluster();

  async function topicWithQueues(): Promise<{ topic: string; all: MessageQueue[] }> {
    const topic = randomTopic();
    await env.admin.createTopic({
      topic,
      clusterName: 'TestCluster',
      readQueueNums: QUEUES,
      writeQueueNums: QUEUES,
    });
    await eventually(async () => {
      try {
        return (await env.admin.topicRoute(topic)).queueDatas.length > 0;
      } catch {
        return false;
      }
    }, 'topic route');
    const all = Array.from({ length: QUEUES }, (_, queueId) => ({ topic, brokerName: 'broker-a', queueId }));
    return { topic, all };
  }

  /** A producer sending numbered messages until stopped; `sent` holds the msgIds acknowledged. */
  function sender(topic: string): { sent: string[]; stop(): Promise<void> } {
    const sent: string[] = [];
    let running = true;
    const producer = new Producer({
      namesrvAddr: env.ns.addr,
      producerGroup: randomGroup(),
      logger: silentLogger,
    });
    const loop = (async () => {
      await producer.start();
      for (let i = 0; running; i++) {
        const r = await producer.send({ topic, body: `m${i}` }).catch(() => undefined);
        if (r) sent.push(r.msgId);
        await new Promise((res) => setTimeout(res, 3));
      }
    })();
    return {
      sent,
      stop: async () => {
        running = false;
        await loop;
        await producer.shutdown();
      },
    };
  }

  async function consumer(
    group: string,
    topic: string,
    received: Set<string>,
    extra: Partial<PushConsumerOptions> = {},
  ): Promise<PushConsumer> {
    const c = new PushConsumer({
      namesrvAddr: env.ns.addr,
      consumerGroup: group,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      persistConsumerOffsetInterval: 200,
      logger: silentLogger,
      ...extra,
    });
    c.subscribe(topic, '*');
    c.registerMessageListener({
      consumeConcurrently: async (msgs) => {
        for (const m of msgs) received.add(m.msgId);
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    await c.start();
    env.stops.push(() => c.shutdown());
    return c;
  }

  it('keeps assignments disjoint and complete as 3 members join and leave, and consumes every message', async () => {
    const { topic, all } = await topicWithQueues();
    const group = randomGroup();
    const received = new Set<string>();
    const send = sender(topic);
    env.stops.push(() => send.stop());
    // Between changes the stream goes on: each step waits for another 100 messages to be sent and consumed.
    const flowing = async (): Promise<void> => {
      const target = send.sent.length + 100;
      await eventually(() => send.sent.length >= target, '100 more messages sent');
      await eventually(() => send.sent.slice(0, target).every((id) => received.has(id)), 'them consumed');
    };
    const a = await consumer(group, topic, received);
    const A = memberOf('A', a, topic);
    await expectBalanced([A], all);
    await flowing();
    const b = await consumer(group, topic, received);
    const B = memberOf('B', b, topic);
    await expectBalanced([A, B], all);
    expect(B.queues().length).toBe(QUEUES / 2);
    await flowing();
    const c = await consumer(group, topic, received);
    const C = memberOf('C', c, topic);
    await expectBalanced([A, B, C], all);
    expect([A, B, C].map((m) => m.queues().length).sort()).toEqual([2, 3, 3]);
    await flowing();
    await b.shutdown();
    await expectBalanced([A, C], all);
    await flowing();
    await a.shutdown();
    await expectBalanced([C], all);
    await flowing();
    await send.stop();
    expect(send.sent.length).toBeGreaterThanOrEqual(500);
    await eventually(() => send.sent.every((id) => received.has(id)), 'every sent message consumed', 30_000);
  }, 120_000);

  it('moves the queues of a member killed with SIGKILL to the others without skipping a message', async () => {
    const { topic, all } = await topicWithQueues();
    const group = randomGroup();
    const received = new Set<string>();
    const send = sender(topic);
    env.stops.push(() => send.stop());
    const a = await consumer(group, topic, received);
    const b = await consumer(group, topic, received);
    // A slow child (100 ms per message, one at a time) has many pulled, unconsumed messages when it dies:
    // an offset committed past them would lose them.
    const child: ChildConsumer = spawnChildConsumer({
      namesrvAddr: env.ns.addr,
      group,
      topic,
      handlerMs: 100,
      concurrency: 1,
    });
    env.stops.push(() => child.kill());
    await child.ready;
    const A = memberOf('A', a, topic);
    const B = memberOf('B', b, topic);
    const C = {
      name: 'child',
      queues: () => child.assignment.map((queueId) => ({ topic, brokerName: 'broker-a', queueId })),
    };
    await expectBalanced([A, B, C], all);
    // Let the child consume (and commit) part of the stream, then kill it mid-stream.
    await eventually(() => child.received.length >= 15, 'child consumed 15 messages');
    await child.kill();
    const diedWith = child.received.length;
    await expectBalanced([A, B], all);
    await new Promise((r) => setTimeout(r, 500));
    await send.stop();
    for (const id of child.received) received.add(id);
    await eventually(
      () => send.sent.every((id) => received.has(id)),
      `every sent message consumed (missing ${send.sent.filter((id) => !received.has(id)).length})`,
      30_000,
    );
    expect(diedWith).toBeGreaterThanOrEqual(15);
  }, 120_000);
});
