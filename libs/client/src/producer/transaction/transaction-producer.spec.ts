import {
  decodeHeartbeatData,
  decodeOffsetMsgId,
  decodeProperties,
  EndTransactionRequestHeader,
  InvalidArgumentError,
  MessageSysFlag,
  RemotingFlag,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  StateError,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { respond } from '../../../../../test/fakes/fake-broker';
import { startFakeCluster, type FakeCluster } from '../../../../../test/fakes/fake-cluster';
import { silentLogger } from '../../logger';
import { LocalTransactionState } from './transaction-state';
import { TransactionProducer } from './transaction-producer';
import type { TransactionProducerOptions } from './transaction-options';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(brokers = 1): Promise<FakeCluster> {
  const c = await startFakeCluster(brokers, { queueNums: 2 });
  cleanups.push(() => c.close());
  return c;
}

async function txProducer(
  c: FakeCluster,
  extra: Partial<TransactionProducerOptions> = {},
): Promise<TransactionProducer> {
  const p = new TransactionProducer({
    namesrvAddr: c.namesrv.addr,
    producerGroup: 'TXG',
    logger: silentLogger,
    defaultCheckListener: () => LocalTransactionState.UNKNOWN,
    ...extra,
  });
  await p.start();
  cleanups.push(() => p.shutdown());
  return p;
}

const endHeader = (cmd: RemotingCommand | undefined): EndTransactionRequestHeader =>
  EndTransactionRequestHeader.decode(cmd?.extFields);

describe('TransactionProducer.sendInTransaction', () => {
  it('sends the half message with TRAN_MSG, PGROUP, no DELAY and sysFlag PREPARED', async () => {
    const c = await cluster();
    const p = await txProducer(c);
    await p.sendInTransaction(
      { topic: c.topic, body: 'order-1', tags: 'T', properties: { DELAY: '3', type: 'OrderCreated' } },
      () => LocalTransactionState.COMMIT,
    );
    const [send] = c.brokers[0]!.requestsOf(RequestCode.SEND_MESSAGE_V2);
    const h = SendMessageRequestHeaderV2.decode(send?.extFields);
    const props = decodeProperties(h.properties ?? '');
    expect(props).toMatchObject({ TRAN_MSG: 'true', PGROUP: 'TXG', TAGS: 'T', type: 'OrderCreated' });
    expect(props.DELAY).toBeUndefined();
    expect(props.UNIQ_KEY).toMatch(/^[0-9A-F]{32}$/);
    expect(h.sysFlag & MessageSysFlag.TRANSACTION_MASK).toBe(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
    expect(h.producerGroup).toBe('TXG');
  });

  it('refuses batches and delay levels with an InvalidArgumentError before sending', async () => {
    const c = await cluster();
    const p = await txProducer(c);
    const run = (): typeof LocalTransactionState.COMMIT => LocalTransactionState.COMMIT;
    await expect(p.sendInTransaction({ topic: c.topic, body: 'x', delayTimeLevel: 2 }, run)).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(
      p.sendInTransaction([{ topic: c.topic, body: 'x' }] as unknown as { topic: string; body: string }, run),
    ).rejects.toThrow(/batch/);
    expect(c.brokers[0]!.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(0);
  });

  it.each([
    [LocalTransactionState.COMMIT, 8],
    [LocalTransactionState.ROLLBACK, 12],
    [LocalTransactionState.UNKNOWN, 0],
  ] as const)('ends a %s local transaction with commitOrRollback %i', async (state, code) => {
    const c = await cluster();
    const p = await txProducer(c);
    const seen: unknown[] = [];
    const r = await p.sendInTransaction(
      { topic: c.topic, body: 'x' },
      (msg, sendResult, arg) => {
        seen.push(msg.body, sendResult.msgId, arg);
        return state;
      },
      { orderId: 7 },
    );
    expect(r.localState).toBe(state);
    expect(seen).toEqual(['x', r.sendResult.msgId, { orderId: 7 }]);
    const [end] = await c.brokers[0]!.waitForRequests(RequestCode.END_TRANSACTION, 1);
    expect(end!.flag & RemotingFlag.ONEWAY).toBe(RemotingFlag.ONEWAY);
    expect(end!.remark).toBeUndefined();
    expect(endHeader(end)).toMatchObject({
      producerGroup: 'TXG',
      tranStateTableOffset: r.sendResult.queueOffset,
      commitLogOffset: decodeOffsetMsgId(r.sendResult.offsetMsgId).offset,
      commitOrRollback: code,
      fromTransactionCheck: false,
      msgId: r.sendResult.msgId,
      transactionId: r.sendResult.msgId,
    });
  });

  it('answers UNKNOWN with the error as remark when executeLocal throws, ROLLBACK with rollbackOnError', async () => {
    const c = await cluster();
    const p = await txProducer(c);
    const boom = (): never => {
      throw new Error('db down');
    };
    const r1 = await p.sendInTransaction({ topic: c.topic, body: 'x' }, boom);
    const r2 = await p.sendInTransaction(
      { topic: c.topic, body: 'y' },
      () => Promise.reject(new Error('late')),
      0,
      {
        rollbackOnError: true,
      },
    );
    const r3 = await p.sendInTransaction(
      { topic: c.topic, body: 'z' },
      () => 'COMMIT_MESSAGE' as unknown as typeof LocalTransactionState.COMMIT,
    );
    expect([r1.localState, r2.localState, r3.localState]).toEqual(['UNKNOWN', 'ROLLBACK', 'UNKNOWN']);
    expect((r1.localError as Error).message).toBe('db down');
    const ends = await c.brokers[0]!.waitForRequests(RequestCode.END_TRANSACTION, 3);
    expect(ends.map((e) => endHeader(e).commitOrRollback)).toEqual([0, 12, 0]);
    expect(ends[0]!.remark).toContain('db down');
    expect(ends[1]!.remark).toContain('late');
    expect(ends[2]!.remark).toBeUndefined();
  });

  it('takes rollbackOnError from the producer options', async () => {
    const c = await cluster();
    const p = await txProducer(c, { rollbackOnError: true });
    const r = await p.sendInTransaction({ topic: c.topic, body: 'x' }, () => {
      throw new Error('aborted');
    });
    expect(r.localState).toBe('ROLLBACK');
    const [end] = await c.brokers[0]!.waitForRequests(RequestCode.END_TRANSACTION, 1);
    expect(endHeader(end).commitOrRollback).toBe(12);
  });

  it('sends END_TRANSACTION to the broker that stored each half message (two brokers)', async () => {
    const c = await cluster(2);
    const p = await txProducer(c);
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(
        await p.sendInTransaction({ topic: c.topic, body: `m${i}` }, () => LocalTransactionState.COMMIT),
      );
    expect(new Set(results.map((r) => r.sendResult.messageQueue.brokerName)).size).toBe(2);
    for (const b of c.brokers) {
      const mine = results.filter((r) => r.sendResult.messageQueue.brokerName === b.brokerName);
      const ends = await b.waitForRequests(RequestCode.END_TRANSACTION, mine.length);
      expect(ends.map((e) => endHeader(e).msgId)).toEqual(mine.map((r) => r.sendResult.msgId));
      expect(ends.map((e) => endHeader(e).commitLogOffset)).toEqual(
        mine.map((r) => decodeOffsetMsgId(r.sendResult.offsetMsgId).offset),
      );
    }
  });

  it('heartbeats its group to every master of the topic, not only the one sent to', async () => {
    const c = await cluster(2);
    const p = await txProducer(c);
    const r = await p.sendInTransaction({ topic: c.topic, body: 'x' }, () => LocalTransactionState.COMMIT);
    const idle = c.brokers.find((b) => b.brokerName !== r.sendResult.messageQueue.brokerName);
    expect(idle?.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(0);
    for (const b of c.brokers) {
      const [hb] = await b.waitForRequests(RequestCode.HEART_BEAT, 1);
      expect(decodeHeartbeatData(hb!.body!).producerDataSet).toEqual([{ groupName: 'TXG' }]);
    }
  });

  it('rolls back without running the local transaction when the half missed its durability goal', async () => {
    const c = await cluster();
    c.brokers[0]!.script(RequestCode.SEND_MESSAGE_V2, (req) => {
      const stored = c.brokers[0]!.defaultBehaviour(req);
      return stored.kind === 'respond' ? { ...stored, code: ResponseCode.FLUSH_DISK_TIMEOUT } : stored;
    });
    const p = await txProducer(c);
    let ran = false;
    const r = await p.sendInTransaction({ topic: c.topic, body: 'x' }, () => {
      ran = true;
      return LocalTransactionState.COMMIT;
    });
    expect(ran).toBe(false);
    expect(r.localState).toBe('ROLLBACK');
    const [end] = await c.brokers[0]!.waitForRequests(RequestCode.END_TRANSACTION, 1);
    expect(endHeader(end).commitOrRollback).toBe(12);
  });

  it('throws the send error and runs nothing when the half message is refused', async () => {
    const c = await cluster();
    c.brokers[0]!.on(
      RequestCode.SEND_MESSAGE_V2,
      respond(ResponseCode.NO_PERMISSION, undefined, undefined, 'no'),
    );
    const p = await txProducer(c);
    let ran = false;
    await expect(
      p.sendInTransaction({ topic: c.topic, body: 'x' }, () => {
        ran = true;
        return LocalTransactionState.COMMIT;
      }),
    ).rejects.toMatchObject({ code: 'NO_PERMISSION' });
    expect(ran).toBe(false);
    expect(c.brokers[0]!.requestsOf(RequestCode.END_TRANSACTION)).toHaveLength(0);
  });

  it('is a StateError before start', async () => {
    const c = await cluster();
    const p = new TransactionProducer({
      namesrvAddr: c.namesrv.addr,
      producerGroup: 'TXG',
      logger: silentLogger,
      defaultCheckListener: () => LocalTransactionState.UNKNOWN,
    });
    await expect(p.sendInTransaction({ topic: c.topic, body: 'x' }, () => 'COMMIT')).rejects.toThrow(
      StateError,
    );
  });
});

describe('TransactionProducer options', () => {
  const base = { namesrvAddr: '127.0.0.1:9876', producerGroup: 'TXG', logger: silentLogger };

  it('rejects unknown keys, naming them', () => {
    expect(
      () =>
        new TransactionProducer({ ...base, defaultCheckListener: () => 'COMMIT', checkListner: [] } as never),
    ).toThrow(/checkListner/);
  });

  it('needs at least one check listener', () => {
    expect(() => new TransactionProducer(base)).toThrow(/checkListeners or a defaultCheckListener/);
  });

  it('validates each check listener', () => {
    expect(() => new TransactionProducer({ ...base, checkListeners: [{ check: () => 'COMMIT' }] })).toThrow(
      /needs a topic or a match/,
    );
    expect(
      () => new TransactionProducer({ ...base, checkListeners: [{ topic: 'T', check: 'x' as never }] }),
    ).toThrow(/checkListeners\[0\]\.check/);
    expect(
      () =>
        new TransactionProducer({
          ...base,
          checkListeners: [{ topic: 'T', check: () => 'COMMIT', tpoic: 'x' } as never],
        }),
    ).toThrow(/tpoic/);
    expect(
      () => new TransactionProducer({ ...base, defaultCheckListener: () => 'COMMIT', checkConcurrency: 0 }),
    ).toThrow(/checkConcurrency/);
  });
});
