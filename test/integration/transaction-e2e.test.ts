/*
 * Transactional messages end to end: our TransactionProducer against our broker (in-process name server
 * and broker). Commit, rollback, check-back by topic and by match, rollbackOnError, check max, and a
 * committed transaction's DELAY and timer. Process kills are in transaction-e2e-crash.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalTransactionState,
  PullConsumer,
  PushConsumer,
  silentLogger,
  TransactionProducer,
  type TransactionProducerOptions,
} from '@rocketts/client';
import { InvalidArgumentError, type MessageExt } from '@rocketts/protocol';
import { drainAll, drainQueue } from '../helpers/drain';
import { startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { randomGroup, randomName } from '../helpers/tmp';
import { eventually, ok, sleep, Wire } from '../helpers/wire';

/** Small timings so checks happen in a test's time: timeout 500 ms, a round every 200 ms, 3 checks. */
const TX_CONF = { transactionTimeOut: 500, transactionCheckInterval: 200, transactionCheckMax: 3 };
/** Long enough for the broker to have checked a pending half message several times. */
const QUIET_MS = TX_CONF.transactionTimeOut + 4 * TX_CONF.transactionCheckInterval;

interface Check {
  listener: string;
  transactionId: string;
  at: number;
}

describe('TransactionProducer against the RocketTS broker', () => {
  let cluster: EmbeddedCluster;
  let puller: PullConsumer;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({ brokerConf: { ...TX_CONF, messageDelayLevel: '1s 2s' } });
    puller = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await puller.start();
  });

  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  afterAll(async () => {
    await puller.shutdown();
    await cluster.stop();
  });

  const producer = async (
    options: Omit<TransactionProducerOptions, 'namesrvAddr' | 'producerGroup'>,
    producerGroup = randomGroup(),
  ): Promise<TransactionProducer> => {
    const p = new TransactionProducer({
      namesrvAddr: cluster.namesrvAddr,
      producerGroup,
      logger: silentLogger,
      ...options,
    } as TransactionProducerOptions);
    await p.start();
    closers.push(() => p.shutdown());
    return p;
  };

  const delivered = (topic: string): Promise<MessageExt[]> => drainAll(puller, topic);
  const uniqs = (msgs: MessageExt[]): string[] => msgs.map((m) => m.properties.UNIQ_KEY as string);

  it('COMMIT: invisible while the local transaction runs, then consumable once on its real queue', async () => {
    const topic = await cluster.createTopic();
    const push = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      logger: silentLogger,
    });
    const pushed: MessageExt[] = [];
    push.subscribe(topic, '*');
    push.registerMessageListener({ consumeConcurrently: async (msgs) => void pushed.push(...msgs) });
    await push.start();
    closers.push(() => push.shutdown());
    const tx = await producer({ defaultCheckListener: () => LocalTransactionState.UNKNOWN });

    let seenDuringLocal: MessageExt[] | undefined;
    const r = await tx.sendInTransaction(
      { topic, keys: 'order-1', tags: 'Paid', body: 'commit-me', properties: { type: 'Order' } },
      async () => {
        await sleep(600); // the push consumer pulls meanwhile
        seenDuringLocal = [...(await delivered(topic)), ...pushed];
        return LocalTransactionState.COMMIT;
      },
    );
    expect(seenDuringLocal).toEqual([]);
    expect(r.localState).toBe('COMMIT');
    await eventually(async () => expect(pushed).toHaveLength(1), 10_000);
    const got = await delivered(topic);
    expect(got).toHaveLength(1);
    const m = got[0] as MessageExt;
    expect(m.queueId).toBe(r.sendResult.messageQueue.queueId);
    expect(m.properties.UNIQ_KEY).toBe(r.sendResult.msgId);
    expect(m.properties.UNIQ_KEY).toBe(r.transactionId);
    expect(m.body.toString()).toBe('commit-me');
    expect(m.tags).toBe('Paid');
    expect(m.keys).toEqual(['order-1']);
    expect(m.properties.type).toBe('Order');
    for (const p of ['TRAN_MSG', 'REAL_TOPIC', 'REAL_QID']) expect(m.properties[p]).toBeUndefined();
    expect(pushed[0]?.properties.UNIQ_KEY).toBe(r.transactionId);
    await sleep(QUIET_MS);
    expect(pushed).toHaveLength(1);
    expect(await delivered(topic)).toHaveLength(1);
  });

  it('ROLLBACK: never delivered, never checked', async () => {
    const topic = await cluster.createTopic();
    const checks: string[] = [];
    const tx = await producer({
      defaultCheckListener: (_m, info) => {
        checks.push(info.transactionId);
        return LocalTransactionState.COMMIT;
      },
    });
    const r = await tx.sendInTransaction({ topic, body: 'roll-me-back' }, () => 'ROLLBACK');
    expect(r.localState).toBe('ROLLBACK');
    await sleep(QUIET_MS);
    expect(await delivered(topic)).toEqual([]);
    expect(checks).toEqual([]);
  });

  it('UNKNOWN and a throw are checked back after transactionTimeOut, by topic and by match; rollbackOnError rolls back at once', async () => {
    const orders = await cluster.createTopic();
    const payments = await cluster.createTopic();
    const checks: Check[] = [];
    const record = (listener: string) => (_m: MessageExt, info: { transactionId: string }) => {
      checks.push({ listener, transactionId: info.transactionId, at: Date.now() });
      return LocalTransactionState.COMMIT;
    };
    const tx = await producer({
      checkListeners: [
        { topic: orders, check: record('topic') },
        { match: (m) => m.properties.type === 'PaymentCaptured', check: record('match') },
      ],
      // A check that reaches the wrong listener rolls back, and the test sees a message missing.
      defaultCheckListener: (_m, info) => {
        checks.push({ listener: 'default', transactionId: info.transactionId, at: Date.now() });
        return LocalTransactionState.ROLLBACK;
      },
    });
    const sentAt = Date.now();
    const unknown = await tx.sendInTransaction({ topic: orders, body: 'order' }, () => 'UNKNOWN');
    const thrown = await tx.sendInTransaction(
      { topic: payments, body: 'payment', properties: { type: 'PaymentCaptured' } },
      () => {
        throw new Error('connection reset after the commit?');
      },
    );
    const rolled = await tx.sendInTransaction(
      { topic: payments, body: 'aborted', properties: { type: 'PaymentCaptured' } },
      () => {
        throw new Error('constraint violation inside the database transaction');
      },
      undefined,
      { rollbackOnError: true },
    );
    expect(unknown.localState).toBe('UNKNOWN');
    expect(thrown.localState).toBe('UNKNOWN');
    expect((thrown.localError as Error).message).toContain('connection reset');
    expect(rolled.localState).toBe('ROLLBACK');

    await eventually(async () => {
      expect(uniqs(await delivered(orders))).toEqual([unknown.transactionId]);
      expect(uniqs(await delivered(payments))).toEqual([thrown.transactionId]);
    }, 10_000);
    const byTx = (id: string): Check[] => checks.filter((c) => c.transactionId === id);
    expect(byTx(unknown.transactionId).map((c) => c.listener)).toEqual(['topic']);
    expect(byTx(thrown.transactionId).map((c) => c.listener)).toEqual(['match']);
    expect(byTx(rolled.transactionId)).toEqual([]);
    for (const c of checks) expect(c.at - sentAt).toBeGreaterThanOrEqual(TX_CONF.transactionTimeOut);
    // Each delivered once, and nothing is checked again after the commit.
    await sleep(QUIET_MS);
    expect(uniqs(await delivered(orders))).toEqual([unknown.transactionId]);
    expect(uniqs(await delivered(payments))).toEqual([thrown.transactionId]);
    expect(checks).toHaveLength(2);
  });

  it('after transactionCheckMax UNKNOWN answers the message is parked in TRANS_CHECK_MAX_TIME_TOPIC, never delivered', async () => {
    const topic = await cluster.createTopic();
    const checks: number[] = [];
    const tx = await producer({
      defaultCheckListener: (_m, info) => {
        checks.push(info.checkTimes);
        return LocalTransactionState.UNKNOWN;
      },
    });
    const r = await tx.sendInTransaction({ topic, body: 'undecided' }, () => 'UNKNOWN');
    const parkedQueue = { topic: 'TRANS_CHECK_MAX_TIME_TOPIC', brokerName: 'broker-a', queueId: 0 };
    const parked = await eventually(async () => {
      const m = (await drainQueue(puller, parkedQueue)).filter(
        (x) => x.properties.UNIQ_KEY === r.transactionId,
      );
      expect(m).toHaveLength(1);
      return m[0] as MessageExt;
    }, 15_000);
    expect(parked.body.toString()).toBe('undecided');
    expect(parked.properties.REAL_TOPIC).toBe(topic);
    expect(checks).toEqual([1, 2, 3].slice(0, TX_CONF.transactionCheckMax));
    // Visible to the admin: the topic is routed and its queue holds the parked message.
    const status = await eventually(async () => {
      const s = await cluster.admin.topicStatus('TRANS_CHECK_MAX_TIME_TOPIC');
      expect(s.reduce((n, q) => n + q.maxOffset - q.minOffset, 0)).toBeGreaterThan(0);
      return s;
    });
    expect(status.some((q) => q.messageQueue.brokerName === 'broker-a')).toBe(true);
    await sleep(QUIET_MS);
    expect(checks).toHaveLength(TX_CONF.transactionCheckMax);
    expect(await delivered(topic)).toEqual([]);
  });

  it('a committed transaction with TIMER_DELAY_MS, and one with a DELAY level, are delivered only after their delay', async () => {
    const topic = await cluster.createTopic(undefined, 1);
    const group = randomGroup();
    const tx = await producer({ defaultCheckListener: () => LocalTransactionState.COMMIT }, group);
    const firstSeen = new Map<string, number>();
    const watch = async (): Promise<void> => {
      for (const m of await delivered(topic)) {
        const key = m.properties.UNIQ_KEY as string;
        if (!firstSeen.has(key)) firstSeen.set(key, Date.now());
      }
    };

    // The client refuses a delay level (Java would silently drop it, delivering at once)...
    await expect(
      tx.sendInTransaction({ topic, body: 'x', delayTimeLevel: 1 }, () => 'COMMIT'),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    // ...so a half message carrying DELAY comes from another client; our producer's check commits it.
    const wire = new Wire(cluster.brokerAddrs[0] as string);
    closers.push(async () => wire.client.shutdown());
    const DELAY_MS = 2_000; // level 2 of '1s 2s'
    const delayedAt = Date.now();
    const delayedId = randomName('TX');
    ok(await wire.sendHalf(topic, 'delayed', group, { DELAY: '2', UNIQ_KEY: delayedId }));

    const TIMER_MS = 1_500;
    const timerAt = Date.now();
    const timed = await tx.sendInTransaction(
      { topic, body: 'timed', properties: { TIMER_DELAY_MS: String(TIMER_MS) } },
      () => 'COMMIT',
    );
    await eventually(async () => {
      await watch();
      expect(firstSeen.size).toBe(2);
    }, 15_000);
    const got = await delivered(topic);
    expect(got.map((m) => m.body.toString()).sort()).toEqual(['delayed', 'timed']);
    expect((firstSeen.get(timed.transactionId) as number) - timerAt).toBeGreaterThanOrEqual(TIMER_MS);
    expect(got.find((m) => m.body.toString() === 'delayed')?.properties.UNIQ_KEY).toBe(delayedId);
    // Checked after transactionTimeOut, then held DELAY level 2.
    expect((firstSeen.get(delayedId) as number) - delayedAt).toBeGreaterThanOrEqual(
      TX_CONF.transactionTimeOut + DELAY_MS,
    );
    await sleep(TX_CONF.transactionCheckInterval * 3);
    expect(await delivered(topic)).toHaveLength(2);
  });
});
