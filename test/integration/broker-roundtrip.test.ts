import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Producer, PullConsumer, silentLogger, type SendResult } from '@rocketts/client';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { drainQueue, drainTopic } from '../helpers/drain';
import { randomGroup, randomTopic, tmpStoreDir } from '../helpers/tmp';

/**
 * A name server and a broker started through the CLI as real processes; our client on loopback.
 */
describe('broker through the CLI: send, pull, filter, query, restart', () => {
  const dirs = tmpStoreDir();
  let ns: ProcHandle;
  let broker: ProcHandle;
  let namesrvAddr: string;
  const clients: { shutdown(): Promise<void> }[] = [];

  const producer = async (): Promise<Producer> => {
    const p = new Producer({ namesrvAddr, producerGroup: randomGroup(), logger: silentLogger });
    await p.start();
    clients.push(p);
    return p;
  };
  const consumer = async (): Promise<PullConsumer> => {
    const c = new PullConsumer({ namesrvAddr, consumerGroup: randomGroup(), logger: silentLogger });
    await c.start();
    clients.push(c);
    return c;
  };
  const admin = async (): Promise<Admin> => {
    const a = new Admin({ namesrvAddr, logger: silentLogger });
    await a.start();
    clients.push(a);
    return a;
  };

  beforeAll(async () => {
    ns = await startNamesrv(dirs.dir);
    namesrvAddr = ns.addr;
    broker = await startBroker({ namesrv: namesrvAddr, storeDir: `${dirs.dir}/broker` });
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) await c.shutdown().catch(() => undefined);
    await broker?.stop();
    await ns?.stop();
    dirs.cleanup();
  });

  it('returns 10,000 messages byte-identical, in order per queue', async () => {
    const topic = randomTopic();
    const a = await admin();
    await a.createTopic({ topic, clusterName: 'TestCluster', readQueueNums: 4, writeQueueNums: 4 });
    const p = await producer();
    const sent = new Map<string, Buffer>();
    const results: SendResult[] = [];
    const bodies = Array.from({ length: 10_000 }, (_, i) =>
      i % 500 === 0 ? Buffer.alloc(6000, i % 251) : randomBytes(1 + (i % 2048)),
    );
    for (let i = 0; i < bodies.length; i += 250) {
      const batch = await Promise.all(
        bodies.slice(i, i + 250).map((body) => p.send({ topic, body, tags: 'bulk' })),
      );
      batch.forEach((r, j) => sent.set(r.msgId, bodies[i + j] as Buffer));
      results.push(...batch);
    }
    expect(results.every((r) => r.status === 'SEND_OK')).toBe(true);
    const c = await consumer();
    const got = await drainTopic(c, topic);
    let total = 0;
    for (const [queueId, msgs] of got) {
      expect(msgs.map((m) => m.queueOffset)).toEqual(msgs.map((_, i) => i));
      const expectedOrder = results
        .filter((r) => r.messageQueue.queueId === queueId)
        .sort((x, y) => x.queueOffset - y.queueOffset);
      expect(msgs.map((m) => m.msgId)).toEqual(expectedOrder.map((r) => r.msgId));
      for (const m of msgs) expect(m.body.equals(sent.get(m.msgId) as Buffer)).toBe(true);
      total += msgs.length;
    }
    expect(total).toBe(10_000);
  }, 120_000);

  it('filters by tag and by SQL92 on the broker', async () => {
    const topic = randomTopic();
    const p = await producer();
    for (let i = 0; i < 60; i++) {
      await p.send({
        topic,
        body: `m${i}`,
        tags: ['TagA', 'TagB', 'TagC'][i % 3] as string,
        properties: { seq: String(i), region: i % 2 ? 'eu' : 'us' },
      });
    }
    const c = await consumer();
    const byTag = [...(await drainTopic(c, topic, 'TagA || TagC')).values()].flat();
    expect(byTag.map((m) => m.tags).sort()).toEqual([...Array(20).fill('TagA'), ...Array(20).fill('TagC')]);
    const bySql = [
      ...(
        await drainTopic(c, topic, { type: 'SQL92', expression: "seq BETWEEN 10 AND 19 AND region = 'eu'" })
      ).values(),
    ].flat();
    expect(bySql.map((m) => Number(m.properties.seq)).sort((x, y) => x - y)).toEqual([11, 13, 15, 17, 19]);
  });

  it('finds messages by key and by id', async () => {
    const topic = randomTopic();
    const p = await producer();
    const r = await p.send({ topic, body: 'find me', keys: ['order-42', 'customer-7'] });
    await p.send({ topic, body: 'noise', keys: 'order-43' });
    const a = await admin();
    const byKey = await a.queryMessageByKey(topic, 'customer-7', {
      maxNum: 32,
      begin: 0,
      end: Date.now() + 60_000,
    });
    expect(byKey.messages.map((m) => m.body.toString())).toEqual(['find me']);
    expect((await a.viewMessage(r.offsetMsgId)).body.toString()).toBe('find me');
    expect((await a.queryMessageByUniqKey(topic, r.msgId))?.body.toString()).toBe('find me');
  });

  it('answers clients that use the binary ROCKETMQ header as Java clients configured for it do', async () => {
    const topic = randomTopic();
    const p = new Producer({
      namesrvAddr,
      producerGroup: randomGroup(),
      logger: silentLogger,
      serializeType: 'ROCKETMQ',
    });
    await p.start();
    clients.push(p);
    const c = new PullConsumer({
      namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
      serializeType: 'ROCKETMQ',
    });
    await c.start();
    clients.push(c);
    const sent = await p.send({ topic, body: 'binary', tags: 'B', keys: 'bin-1' });
    const batch = await p.sendBatch([
      { topic, body: 'b1' },
      { topic, body: 'b2' },
    ]);
    expect(batch.msgIds).toHaveLength(2);
    const all = [...(await drainTopic(c, topic)).values()].flat().map((m) => m.body.toString());
    expect(all.sort()).toEqual(['b1', 'b2', 'binary']);
    const mq = { topic, brokerName: sent.messageQueue.brokerName, queueId: sent.messageQueue.queueId };
    await c.commitOffset(mq, 1);
    expect(await c.fetchConsumeOffset(mq)).toBe(1);
  });

  it('keeps messages and committed offsets across a clean restart', async () => {
    const topic = randomTopic();
    const p = await producer();
    const sent: SendResult[] = [];
    for (let i = 0; i < 20; i++) sent.push(await p.send({ topic, body: `r${i}` }));
    const c = await consumer();
    const [mq] = await c.fetchSubscribeMessageQueues(topic);
    const q = sent.filter((s) => s.messageQueue.queueId === mq?.queueId);
    await c.commitOffset(mq!, 3);
    const port = broker.port;
    expect(await broker.stop()).toBe(0);
    broker = await startBroker({ namesrv: namesrvAddr, storeDir: `${dirs.dir}/broker`, port });
    expect(await c.fetchConsumeOffset(mq!)).toBe(3);
    const msgs = await drainQueue(c, mq!);
    expect(msgs.map((m) => m.body.toString())).toEqual(
      q.sort((x, y) => x.queueOffset - y.queueOffset).map((s) => `r${sent.indexOf(s)}`),
    );
  }, 60_000);
});
