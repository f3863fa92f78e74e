/*
 * Transactional messages on the broker (§10): half messages, END_TRANSACTION, the check-back service
 * and restart survival, driven with raw remoting requests. Producers are raw clients registered by
 * HEART_BEAT that record the CHECK_TRANSACTION_STATE requests they get.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@rocketts/client';
import {
  createRequest,
  decodeOffsetMsgId,
  RequestCode,
  type MessageExt,
  type RemotingCommand,
} from '@rocketts/protocol';
import { BrokerController, resolveBrokerConfig } from '../../broker/src';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { randomGroup, randomName, randomTopic, tmpStoreDir } from '../helpers/tmp';
import { commitLogOffsetOf, eventually, ok, sleep, TxProducerWire, Wire } from '../helpers/wire';

const COMMIT = 8;
const ROLLBACK = 12;
const HALF_TOPIC = 'RMQ_SYS_TRANS_HALF_TOPIC';
/** Small timings so checks happen in a test's time: timeout 500 ms, a round every 200 ms, 3 checks. */
const TX_CONF = { transactionTimeOut: 500, transactionCheckInterval: 200, transactionCheckMax: 3 };

interface Half {
  resp: RemotingCommand;
  uniq: string;
  commitLogOffset: number;
  queueOffset: number;
}

async function sendHalf(
  wire: Wire,
  topic: string,
  group: string,
  body: string,
  props: Record<string, string> = {},
): Promise<Half> {
  const uniq = randomName('TX');
  const resp = ok(await wire.sendHalf(topic, body, group, { UNIQ_KEY: uniq, TAGS: 'TagT', ...props }));
  return {
    resp,
    uniq,
    commitLogOffset: commitLogOffsetOf(resp),
    queueOffset: Number(resp.extFields?.queueOffset),
  };
}

function end(wire: Wire, group: string, h: Half, commitOrRollback: number): Promise<RemotingCommand> {
  return wire.endTransaction({
    producerGroup: group,
    tranStateTableOffset: h.queueOffset,
    commitLogOffset: h.commitLogOffset,
    commitOrRollback,
    msgId: h.uniq,
  });
}

const withUniq = (msgs: MessageExt[], uniq: string): MessageExt[] =>
  msgs.filter((m) => m.properties.UNIQ_KEY === uniq);

describe('transactional messages on an in-process broker', () => {
  const dir = tmpStoreDir();
  let broker: BrokerController;
  let wire: Wire;
  let metricsPort: number;
  const producers: Wire[] = [];

  beforeAll(async () => {
    broker = new BrokerController(
      resolveBrokerConfig({
        listenPort: 0,
        bindAddress: '127.0.0.1',
        brokerIP1: '127.0.0.1',
        brokerName: 'tx-b',
        storePathRootDir: dir.dir,
        messageDelayLevel: '1s',
        metricsPort: 0,
        ...TX_CONF,
        transactionEndedGraceTime: 600,
      }),
      silentLogger,
    );
    const info = await broker.start();
    wire = new Wire(info.addr);
    metricsPort = info.metricsPort as number;
  });

  afterEach(() => {
    for (const p of producers.splice(0)) p.client.shutdown();
  });

  afterAll(async () => {
    wire.client.shutdown();
    await broker.shutdown();
    dir.cleanup();
  });

  const producer = async (group: string, clientId = randomName('cid')): Promise<TxProducerWire> => {
    const p = new TxProducerWire(broker.brokerAddr, group, clientId);
    producers.push(p);
    await p.heartbeat();
    return p;
  };

  it('stores a half message in RMQ_SYS_TRANS_HALF_TOPIC, invisible to the real topic', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const h = await sendHalf(wire, topic, group, 'half');
    expect(h.resp.extFields?.queueId).toBe('0');
    expect(await wire.pull(topic)).toEqual([]);
    const [stored] = withUniq(await wire.pull(HALF_TOPIC), h.uniq);
    expect(stored?.queueOffset).toBe(h.queueOffset);
    expect(stored?.offsetMsgId).toBe(h.resp.extFields?.msgId);
    expect(stored?.sysFlag && stored.sysFlag & 0xc).toBe(0);
    expect(stored?.properties).toMatchObject({
      REAL_TOPIC: topic,
      REAL_QID: '0',
      TRAN_MSG: 'true',
      PGROUP: group,
      __transactionId__: h.uniq,
    });
  });

  it('COMMIT delivers the message once, with its real address and COMMIT flag; repeated ends store nothing', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const h = await sendHalf(wire, topic, group, 'commit-me');
    ok(await end(wire, group, h, COMMIT));
    const again = ok(await end(wire, group, h, COMMIT));
    expect(again.remark).toContain('already ended');
    ok(await end(wire, group, h, ROLLBACK));
    const got = await wire.pull(topic);
    expect(got).toHaveLength(1);
    const m = got[0] as MessageExt;
    expect(m.body.toString()).toBe('commit-me');
    expect(m.sysFlag & 0xc).toBe(COMMIT);
    expect(m.preparedTransactionOffset).toBe(h.commitLogOffset);
    expect(m.properties).toMatchObject({
      PGROUP: group,
      UNIQ_KEY: h.uniq,
      TAGS: 'TagT',
      __transactionId__: h.uniq,
    });
    expect(m.properties.TRAN_MSG).toBeUndefined();
    expect(m.properties.REAL_TOPIC).toBeUndefined();
    expect(m.properties.REAL_QID).toBeUndefined();
    // The op record marks it done for the check service.
    const ops = await wire.pull('RMQ_SYS_TRANS_OP_HALF_TOPIC');
    expect(ops.filter((o) => o.body.toString() === `${h.queueOffset},`)).toHaveLength(1);
  });

  it('remembers an ended transaction for transactionEndedGraceTime after the walk passed it, then forgets it', async () => {
    const bridge = broker.ctx.transactions.bridge;
    const topic = randomTopic();
    const group = randomGroup();
    const h = await sendHalf(wire, topic, group, 'remembered');
    ok(await end(wire, group, h, COMMIT));
    const remembered = bridge.endedCount;
    expect(remembered).toBeGreaterThan(0);
    expect(bridge.isEnded(h.uniq)).toBe(true);
    // The walk passes the ended half at its next round; 600 ms later the key is dropped.
    await eventually(async () => expect(bridge.isEnded(h.uniq)).toBe(false), 10_000);
    expect(bridge.endedCount).toBeLessThan(remembered);
    expect(await wire.pull(topic)).toHaveLength(1);
  });

  it('ROLLBACK stores nothing for consumers, and the half message is never checked', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const p = await producer(group);
    const h = await sendHalf(wire, topic, group, 'roll-me-back');
    ok(await end(wire, group, h, ROLLBACK));
    await sleep(TX_CONF.transactionTimeOut + 3 * TX_CONF.transactionCheckInterval);
    expect(await wire.pull(topic)).toEqual([]);
    expect(p.checks).toEqual([]);
  });

  it('refuses END_TRANSACTION for a wrong group, offsets or an unknown half message', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const h = await sendHalf(wire, topic, group, 'x');
    const refuse = async (r: Promise<RemotingCommand>, remark: string): Promise<void> => {
      const resp = await r;
      expect(resp.code).toBe(1);
      expect(resp.remark).toContain(remark);
    };
    await refuse(end(wire, 'other-group', h, COMMIT), 'producer group wrong');
    await refuse(end(wire, group, { ...h, queueOffset: h.queueOffset + 1000 }, COMMIT), 'state table offset');
    // A stored message that is not a half message is no more committable than no message.
    const plain = commitLogOffsetOf(ok(await wire.send(topic, 'plain')));
    await refuse(end(wire, group, { ...h, commitLogOffset: plain }, COMMIT), 'Find prepared');
    await refuse(end(wire, group, { ...h, commitLogOffset: 1e12 }, COMMIT), 'Find prepared');
    ok(await end(wire, group, h, ROLLBACK));
    expect((await wire.pull(topic)).map((m) => m.body.toString())).toEqual(['plain']);
  });

  it('honours the DELAY of a committed message', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const h = await sendHalf(wire, topic, group, 'later', { DELAY: '1' });
    ok(await end(wire, group, h, COMMIT));
    expect(await wire.pull(topic)).toEqual([]);
    expect(withUniq(await wire.pull('SCHEDULE_TOPIC_XXXX', 0), h.uniq)).toHaveLength(1);
    const got = await eventually(async () => {
      const m = await wire.pull(topic);
      expect(m).toHaveLength(1);
      return m;
    });
    expect(got[0]?.properties.UNIQ_KEY).toBe(h.uniq);
  });

  it('checks back a half message without END at producers of its group, round-robin; a committed answer delivers once', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const p1 = await producer(group);
    const p2 = await producer(group);
    const sent = Date.now();
    const a = await sendHalf(wire, topic, group, 'a');
    const b = await sendHalf(wire, topic, group, 'b');
    await eventually(async () => {
      expect(p1.checks.length).toBeGreaterThan(0);
      expect(p2.checks.length).toBeGreaterThan(0);
    });
    const first = [...p1.checks, ...p2.checks].sort((x, y) => x.at - y.at)[0];
    expect((first?.at ?? 0) - sent).toBeGreaterThanOrEqual(TX_CONF.transactionTimeOut);
    const check = p1.checks[0];
    if (!check) throw new Error('no check');
    // Header and body as §10.3: the copy's offsets, the message under its real topic and queue.
    expect(check.header.topic).toBe(HALF_TOPIC);
    expect(check.header.bname).toBe('tx-b');
    expect(check.msg.topic).toBe(topic);
    expect(check.msg.queueId).toBe(0);
    expect(check.msg.queueOffset).toBe(check.header.tranStateTableOffset);
    expect(check.msg.commitLogOffset).toBe(check.header.commitLogOffset);
    expect(decodeOffsetMsgId(check.header.offsetMsgId as string).offset).toBe(check.header.commitLogOffset);
    expect([a.uniq, b.uniq]).toContain(check.header.msgId);
    expect(check.header.transactionId).toBe(check.header.msgId);
    expect(Number(check.msg.properties.TRANSACTION_CHECK_TIMES)).toBeGreaterThanOrEqual(1);
    // Answer every check about a and b with COMMIT (later checks answered too: still one delivery each).
    ok(await p1.answer(check, COMMIT));
    for (const c of [...p1.checks, ...p2.checks]) ok(await p1.answer(c, COMMIT));
    const pending = [a, b].filter((h) => h.uniq !== check.header.msgId);
    for (const h of pending) {
      const c = await eventually(async () => {
        const found = [...p1.checks, ...p2.checks].find((x) => x.header.msgId === h.uniq);
        expect(found).toBeDefined();
        return found;
      });
      if (c) ok(await p2.answer(c, COMMIT));
    }
    const got = await eventually(async () => {
      const m = await wire.pull(topic);
      expect(m).toHaveLength(2);
      return m;
    });
    expect(got.map((m) => m.properties.UNIQ_KEY).sort()).toEqual([a.uniq, b.uniq].sort());
    const seen = p1.checks.length + p2.checks.length;
    await sleep(4 * TX_CONF.transactionCheckInterval);
    expect(p1.checks.length + p2.checks.length).toBe(seen);
    expect(await wire.pull(topic)).toHaveLength(2);
  });

  it('gives up after transactionCheckMax unanswered checks: TRANS_CHECK_MAX_TIME_TOPIC, counted in metrics', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const p = await producer(group);
    const h = await sendHalf(wire, topic, group, 'orphan');
    const parked = await eventually(async () => {
      const m = withUniq(await wire.pull('TRANS_CHECK_MAX_TIME_TOPIC'), h.uniq);
      expect(m).toHaveLength(1);
      return m;
    }, 15_000);
    expect(parked[0]?.properties.TRANSACTION_CHECK_TIMES).toBe(String(TX_CONF.transactionCheckMax));
    expect(p.checks.filter((c) => c.header.msgId === h.uniq)).toHaveLength(TX_CONF.transactionCheckMax);
    await sleep(3 * TX_CONF.transactionCheckInterval);
    expect(p.checks.filter((c) => c.header.msgId === h.uniq)).toHaveLength(TX_CONF.transactionCheckMax);
    expect(await wire.pull(topic)).toEqual([]);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/rocketts_broker_transaction_discarded_total\{[^}]*\} [1-9]/);
    expect(text).toMatch(/rocketts_broker_transaction_checks_total\{[^}]*\} [1-9]/);
  });

  it('does not count a check while no producer of the group is online', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const h = await sendHalf(wire, topic, group, 'nobody-home');
    await sleep(TX_CONF.transactionTimeOut + 5 * TX_CONF.transactionCheckInterval);
    expect(withUniq(await wire.pull('TRANS_CHECK_MAX_TIME_TOPIC'), h.uniq)).toEqual([]);
    const p = await producer(group);
    const c = await eventually(async () => {
      const found = p.checks.find((x) => x.header.msgId === h.uniq);
      expect(found).toBeDefined();
      return found;
    });
    expect(c?.msg.properties.TRANSACTION_CHECK_TIMES).toBe('1');
    ok(await p.answer(c as NonNullable<typeof c>, ROLLBACK));
  });
});

describe('transactions across kill -9 of a broker process', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  });

  it('checks a pending half message after the restart and delivers it once; ended ones stay ended', async () => {
    const dir = tmpStoreDir();
    stops.push(async () => dir.cleanup());
    const ns = await startNamesrv(dir.dir);
    stops.push(() => ns.stop());
    const storeDir = `${dir.dir}/broker`;
    const conf = TX_CONF;
    let proc: ProcHandle = await startBroker({ namesrv: ns.addr, storeDir, conf });
    stops.push(() => proc.stop());
    let wire = new Wire(proc.addr);
    const topic = randomTopic();
    const group = randomGroup();

    const committed = await sendHalf(wire, topic, group, 'committed');
    const rolledBack = await sendHalf(wire, topic, group, 'rolled-back');
    const pending = await sendHalf(wire, topic, group, 'pending');
    ok(await end(wire, group, committed, COMMIT));
    ok(await end(wire, group, rolledBack, ROLLBACK));
    // A producer sees the pending one checked before the crash and does not answer.
    const before = new TxProducerWire(proc.addr, group, 'before');
    await before.heartbeat();
    await eventually(async () => expect(before.checks.length).toBeGreaterThan(0));
    before.client.shutdown();
    wire.client.shutdown();
    await proc.kill();

    proc = await startBroker({ namesrv: ns.addr, storeDir, conf, port: proc.port });
    wire = new Wire(proc.addr);
    stops.push(async () => wire.client.shutdown());
    const after = new TxProducerWire(proc.addr, group, 'after');
    stops.push(async () => after.client.shutdown());
    await after.heartbeat();
    const c = await eventually(async () => {
      const found = after.checks.find((x) => x.header.msgId === pending.uniq);
      expect(found).toBeDefined();
      return found;
    });
    ok(await after.answer(c as NonNullable<typeof c>, COMMIT));
    // Late duplicates after the restart: the producer retrying its own COMMIT, and an answer to the
    // check it got before the crash (an older copy). Neither may deliver again.
    expect(ok(await end(wire, group, committed, COMMIT)).remark).toContain('already ended');
    const old = before.checks.find((x) => x.header.msgId === pending.uniq);
    if (old) expect(ok(await after.answer(old, COMMIT)).remark).toContain('already ended');
    await sleep(4 * TX_CONF.transactionCheckInterval + TX_CONF.transactionTimeOut);
    const got = await wire.pull(topic);
    expect(got.map((m) => m.body.toString()).sort()).toEqual(['committed', 'pending']);
    const checkedKeys = new Set([...before.checks, ...after.checks].map((x) => x.header.msgId));
    expect(checkedKeys.has(committed.uniq)).toBe(false);
    expect(checkedKeys.has(rolledBack.uniq)).toBe(false);
    // No more checks once it ended.
    const n = after.checks.length;
    await sleep(3 * TX_CONF.transactionCheckInterval);
    expect(after.checks.length).toBe(n);
  }, 60_000);

  it('a restart does not reload transactions the walk passed longer than the grace ago', async () => {
    const dir = tmpStoreDir();
    stops.push(async () => dir.cleanup());
    const ns = await startNamesrv(dir.dir);
    stops.push(() => ns.stop());
    const storeDir = `${dir.dir}/broker`;
    const conf = { ...TX_CONF, transactionEndedGraceTime: 300 };
    let proc: ProcHandle = await startBroker({ namesrv: ns.addr, storeDir, conf });
    stops.push(() => proc.stop());
    let wire = new Wire(proc.addr);
    const remembered = async (): Promise<number> => {
      const r = ok(await wire.invoke(createRequest(RequestCode.GET_BROKER_RUNTIME_INFO)));
      const table = (JSON.parse((r.body as Buffer).toString()) as { table: Record<string, string> }).table;
      return Number(table.transactionEndedRemembered);
    };
    const topic = randomTopic();
    const group = randomGroup();
    for (let i = 0; i < 10; i++)
      ok(await end(wire, group, await sendHalf(wire, topic, group, `c${i}`), COMMIT));
    expect(await remembered()).toBeGreaterThanOrEqual(10);
    // Rounds every 200 ms walk past them and save their progress; 300 ms later they are forgotten.
    await eventually(async () => expect(await remembered()).toBe(0));
    wire.client.shutdown();
    await proc.kill();

    // No check round for a minute after the restart: what is remembered is what the restart loaded.
    const later = { ...conf, transactionCheckInterval: 60_000 };
    proc = await startBroker({ namesrv: ns.addr, storeDir, conf: later, port: proc.port });
    wire = new Wire(proc.addr);
    stops.push(async () => wire.client.shutdown());
    expect(await remembered()).toBe(0);
    expect((await wire.pull(topic)).map((m) => m.body.toString()).sort()).toHaveLength(10);
  }, 60_000);
});
