import {
  ConsumerGroupRequestHeader,
  createRequest,
  encodeConsumerIdList,
  InvalidArgumentError,
  RequestCode,
  ResponseCode,
  StateError,
  type MessageExt,
  type MessageQueue,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { respond } from '../../../../../test/fakes/fake-broker';
import { startFakeCluster, type FakeCluster } from '../../../../../test/fakes/fake-cluster';
import { StoredQueues } from '../../../../../test/fakes/stored-queues';
import { silentLogger } from '../../logger';
import { LitePullConsumer } from './lite-pull-consumer';
import type { LitePullConsumerOptions } from './lite-pull-consumer-options';

const GROUP = 'LiteGroup';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  queueNums = 2,
  options: Partial<LitePullConsumerOptions> = {},
): Promise<{ c: FakeCluster; store: StoredQueues; consumer: LitePullConsumer; mqs: MessageQueue[] }> {
  const c = await startFakeCluster(1, { queueNums });
  cleanups.push(() => c.close());
  const store = new StoredQueues(c.brokers[0]!, { maxHoldMs: 1000, serveOffsets: true });
  const consumer = new LitePullConsumer({
    namesrvAddr: c.namesrv.addr,
    consumerGroup: GROUP,
    logger: silentLogger,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    brokerSuspendMaxTimeMs: 500,
    consumerTimeoutMsWhenSuspend: 3000,
    autoCommit: false,
    ...options,
  });
  await consumer.start();
  cleanups.push(() => consumer.shutdown());
  const mqs = await consumer.fetchMessageQueues(c.topic);
  return { c, store, consumer, mqs };
}

const bodies = (msgs: MessageExt[]): string[] => msgs.map((m) => m.body.toString());

/** Poll until `n` messages arrived (or `timeoutMs` passed); each poll's batch is kept in order. */
async function pollN(consumer: LitePullConsumer, n: number, timeoutMs = 5000): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) out.push(...(await consumer.poll(200)));
  return out;
}

const byQueue = (msgs: MessageExt[]): Record<number, string[]> => {
  const out: Record<number, string[]> = {};
  for (const m of msgs) (out[m.queueId] ??= []).push(m.body.toString());
  return out;
};

describe('LitePullConsumer, assign mode (fake broker)', () => {
  it('polls every message of the assigned queues, in queue order, in batches of pullBatchSize', async () => {
    const { c, store, consumer, mqs } = await setup(2, { pullBatchSize: 4 });
    store.append(c.topic, 0, 10);
    store.append(c.topic, 1, 3);
    await consumer.assign(mqs);
    const batches: MessageExt[][] = [];
    let total = 0;
    while (total < 13) {
      const b = await consumer.poll(2000);
      expect(b.length).toBeGreaterThan(0);
      expect(b.length).toBeLessThanOrEqual(4);
      expect(new Set(b.map((m) => m.queueId)).size).toBe(1);
      batches.push(b);
      total += b.length;
    }
    expect(byQueue(batches.flat())).toEqual({
      0: Array.from({ length: 10 }, (_, i) => `0:${i}`),
      1: ['1:0', '1:1', '1:2'],
    });
  });

  it('poll waits up to its timeout, and returns as soon as a message arrives', async () => {
    const { c, store, consumer, mqs } = await setup(1);
    await consumer.assign(mqs);
    const t0 = Date.now();
    expect(await consumer.poll(300)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    setTimeout(() => store.append(c.topic, 0, [{ body: 'late' }]), 200);
    const t1 = Date.now();
    expect(bodies(await consumer.poll(4000))).toEqual(['late']);
    expect(Date.now() - t1).toBeLessThan(1500);
  });

  it('seek moves a queue back (re-delivery) or forward, within [min, max]', async () => {
    const { c, store, consumer, mqs } = await setup(1);
    store.append(c.topic, 0, 6);
    await consumer.assign(mqs);
    expect(bodies(await pollN(consumer, 6))).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4', '0:5']);
    await consumer.seek(mqs[0]!, 2);
    expect(bodies(await pollN(consumer, 4))).toEqual(['0:2', '0:3', '0:4', '0:5']);
    await consumer.seekToBegin(mqs[0]!);
    expect(bodies(await pollN(consumer, 6))[0]).toBe('0:0');
    await consumer.seekToEnd(mqs[0]!);
    store.append(c.topic, 0, [{ body: 'after-end' }]);
    expect(bodies(await pollN(consumer, 1))).toEqual(['after-end']);
    await expect(consumer.seek(mqs[0]!, 99)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(consumer.seek({ ...mqs[0]!, queueId: 7 }, 0)).rejects.toThrow(/is not assigned/);
  });

  it('seek drops batches prefetched before it', async () => {
    const { c, store, consumer, mqs } = await setup(1, { pullBatchSize: 2 });
    store.append(c.topic, 0, 6);
    await consumer.assign(mqs);
    expect(bodies(await consumer.poll(2000))).toEqual(['0:0', '0:1']);
    await new Promise((r) => setTimeout(r, 100)); // the rest is prefetched by now
    await consumer.seek(mqs[0]!, 1);
    expect(bodies(await pollN(consumer, 5))).toEqual(['0:1', '0:2', '0:3', '0:4', '0:5']);
  });

  it('pause stops delivery from that queue, cached batches included; resume delivers them', async () => {
    const { c, store, consumer, mqs } = await setup(2);
    store.append(c.topic, 0, 3);
    store.append(c.topic, 1, 3);
    await consumer.assign(mqs);
    await new Promise((r) => setTimeout(r, 150)); // both queues prefetched
    consumer.pause([mqs[0]!]);
    expect(consumer.isPaused(mqs[0]!)).toBe(true);
    const got = await pollN(consumer, 3);
    store.append(c.topic, 1, 1);
    got.push(...(await pollN(consumer, 1)));
    expect(await consumer.poll(300)).toEqual([]);
    expect(byQueue(got)).toEqual({ 1: ['1:0', '1:1', '1:2', '1:3'] });
    consumer.resume([mqs[0]!]);
    expect(byQueue(await pollN(consumer, 3))).toEqual({ 0: ['0:0', '0:1', '0:2'] });
  });

  it('commit stores the offset after the last polled batch; committed() reads it back', async () => {
    const { c, store, consumer, mqs } = await setup(1, { pullBatchSize: 3 });
    store.append(c.topic, 0, 5);
    await consumer.assign(mqs);
    expect(await consumer.committed(mqs[0]!)).toBe(-1);
    expect(bodies(await consumer.poll(2000))).toEqual(['0:0', '0:1', '0:2']);
    await consumer.commit();
    expect(store.committedOffset(GROUP, c.topic, 0)).toBe(3);
    expect(await consumer.committed(mqs[0]!)).toBe(3);
    const updates = (): number => store.broker.requestsOf(RequestCode.UPDATE_CONSUMER_OFFSET).length;
    const before = updates();
    await consumer.commit(); // nothing new polled: nothing sent
    expect(updates()).toBe(before);
  });

  it('starts a queue at the committed offset, else where consumeFromWhere says', async () => {
    const { c, store, consumer, mqs } = await setup(2, { consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' });
    store.append(c.topic, 0, 5);
    store.append(c.topic, 1, 5);
    store.setCommitted(GROUP, c.topic, 0, 3);
    await consumer.assign(mqs);
    await new Promise((r) => setTimeout(r, 150));
    store.append(c.topic, 1, [{ body: 'new-on-1' }]);
    expect(byQueue(await pollN(consumer, 3))).toEqual({ 0: ['0:3', '0:4'], 1: ['new-on-1'] });
  });

  it('holds prefetch back while a queue has pullThresholdForQueue messages cached', async () => {
    const { c, store, consumer, mqs } = await setup(1, { pullBatchSize: 2, pullThresholdForQueue: 4 });
    store.append(c.topic, 0, 20);
    await consumer.assign(mqs);
    await new Promise((r) => setTimeout(r, 300));
    expect(store.pullsOf(c.topic, 0)).toEqual([0, 2]); // 4 cached: no third pull
    await consumer.poll(100);
    await new Promise((r) => setTimeout(r, 100));
    expect(store.pullsOf(c.topic, 0)).toEqual([0, 2, 4]);
  });

  it('assign replaces the assignment; subscribe and assign are exclusive', async () => {
    const { consumer, mqs } = await setup(2);
    await consumer.assign(mqs);
    await consumer.assign([mqs[1]!]);
    expect(consumer.assignment()).toEqual([mqs[1]]);
    await expect(consumer.subscribe('Other')).rejects.toBeInstanceOf(StateError);
  });

  it('commits at shutdown with autoCommit, and refuses calls afterwards', async () => {
    const { c, store, consumer, mqs } = await setup(1, { autoCommit: true, pullBatchSize: 2 });
    store.append(c.topic, 0, 4);
    await consumer.assign(mqs);
    expect(bodies(await consumer.poll(2000))).toEqual(['0:0', '0:1']);
    await consumer.shutdown();
    expect(store.committedOffset(GROUP, c.topic, 0)).toBe(2);
    await expect(consumer.poll(10)).rejects.toBeInstanceOf(StateError);
  });

  it('rejects bad options', () => {
    const base = { namesrvAddr: '127.0.0.1:1', consumerGroup: 'G' };
    expect(() => new LitePullConsumer({ ...base, nope: 1 } as LitePullConsumerOptions)).toThrow(/^nope:/);
    expect(() => new LitePullConsumer({ ...base, autoCommitIntervalMs: 500 })).toThrow(
      /^autoCommitIntervalMs:/,
    );
    expect(
      () =>
        new LitePullConsumer({ ...base, brokerSuspendMaxTimeMs: 5000, consumerTimeoutMsWhenSuspend: 5000 }),
    ).toThrow(/^consumerTimeoutMsWhenSuspend:/);
    expect(
      () =>
        new LitePullConsumer({
          ...base,
          consumeFromWhere: 'SOMETIME' as LitePullConsumerOptions['consumeFromWhere'],
        }),
    ).toThrow(/^consumeFromWhere:/);
  });
});

describe('LitePullConsumer, subscribe mode (fake broker)', () => {
  it('heartbeats as CONSUME_ACTIVELY, takes its share by allocateAveragely and rebalances when notified', async () => {
    const c = await startFakeCluster(1, { queueNums: 4 });
    cleanups.push(() => c.close());
    const broker = c.brokers[0]!;
    new StoredQueues(broker, { maxHoldMs: 1000, serveOffsets: true });
    let others = ['zzz@other'];
    const consumer = new LitePullConsumer({
      namesrvAddr: c.namesrv.addr,
      consumerGroup: GROUP,
      instanceName: 'lite-a',
      clientIP: '10.0.0.1',
      logger: silentLogger,
      rebalanceIntervalMs: 60_000,
    });
    broker.on(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (req) => {
      expect(ConsumerGroupRequestHeader.decode(req.extFields).consumerGroup).toBe(GROUP);
      return respond(ResponseCode.SUCCESS, undefined, encodeConsumerIdList([...others, consumer.clientId]));
    });
    await consumer.subscribe(c.topic, 'TagA || TagB');
    await consumer.start();
    cleanups.push(() => consumer.shutdown());
    const hb = broker.requestsOf(RequestCode.HEART_BEAT)[0];
    expect(JSON.parse(hb?.body?.toString() ?? '{}')).toMatchObject({
      clientID: '10.0.0.1@lite-a',
      consumerDataSet: [{ groupName: GROUP, consumeType: 'CONSUME_ACTIVELY', messageModel: 'CLUSTERING' }],
    });
    // "10.0.0.1@lite-a" sorts before "zzz@other": the first half
    expect(consumer.assignment().map((q) => q.queueId)).toEqual([0, 1]);

    others = ['000@first', 'zzz@other'];
    const connectionId = broker.requests.find((r) => r.cmd.code === RequestCode.HEART_BEAT)!.connectionId;
    broker.onewayToClient(
      connectionId,
      createRequest(
        RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        ConsumerGroupRequestHeader.encode({ consumerGroup: GROUP }),
      ),
    );
    const deadline = Date.now() + 3000;
    while (
      consumer
        .assignment()
        .map((q) => q.queueId)
        .join() !== '2' &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    // three consumers over 4 queues: [0,1], [2], [3]; we are the second
    expect(consumer.assignment().map((q) => q.queueId)).toEqual([2]);
    await consumer.shutdown();
    expect(broker.requestsOf(RequestCode.UNREGISTER_CLIENT)).toHaveLength(1);
  });
});
