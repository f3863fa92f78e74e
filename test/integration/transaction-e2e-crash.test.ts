/*
 * Transactional messages end to end across kill -9: our TransactionProducer against CLI processes (name
 * server, broker). The sending producer killed between its local commit and END_TRANSACTION; the broker
 * killed holding pending half messages and not-yet-due delayed and timer messages. `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Admin,
  LocalTransactionState,
  Producer,
  PullConsumer,
  silentLogger,
  TransactionProducer,
  type LocalTransactionStateValue,
} from '@rocketts/client';
import type { MessageExt } from '@rocketts/protocol';
import { drainAll } from '../helpers/drain';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { randomGroup, randomTopic, tmpStoreDir } from '../helpers/tmp';
import { eventually, sleep } from '../helpers/wire';

const CLIENT_DIST = resolve(__dirname, '../../libs/client/dist/index.js');
const TX_CONF = { transactionTimeOut: 500, transactionCheckInterval: 200 };
const QUIET_MS = TX_CONF.transactionTimeOut + 4 * TX_CONF.transactionCheckInterval;

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
});

async function cluster(conf: Record<string, string | number | boolean>): Promise<{
  ns: ProcHandle;
  storeDir: string;
  broker: ProcHandle;
  admin: Admin;
  createTopic(): Promise<string>;
}> {
  const dir = tmpStoreDir();
  stops.push(async () => dir.cleanup());
  const ns = await startNamesrv(dir.dir);
  stops.push(() => ns.stop());
  const storeDir = join(dir.dir, 'broker');
  const broker = await startBroker({ namesrv: ns.addr, storeDir, conf });
  const admin = new Admin({ namesrvAddr: ns.addr, logger: silentLogger });
  await admin.start();
  stops.push(() => admin.shutdown());
  return {
    ns,
    storeDir,
    broker,
    admin,
    async createTopic() {
      const topic = randomTopic();
      await admin.createTopic({ topic, clusterName: 'TestCluster', readQueueNums: 1, writeQueueNums: 1 });
      await eventually(async () => {
        expect((await admin.topicRoute(topic)).queueDatas).toHaveLength(1);
      });
      return topic;
    },
  };
}

async function pullConsumer(namesrvAddr: string): Promise<PullConsumer> {
  const c = new PullConsumer({ namesrvAddr, consumerGroup: randomGroup(), logger: silentLogger });
  await c.start();
  stops.push(() => c.shutdown());
  return c;
}

/**
 * A TransactionProducer of `group` in a child process (the built client) whose local transaction writes
 * the transaction id to `recordFile` ("committed locally"), prints `COMMITTED <id>` and never returns, so
 * END_TRANSACTION is never sent.
 */
function spawnChildTxProducer(o: { namesrvAddr: string; group: string; topic: string; recordFile: string }): {
  committed: Promise<string>;
  kill(): Promise<void>;
} {
  if (!existsSync(CLIENT_DIST)) throw new Error('libs/client/dist is missing: run `npm run build` first');
  const code = `
const { writeFileSync } = require('node:fs');
const { TransactionProducer, createLogger } = require(${JSON.stringify(CLIENT_DIST)});
const o = JSON.parse(process.env.TX_CHILD);
const p = new TransactionProducer({
  namesrvAddr: o.namesrvAddr,
  producerGroup: o.group,
  defaultCheckListener: () => 'UNKNOWN',
  logger: createLogger('child-tx', { level: 'warn' }),
});
p.start().then(() =>
  p.sendInTransaction({ topic: o.topic, keys: 'order-9', body: 'paid' }, (_msg, sendResult) => {
    writeFileSync(o.recordFile, sendResult.msgId);
    process.stdout.write('COMMITTED ' + sendResult.msgId + '\\n');
    return new Promise(() => {}); // crash before END_TRANSACTION
  }),
);
`;
  const proc = spawn(process.execPath, ['-e', code], {
    env: { ...process.env, TX_CHILD: JSON.stringify(o) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => proc.once('exit', r));
  const kill = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGKILL');
    await exited;
  };
  stops.push(kill);
  const committed = new Promise<string>((res, reject) => {
    proc.once('exit', (c) => reject(new Error(`child producer exited with ${c}`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const [kind, rest = ''] = line.split(' ', 2);
      if (kind === 'COMMITTED') res(rest);
    });
  });
  return { committed, kill };
}

describe('transactions across kill -9 (CLI processes)', () => {
  it('a producer killed after its local commit, before END_TRANSACTION: another instance of the group answers the check-back, delivered once', async () => {
    const c = await cluster(TX_CONF);
    stops.push(() => c.broker.stop());
    const topic = await c.createTopic();
    const group = randomGroup();
    const recordFile = join(c.storeDir, 'local-commits.txt');
    const child = spawnChildTxProducer({ namesrvAddr: c.ns.addr, group, topic, recordFile });
    const txId = await child.committed;
    await child.kill();

    const checked: string[] = [];
    const survivor = new TransactionProducer({
      namesrvAddr: c.ns.addr,
      producerGroup: group,
      logger: silentLogger,
      checkListeners: [
        {
          topic,
          check: (_m, info) => {
            checked.push(info.transactionId);
            const local = existsSync(recordFile) ? readFileSync(recordFile, 'utf8') : '';
            return local === info.transactionId ? 'COMMIT' : 'ROLLBACK';
          },
        },
      ],
    });
    await survivor.start();
    stops.push(() => survivor.shutdown());
    // The broker checks back through producers it knows by heartbeat: this instance registers with the
    // brokers of the topics it sends to (here a transaction of its own, rolled back).
    await survivor.sendInTransaction({ topic, body: 'own' }, () => 'ROLLBACK');

    const puller = await pullConsumer(c.ns.addr);
    await eventually(async () => {
      expect((await drainAll(puller, topic)).map((m) => m.properties.UNIQ_KEY)).toEqual([txId]);
    }, 15_000);
    expect(checked).toContain(txId);
    await sleep(QUIET_MS);
    const got = await drainAll(puller, topic);
    expect(got.map((m) => m.body.toString())).toEqual(['paid']);
    expect(got[0]?.keys).toEqual(['order-9']);
  }, 60_000);

  it('a broker killed with pending half, delayed and timer messages: after the restart each is delivered once, the pending one after its check, none early', async () => {
    const DELAY_MS = 4_000;
    const conf = { ...TX_CONF, transactionCheckMax: 100, messageDelayLevel: `${DELAY_MS / 1000}s` };
    const c = await cluster(conf);
    let broker = c.broker;
    stops.push(() => broker.stop());
    const topic = await c.createTopic();
    const group = randomGroup();
    let decision: LocalTransactionStateValue = LocalTransactionState.UNKNOWN;
    const checks: { id: string; afterRestart: boolean }[] = [];
    let restarted = false;
    const tx = new TransactionProducer({
      namesrvAddr: c.ns.addr,
      producerGroup: group,
      logger: silentLogger,
      heartbeatBrokerIntervalMs: 300,
      defaultCheckListener: (_m, info) => {
        checks.push({ id: info.transactionId, afterRestart: restarted });
        return decision;
      },
    });
    await tx.start();
    stops.push(() => tx.shutdown());
    const plain = new Producer({
      namesrvAddr: c.ns.addr,
      producerGroup: randomGroup(),
      logger: silentLogger,
    });
    await plain.start();
    stops.push(() => plain.shutdown());
    const puller = await pullConsumer(c.ns.addr);

    const committed = await tx.sendInTransaction({ topic, body: 'committed' }, () => 'COMMIT');
    const rolledBack = await tx.sendInTransaction({ topic, body: 'rolled-back' }, () => 'ROLLBACK');
    const pending = await tx.sendInTransaction({ topic, body: 'pending' }, () => 'UNKNOWN');
    const dueAt = Date.now() + DELAY_MS;
    await plain.send({ topic, body: 'delayed', delayTimeLevel: 1 });
    await plain.send({ topic, body: 'timed', properties: { TIMER_DELAY_MS: String(DELAY_MS) } });
    await eventually(async () => {
      expect((await drainAll(puller, topic)).map((m) => m.body.toString())).toEqual(['committed']);
    });
    // The pending one is checked (and answered UNKNOWN) before the crash.
    await eventually(async () => expect(checks.some((x) => x.id === pending.transactionId)).toBe(true));
    await broker.kill();
    expect(Date.now()).toBeLessThan(dueAt);

    decision = LocalTransactionState.COMMIT;
    restarted = true;
    broker = await startBroker({ namesrv: c.ns.addr, storeDir: c.storeDir, conf, port: broker.port });
    const firstSeen = new Map<string, number>();
    await eventually(async () => {
      for (const m of await drainAll(puller, topic).catch(() => [] as MessageExt[]))
        if (!firstSeen.has(m.body.toString())) firstSeen.set(m.body.toString(), Date.now());
      expect([...firstSeen.keys()].sort()).toEqual(['committed', 'delayed', 'pending', 'timed']);
    }, 20_000);
    expect(firstSeen.get('delayed')).toBeGreaterThanOrEqual(dueAt);
    expect(firstSeen.get('timed')).toBeGreaterThanOrEqual(dueAt);
    expect(checks.some((x) => x.id === pending.transactionId && x.afterRestart)).toBe(true);
    const checkedIds = new Set(checks.map((x) => x.id));
    expect(checkedIds.has(committed.transactionId)).toBe(false);
    expect(checkedIds.has(rolledBack.transactionId)).toBe(false);
    await sleep(QUIET_MS);
    const got = await drainAll(puller, topic);
    expect(got.map((m) => m.body.toString()).sort()).toEqual(['committed', 'delayed', 'pending', 'timed']);
    expect(got.find((m) => m.body.toString() === 'pending')?.properties.UNIQ_KEY).toBe(pending.transactionId);
  }, 60_000);
});
