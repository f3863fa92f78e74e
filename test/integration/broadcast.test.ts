import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localOffsetsPath, PushConsumer, silentLogger } from '@rocketts/client';
import { eventually } from '../helpers/push';
import { randomGroup, randomTopic } from '../helpers/tmp';
import { useCliCluster } from '../helpers/cli-cluster';

/**
 * Broadcasting against a real name server and broker (CLI processes): every member receives every message,
 * and offsets kept in the local file survive a restart.
 */
describe('push consumer (broadcasting)', () => {
  const env = useCliCluster();
  const offsetsDir = `${env.dir}/offsets`;

  async function member(
    name: string,
    group: string,
    topic: string,
    got: string[],
    failBody?: string,
  ): Promise<PushConsumer> {
    const c = new PushConsumer({
      namesrvAddr: env.ns.addr,
      consumerGroup: group,
      messageModel: 'BROADCASTING',
      // FIRST: a member that lost its offsets would read everything again, which the test would see.
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      instanceName: name,
      offsetStoreDir: offsetsDir,
      persistConsumerOffsetInterval: 200,
      logger: silentLogger,
    });
    c.subscribe(topic, '*');
    c.registerMessageListener({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) {
          got.push(m.body.toString());
          if (m.body.toString() === failBody) throw new Error('broadcast failure is not retried');
        }
      },
    });
    await c.start();
    env.stops.push(() => c.shutdown());
    return c;
  }

  async function send(topic: string, from: number, count: number): Promise<string[]> {
    const bodies: string[] = [];
    for (let i = from; i < from + count; i++) {
      await env.producer.send({ topic, body: `b${i}` });
      bodies.push(`b${i}`);
    }
    return bodies;
  }

  it('delivers every message to each of 3 members; offsets survive a restart without redelivery', async () => {
    const topic = randomTopic();
    await env.admin.createTopic({ topic, clusterName: 'TestCluster', readQueueNums: 4, writeQueueNums: 4 });
    const group = randomGroup();
    const got: Record<string, string[]> = { b1: [], b2: [], b3: [] };
    const members = await Promise.all(
      ['b1', 'b2', 'b3'].map((n) => member(n, group, topic, got[n] as string[])),
    );
    await eventually(
      () => members.every((m) => m.assignment().filter((q) => q.topic === topic).length === 4),
      'every member holds all 4 queues',
    );
    // No %RETRY% subscription in broadcasting.
    expect(members[0]?.assignment().every((q) => q.topic === topic)).toBe(true);
    const first = await send(topic, 0, 100);
    await eventually(() => Object.values(got).every((g) => g.length >= 100), 'each member got 100');
    for (const g of Object.values(got)) expect([...g].sort()).toEqual([...first].sort());

    const b1 = members[0] as PushConsumer;
    const file = localOffsetsPath(offsetsDir, b1.clientId, group);
    await b1.shutdown();
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(`"topic":"${topic}"`);

    const second = await send(topic, 100, 50);
    const again: string[] = [];
    const restarted = await member('b1', group, topic, again);
    expect(restarted.clientId).toBe(b1.clientId);
    await eventually(() => again.length >= 50, 'restarted member got the 50 new messages');
    await new Promise((r) => setTimeout(r, 500));
    expect([...again].sort()).toEqual([...second].sort());
    await eventually(
      () => (got.b2 as string[]).length === 150 && (got.b3 as string[]).length === 150,
      'others got 150',
    );
  }, 60_000);

  it('orderly broadcasting: each member gets every queue in order, without queue locks', async () => {
    const topic = randomTopic();
    await env.admin.createTopic({ topic, clusterName: 'TestCluster', readQueueNums: 2, writeQueueNums: 2 });
    const group = randomGroup();
    const queues = (await env.producer.fetchPublishMessageQueues(topic)).slice(0, 2);
    for (let seq = 0; seq < 30; seq++)
      for (const mq of queues)
        await env.producer.send({ topic, body: `${mq.queueId}:${seq}` }, { queue: mq });
    const logs: Record<string, string[]> = { o1: [], o2: [] };
    for (const name of ['o1', 'o2']) {
      const c = new PushConsumer({
        namesrvAddr: env.ns.addr,
        consumerGroup: group,
        messageModel: 'BROADCASTING',
        consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
        instanceName: name,
        offsetStoreDir: offsetsDir,
        logger: silentLogger,
      });
      c.subscribe(topic, '*');
      c.registerMessageListener({
        consumeOrderly: (msgs) => {
          for (const m of msgs) (logs[name] as string[]).push(m.body.toString());
        },
      });
      await c.start();
      env.stops.push(() => c.shutdown());
    }
    await eventually(() => Object.values(logs).every((l) => l.length >= 60), 'each member got 60');
    for (const log of Object.values(logs)) {
      for (const mq of queues) {
        const seqs = log.filter((b) => b.startsWith(`${mq.queueId}:`)).map((b) => Number(b.split(':')[1]));
        expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i));
      }
    }
  }, 30_000);

  it('does not retry a failed message (no %RETRY% in broadcasting)', async () => {
    const topic = randomTopic();
    await env.admin.createTopic({ topic, clusterName: 'TestCluster', readQueueNums: 1, writeQueueNums: 1 });
    const got: string[] = [];
    const c = await member('solo', randomGroup(), topic, got, 'b1');
    await send(topic, 0, 3);
    await eventually(() => got.length >= 3, 'three delivered');
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toEqual(['b0', 'b1', 'b2']);
    expect(c.stats()).toMatchObject({ consumeOK: 2, consumeFailed: 1 });
  }, 30_000);
});
