import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeOffsetMsgId } from '@rocketts/protocol';
import { Admin, Producer, PullConsumer, silentLogger, type SendResult } from '@rocketts/client';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { drainTopic } from '../helpers/drain';
import { randomGroup, randomTopic, tmpStoreDir } from '../helpers/tmp';

const IN_FLIGHT = 256;

/**
 * The durability contract under a process crash: every send the broker acknowledged is there
 * after `kill -9` and a restart, at the queue offset it was acknowledged with, in order.
 */
describe.each(['SYNC_FLUSH', 'ASYNC_FLUSH'] as const)(
  'kill -9 of the broker while producers run (%s)',
  (flushDiskType) => {
    const stops: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
    });

    it('keeps every acknowledged message, in order per queue', async () => {
      const dirs = tmpStoreDir();
      stops.push(async () => dirs.cleanup());
      const ns = await startNamesrv(dirs.dir);
      stops.push(() => ns.stop());
      const storeDir = `${dirs.dir}/broker`;
      let broker: ProcHandle = await startBroker({ namesrv: ns.addr, storeDir, flushDiskType });
      stops.push(() => broker.stop());
      const topic = randomTopic();
      const admin = new Admin({ namesrvAddr: ns.addr, logger: silentLogger });
      await admin.start();
      stops.push(() => admin.shutdown());
      await admin.createTopic({ topic, clusterName: 'TestCluster', readQueueNums: 4, writeQueueNums: 4 });

      const producer = new Producer({
        namesrvAddr: ns.addr,
        producerGroup: randomGroup(),
        logger: silentLogger,
        retryTimesWhenSendFailed: 0,
      });
      await producer.start();
      stops.push(() => producer.shutdown());
      const acked: { result: SendResult; body: string }[] = [];
      let failures = 0;
      let seq = 0;
      let running = true;
      const worker = async (): Promise<void> => {
        while (running) {
          const body = `msg-${seq++}-${'x'.repeat(seq % 700)}`;
          try {
            acked.push({ result: await producer.send({ topic, body }, { timeoutMs: 2000 }), body });
          } catch {
            failures++;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };
      const workers = Array.from({ length: IN_FLIGHT }, worker);
      while (acked.length < 3000) await new Promise((r) => setTimeout(r, 10));
      await broker.kill();
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await Promise.all(workers);
      expect(failures).toBeGreaterThan(0);

      broker = await startBroker({ namesrv: ns.addr, storeDir, flushDiskType, port: broker.port });
      const consumer = new PullConsumer({
        namesrvAddr: ns.addr,
        consumerGroup: randomGroup(),
        logger: silentLogger,
      });
      await consumer.start();
      stops.push(() => consumer.shutdown());
      const stored = await drainTopic(consumer, topic);
      for (const msgs of stored.values())
        expect(msgs.map((m) => m.queueOffset)).toEqual(msgs.map((_, i) => i));
      const missing = acked.filter(({ result, body }) => {
        const m = stored.get(result.messageQueue.queueId)?.[result.queueOffset];
        return !m || m.msgId !== result.msgId || m.body.toString() !== body;
      });
      expect(missing).toEqual([]);
      expect(broker.output()).toMatch(/"abnormal":true/);
    }, 90_000);
  },
);

describe('torn commit-log tail, through the CLI', () => {
  it('drops only what follows the damage and serves the rest', async () => {
    const dirs = tmpStoreDir();
    const ns = await startNamesrv(dirs.dir);
    const storeDir = `${dirs.dir}/broker`;
    let broker = await startBroker({ namesrv: ns.addr, storeDir });
    const clients: { shutdown(): Promise<void> }[] = [];
    try {
      const topic = randomTopic();
      const producer = new Producer({
        namesrvAddr: ns.addr,
        producerGroup: randomGroup(),
        logger: silentLogger,
      });
      await producer.start();
      clients.push(producer);
      const sent: SendResult[] = [];
      for (let i = 0; i < 400; i++) sent.push(await producer.send({ topic, body: `t${i}`.padEnd(300, '.') }));
      expect(await broker.stop()).toBe(0);
      // Corrupt one byte in the middle of the 300th record's body.
      const victim = sent[299] as SendResult;
      const { offset } = decodeOffsetMsgId(victim.offsetMsgId);
      const seg = join(storeDir, 'commitlog', '00000000000000000000');
      const fd = openSync(seg, 'r+');
      writeSync(fd, Buffer.from('!'), 0, 1, offset + 150);
      closeSync(fd);
      broker = await startBroker({ namesrv: ns.addr, storeDir, port: broker.port });
      const consumer = new PullConsumer({
        namesrvAddr: ns.addr,
        consumerGroup: randomGroup(),
        logger: silentLogger,
      });
      await consumer.start();
      clients.push(consumer);
      const stored = [...(await drainTopic(consumer, topic)).values()].flat();
      const survivors = sent.filter((s) => decodeOffsetMsgId(s.offsetMsgId).offset < offset);
      expect(stored.map((m) => m.msgId).sort()).toEqual(survivors.map((s) => s.msgId).sort());
      expect(broker.output()).toMatch(/commit log damaged, truncating/);
      const again = await producer.send({ topic, body: 'after repair' });
      expect(decodeOffsetMsgId(again.offsetMsgId).offset).toBe(offset);
    } finally {
      for (const c of clients) await c.shutdown();
      await broker.stop();
      await ns.stop();
      dirs.cleanup();
    }
  }, 60_000);
});
