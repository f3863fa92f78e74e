import type { Producer } from '@rocketts/client';
import { PullConsumer, selectByHash, silentLogger, type Message, type SendOptions } from '@rocketts/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliOns, aliOptions, type AliProducer } from '../helpers/ali-ons';
import { drainQueue } from '../helpers/drain';
import { startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { randomGroup, randomTopic } from '../helpers/tmp';

const KEYS = ['order-1', 'order-2', 'order-3'];
const PER_KEY = 100;

interface Placed {
  /** "brokerName/queueId" of every message of the key, as pulled. */
  queues: Set<string>;
  /** Sequence numbers in pull order. */
  seqs: number[];
}

/**
 * Ordered sends and sharding keys against a real name server and two brokers (in process), checked by
 * pulling every queue back; the sharding key also against an ali-ons producer.
 */
describe('producer extras: ordered sends, sharding keys', () => {
  let cluster: EmbeddedCluster;
  const clients: { shutdown(): Promise<void> }[] = [];

  const producer = (): Promise<Producer> => cluster.startProducer();

  /** Per key: where its messages are and in which order, from every queue of `topic`. */
  const pullBack = async (topic: string): Promise<Map<string, Placed>> => {
    const c = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await c.start();
    clients.push(c);
    const queues = await c.fetchSubscribeMessageQueues(topic);
    const byKey = new Map<string, Placed>();
    for (const mq of queues) {
      for (const m of await drainQueue(c, mq)) {
        const { key, seq } = JSON.parse(m.body.toString()) as { key: string; seq: number };
        const placed = byKey.get(key) ?? { queues: new Set<string>(), seqs: [] };
        placed.queues.add(`${mq.brokerName}/${mq.queueId}`);
        placed.seqs.push(seq);
        byKey.set(key, placed);
      }
    }
    return byKey;
  };

  /** The keys' messages, each key's sent one after the other, the keys side by side. */
  const sendKeys = async (
    p: Producer,
    topic: string,
    options: (key: string) => [Message, SendOptions],
  ): Promise<void> => {
    await Promise.all(
      KEYS.map(async (key) => {
        for (let seq = 0; seq < PER_KEY; seq++) {
          const [extra, opts] = options(key);
          await p.send({ ...extra, topic, body: JSON.stringify({ key, seq }) }, opts);
        }
      }),
    );
  };

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({ brokers: 2 });
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) await c.shutdown().catch(() => undefined);
    await cluster?.stop();
  });

  it('selectByHash: 3 keys × 100 messages, each key entirely in one queue and in send order', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 4);
    const p = await producer();
    await sendKeys(p, topic, (key) => [
      { topic, body: '' },
      { selector: selectByHash, arg: key },
    ]);
    const placed = await pullBack(topic);
    // Java's SelectMessageQueueByHash over a0…a3 b0…b3: order-1 → 6, order-2 → 5, order-3 → 4
    expect(Object.fromEntries([...placed].map(([k, v]) => [k, [...v.queues]]))).toEqual({
      'order-1': ['broker-b/2'],
      'order-2': ['broker-b/1'],
      'order-3': ['broker-b/0'],
    });
    for (const key of KEYS)
      expect(placed.get(key)?.seqs).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
  });

  it('shardingKey: each key on one queue id (any broker), in send order per queue', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 4);
    const p = await producer();
    await sendKeys(p, topic, (key) => [{ topic, body: '', shardingKey: key }, {}]);
    const placed = await pullBack(topic);
    // MD5 first four bytes mod 4: order-1 → 1, order-2 → 1, order-3 → 3
    const ids = (key: string): number[] => [
      ...new Set([...(placed.get(key)?.queues ?? [])].map((q) => Number(q.split('/')[1]))),
    ];
    expect(ids('order-1')).toEqual([1]);
    expect(ids('order-2')).toEqual([1]);
    expect(ids('order-3')).toEqual([3]);
    for (const key of KEYS) expect(placed.get(key)?.seqs).toHaveLength(PER_KEY);
  });

  it('shardingKey: our producer and an ali-ons producer put a key on the same queue id', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic, 4);
    const ali: AliProducer = new aliOns.Producer({
      ...aliOptions(cluster.namesrvAddr),
      producerGroup: randomGroup(),
    });
    await ali.ready();
    clients.push({ shutdown: () => ali.close() });
    const ours = await producer();
    // Keys whose queue id is not 0 (MD5 mod 4 = 1, 3, 2, 2, 2): ali-ons treats queue id 0 as "no key"
    // and spreads those messages.
    for (const key of ['order-1', 'order-3', 'hello', 'customer-77', 'sku-123456']) {
      const aliIds = new Set<number>();
      const ourIds = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const msg = new aliOns.Message(topic, 'TagA', `ali ${key} ${i}`);
        msg.properties.__SHARDING_KEY = key;
        aliIds.add(Number((await ali.send(msg)).messageQueue.queueId));
        ourIds.add(
          (await ours.send({ topic, body: `ours ${key} ${i}`, shardingKey: key })).messageQueue.queueId,
        );
      }
      expect({ key, ids: [...ourIds] }).toEqual({ key, ids: [...aliIds] });
      expect(ourIds.size).toBe(1);
    }
  });
});
