import type { MessageQueue } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { selectByHash, selectByRandom, shardingKeyQueueId } from './selectors';

const queues = (spec: Record<string, number>): MessageQueue[] =>
  Object.entries(spec).flatMap(([brokerName, n]) =>
    Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName, queueId })),
  );
const msg = { topic: 'T', body: 'x' };

describe('selectByHash (SelectMessageQueueByHash)', () => {
  // Indices printed by Java 17 for `int v = s.hashCode() % n; if (v < 0) v = Math.abs(v);`.
  it.each([
    ['hello', 99162322, 4, 2],
    ['hello', 99162322, 3, 1],
    ['ORDER-1001', 1223810975, 8, 7],
    ['中文', 646394, 3, 2],
    // negative hash codes: Java's remainder keeps the sign, then Math.abs
    ['Hello World', -862545276, 8, 4],
    ['order-1', -1207111310, 8, 6],
    ['order-2', -1207111309, 3, 1],
    ['user-42', -147182656, 3, 1],
    // Integer.MIN_VALUE itself: the remainder is −0 / 0, never out of range
    ['polygenelubricants', -2147483648, 4, 0],
    ['polygenelubricants', -2147483648, 3, 2],
  ])('%s (hashCode %i) over %i queues → index %i', (key, _hash, n, index) => {
    const mqs = queues({ 'broker-a': n });
    expect(selectByHash(mqs, msg, key)).toBe(mqs[index]);
  });

  it('indexes the publish list in route order across brokers', () => {
    const mqs = queues({ 'broker-a': 4, 'broker-b': 4 });
    expect(selectByHash(mqs, msg, 'order-1')).toEqual({ topic: 'T', brokerName: 'broker-b', queueId: 2 });
    expect(selectByHash(mqs, msg, 'ORDER-1001')).toEqual({ topic: 'T', brokerName: 'broker-b', queueId: 3 });
  });

  it('hashes a non-string arg as its text', () => {
    const mqs = queues({ 'broker-a': 8 });
    expect(selectByHash(mqs, msg, 1001)).toBe(selectByHash(mqs, msg, '1001'));
  });

  it('always picks the same queue for the same key', () => {
    const mqs = queues({ 'broker-a': 4, 'broker-b': 4 });
    const picks = new Set(Array.from({ length: 50 }, () => selectByHash(mqs, msg, 'order-3')));
    expect(picks.size).toBe(1);
  });
});

describe('selectByRandom', () => {
  it('picks only queues of the list and, over many calls, each of them', () => {
    const mqs = queues({ 'broker-a': 2, 'broker-b': 2 });
    const seen = new Set(Array.from({ length: 400 }, () => selectByRandom(mqs, msg, undefined)));
    expect([...seen].every((q) => mqs.includes(q))).toBe(true);
    expect(seen.size).toBe(4);
  });
});

describe('shardingKeyQueueId (ali-ons TopicPublishInfo)', () => {
  /*
   * MD5 digests worked out with md5sum, first four bytes read as an unsigned big-endian int:
   *   "order-3" → f93e03b3… → 0xf93e03b3 = 4181590963;  4181590963 mod 4 = 3, mod 8 = 3
   *   "user-42" → 7631bc07… → 0x7631bc07 = 1982970887;  1982970887 mod 4 = 3, mod 8 = 7
   *   "order-1" → 6e7f85a9… → 0x6e7f85a9 = 1853851049;  1853851049 mod 4 = 1
   *   "hello"   → 5d41402a… → 0x5d41402a = 1564557354;  1564557354 mod 4 = 2
   */
  it.each([
    ['order-3', 0xf93e03b3, 3],
    ['user-42', 0x7631bc07, 3],
    ['order-1', 0x6e7f85a9, 1],
    ['hello', 0x5d41402a, 2],
  ])('%s: %i mod 4 distinct queue ids → %i', (key, first4, queueId) => {
    expect(first4 % 4).toBe(queueId);
    expect(shardingKeyQueueId(key, queues({ 'broker-a': 4, 'broker-b': 4 }))).toBe(queueId);
  });

  it('counts distinct queue ids, so brokers with more queues widen the range', () => {
    // broker-a 0…3, broker-b 0…7 → ids 0…7 in first-seen order; 1982970887 mod 8 = 7
    expect(shardingKeyQueueId('user-42', queues({ 'broker-a': 4, 'broker-b': 8 }))).toBe(7);
    expect(shardingKeyQueueId('order-3', queues({ 'broker-a': 4, 'broker-b': 8 }))).toBe(3);
  });

  it('has no queue id for an empty list', () => {
    expect(shardingKeyQueueId('order-3', [])).toBeUndefined();
  });
});
