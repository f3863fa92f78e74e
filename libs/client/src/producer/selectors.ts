import { createHash } from 'node:crypto';
import { javaHashCode, type MessageQueue } from '@rocketts/protocol';
import type { Message } from './message';

/**
 * Picks the queue of an ordered send (MessageQueueSelector.java). It gets the topic's publish queues in
 * route order (brokers by name, queue ids ascending), the message and the caller's `arg`.
 */
export type MessageQueueSelector = (mqs: readonly MessageQueue[], msg: Message, arg: unknown) => MessageQueue;

/**
 * SelectMessageQueueByHash: index = |hashCode(arg) rem n| with Java's remainder (sign of the dividend), so
 * a Java producer using a String arg picks the same index. `arg` is hashed as `String(arg)`: a number is
 * hashed as its decimal text, not as Java's Integer.hashCode (the value itself).
 */
export const selectByHash: MessageQueueSelector = (mqs, _msg, arg) => {
  const n = mqs.length;
  // JS `%` is Java's remainder; Math.abs of −0 and of (MIN_VALUE rem n) are both in range.
  return mqs[Math.abs(javaHashCode(String(arg)) % n)] as MessageQueue;
};

/** SelectMessageQueueByRandom. */
export const selectByRandom: MessageQueueSelector = (mqs) =>
  mqs[Math.floor(Math.random() * mqs.length)] as MessageQueue;

/**
 * The queue id a sharding key maps to, as ali-ons TopicPublishInfo.selectOneMessageQueue: MD5 of the key's
 * UTF-8 bytes, its first 4 bytes as an unsigned big-endian int, modulo the number of distinct queue ids
 * among the publish queues (taken in route order). Messages with one key then go to one queue id on
 * whichever broker is chosen, and an ali-ons producer puts the key on the same queue id.
 *
 * ali-ons treats a result of queue id 0 as "no key" (a falsy check) and spreads those messages; we keep
 * them on queue id 0, so only keys with a non-zero queue id land where ali-ons puts them.
 */
export function shardingKeyQueueId(shardingKey: string, mqs: readonly MessageQueue[]): number | undefined {
  const queueIds: number[] = [];
  for (const mq of mqs) if (!queueIds.includes(mq.queueId)) queueIds.push(mq.queueId);
  if (queueIds.length === 0) return undefined;
  const digest = createHash('md5').update(shardingKey, 'utf8').digest();
  return queueIds[digest.readUInt32BE(0) % queueIds.length];
}
