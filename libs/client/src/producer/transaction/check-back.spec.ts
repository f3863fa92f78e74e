import {
  CheckTransactionStateRequestHeader,
  createRequest,
  EndTransactionRequestHeader,
  RemotingFlag,
  RequestCode,
  SystemTopic,
  type MessageExt,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeBroker } from '../../../../../test/fakes/fake-broker';
import { startFakeCluster, storedRecord, type FakeCluster } from '../../../../../test/fakes/fake-cluster';
import { silentLogger } from '../../logger';
import type { TransactionCheckInfo } from './check-listeners';
import type { TransactionProducerOptions } from './transaction-options';
import { TransactionProducer } from './transaction-producer';
import { LocalTransactionState, type LocalTransactionStateValue } from './transaction-state';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Connected {
  c: FakeCluster;
  broker: FakeBroker;
  p: TransactionProducer;
  /** The producer's connection on `broker`, to send CHECK_TRANSACTION_STATE on. */
  connectionId: number;
}

/** A producer that has sent one transaction, so the broker holds its connection (as after a heartbeat). */
async function connected(extra: Partial<TransactionProducerOptions>): Promise<Connected> {
  const c = await startFakeCluster(1, { queueNums: 2 });
  cleanups.push(() => c.close());
  const p = new TransactionProducer({
    namesrvAddr: c.namesrv.addr,
    producerGroup: 'TXG',
    logger: silentLogger,
    ...extra,
  });
  await p.start();
  cleanups.push(() => p.shutdown());
  await p.sendInTransaction({ topic: c.topic, body: 'seed' }, () => LocalTransactionState.COMMIT);
  const broker = c.brokers[0] as FakeBroker;
  const hb = broker.requests.find((r) => r.cmd.code === RequestCode.HEART_BEAT);
  return { c, broker, p, connectionId: hb!.connectionId };
}

let txCounter = 0;

interface CheckInit {
  topic: string;
  properties?: Record<string, string>;
  group?: string;
}

/** A CHECK_TRANSACTION_STATE as a broker sends it (§5, §10.3); returns the transaction id it asks about. */
function sendCheck(x: Connected, init: CheckInit): { transactionId: string; offsets: [number, number] } {
  txCounter += 1;
  const transactionId = `7F00000100002A9F0000000000${String(txCounter).padStart(6, '0')}`;
  const offsets: [number, number] = [1000 + txCounter, 500_000 + txCounter * 100];
  const cmd = createRequest(
    RequestCode.CHECK_TRANSACTION_STATE,
    CheckTransactionStateRequestHeader.encode({
      topic: SystemTopic.TRANS_HALF,
      tranStateTableOffset: offsets[0],
      commitLogOffset: offsets[1],
      msgId: transactionId,
      transactionId,
      bname: x.broker.brokerName,
    }),
    storedRecord({
      topic: init.topic,
      queueId: 1,
      body: `body-${txCounter}`,
      properties: {
        UNIQ_KEY: transactionId,
        TRAN_MSG: 'true',
        PGROUP: init.group ?? 'TXG',
        __transactionId__: transactionId,
        TRANSACTION_CHECK_TIMES: '2',
        ...init.properties,
      },
    }),
  );
  x.broker.onewayToClient(x.connectionId, cmd);
  return { transactionId, offsets };
}

/** END_TRANSACTION answers to check-backs, by transaction id. */
function checkAnswers(
  broker: FakeBroker,
): Map<string, { cmd: RemotingCommand; h: EndTransactionRequestHeader }> {
  const out = new Map<string, { cmd: RemotingCommand; h: EndTransactionRequestHeader }>();
  for (const cmd of broker.requestsOf(RequestCode.END_TRANSACTION)) {
    const h = EndTransactionRequestHeader.decode(cmd.extFields);
    if (h.fromTransactionCheck) out.set(h.transactionId ?? '', { cmd, h });
  }
  return out;
}

async function waitForAnswers(broker: FakeBroker, count: number): Promise<ReturnType<typeof checkAnswers>> {
  await broker.waitForRequests(RequestCode.END_TRANSACTION, 1 + count); // + the seed transaction's END
  return checkAnswers(broker);
}

const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await settle(5);
  }
}

/** A promise the test resolves later. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('TransactionProducer check-back', () => {
  it('picks the listener by topic, then by message type, then the default; first match wins', async () => {
    const calls: string[] = [];
    const x = await connected({
      checkListeners: [
        { topic: 'Orders', check: () => (calls.push('orders'), LocalTransactionState.COMMIT) },
        {
          match: (m) => m.properties.type === 'PaymentCaptured',
          check: () => (calls.push('payment'), LocalTransactionState.ROLLBACK),
        },
      ],
      defaultCheckListener: () => (calls.push('default'), LocalTransactionState.UNKNOWN),
      checkConcurrency: 1,
    });
    const orders = sendCheck(x, { topic: 'Orders', properties: { type: 'PaymentCaptured' } });
    const payment = sendCheck(x, { topic: 'Payments', properties: { type: 'PaymentCaptured' } });
    const other = sendCheck(x, { topic: 'Stock', properties: { type: 'StockReserved' } });
    const answers = await waitForAnswers(x.broker, 3);
    expect(calls).toEqual(['orders', 'payment', 'default']);
    expect(answers.get(orders.transactionId)?.h.commitOrRollback).toBe(8);
    expect(answers.get(payment.transactionId)?.h.commitOrRollback).toBe(12);
    expect(answers.get(other.transactionId)?.h.commitOrRollback).toBe(0);
  });

  it('answers one-way with fromTransactionCheck, the offsets of the check and the UNIQ_KEY', async () => {
    const seen: { msg: MessageExt; info: TransactionCheckInfo }[] = [];
    const x = await connected({
      checkListeners: [{ topic: 'Orders', check: (msg, info) => (seen.push({ msg, info }), 'COMMIT') }],
    });
    const { transactionId, offsets } = sendCheck(x, { topic: 'Orders' });
    const a = (await waitForAnswers(x.broker, 1)).get(transactionId);
    expect(a!.cmd.flag & RemotingFlag.ONEWAY).toBe(RemotingFlag.ONEWAY);
    expect(a?.h).toEqual({
      producerGroup: 'TXG',
      tranStateTableOffset: offsets[0],
      commitLogOffset: offsets[1],
      commitOrRollback: 8,
      fromTransactionCheck: true,
      msgId: transactionId,
      transactionId,
      topic: 'Orders',
      bname: x.broker.brokerName,
    });
    const [{ msg, info }] = seen as [(typeof seen)[number]];
    expect(msg.topic).toBe('Orders');
    expect(msg.body.toString()).toMatch(/^body-/);
    expect(info).toEqual({ transactionId, brokerAddr: x.broker.addr, checkTimes: 2 });
  });

  it('answers UNKNOWN when no listener takes the message, the listener throws or returns no state', async () => {
    const x = await connected({
      checkListeners: [
        {
          topic: 'Throws',
          check: () => {
            throw new Error('db down');
          },
        },
        { topic: 'Rejects', check: () => Promise.reject(new Error('timeout')) },
        { topic: 'Garbage', check: () => 'COMMIT_MESSAGE' as LocalTransactionStateValue },
        { topic: 'BadMatch', match: () => JSON.parse('{') as boolean, check: () => 'COMMIT' },
      ],
    });
    const ids = ['Nobody', 'Throws', 'Rejects', 'Garbage', 'BadMatch'].map(
      (topic) => sendCheck(x, { topic }).transactionId,
    );
    const answers = await waitForAnswers(x.broker, ids.length);
    expect(ids.map((id) => answers.get(id)?.h.commitOrRollback)).toEqual([0, 0, 0, 0, 0]);
  });

  it('ignores check-backs for another producer group', async () => {
    const x = await connected({ defaultCheckListener: () => 'COMMIT' });
    const foreign = sendCheck(x, { topic: 'Orders', group: 'OTHER' });
    const mine = sendCheck(x, { topic: 'Orders' });
    const answers = await waitForAnswers(x.broker, 1);
    await settle(50);
    expect(answers.has(mine.transactionId)).toBe(true);
    expect(checkAnswers(x.broker).has(foreign.transactionId)).toBe(false);
  });

  it('evaluates at most checkConcurrency checks at once', async () => {
    const g = gate();
    let active = 0;
    let max = 0;
    let started = 0;
    const x = await connected({
      checkConcurrency: 2,
      defaultCheckListener: async () => {
        started += 1;
        active += 1;
        max = Math.max(max, active);
        await g.promise;
        active -= 1;
        return LocalTransactionState.ROLLBACK;
      },
    });
    for (let i = 0; i < 5; i++) sendCheck(x, { topic: 'Orders' });
    await until(() => started >= 2);
    await settle(50);
    expect(started).toBe(2);
    expect(x.p.checksInFlight).toBe(2);
    g.open();
    const answers = await waitForAnswers(x.broker, 5);
    expect([...answers.values()].every((a) => a.h.commitOrRollback === 12)).toBe(true);
    expect(max).toBe(2);
  });

  it('stops answering at shutdown: running checks are not answered, queued ones never run', async () => {
    const g = gate();
    let started = 0;
    const x = await connected({
      checkConcurrency: 1,
      defaultCheckListener: async () => {
        started += 1;
        await g.promise;
        return LocalTransactionState.COMMIT;
      },
    });
    sendCheck(x, { topic: 'Orders' });
    sendCheck(x, { topic: 'Orders' });
    await until(() => started === 1);
    await x.p.shutdown();
    g.open();
    await settle();
    expect(started).toBe(1);
    expect(checkAnswers(x.broker).size).toBe(0);
  });
});
