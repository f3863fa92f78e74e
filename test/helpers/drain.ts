import type { PullConsumer } from '@rocketts/client';
import { compareMessageQueue, type MessageExt, type MessageQueue } from '@rocketts/protocol';
import type { SubExpression } from '@rocketts/client';

/** Every message of `mq` from `from` until the queue's end, in queue order. */
export async function drainQueue(
  consumer: PullConsumer,
  mq: MessageQueue,
  from = 0,
  sub: SubExpression = '*',
): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  let offset = from;
  for (;;) {
    const r = await consumer.pull(mq, { offset, maxNums: 32, subExpression: sub });
    out.push(...r.messages);
    if (r.status === 'NO_NEW_MSG' || r.nextBeginOffset === offset) break;
    offset = r.nextBeginOffset;
  }
  return out;
}

/**
 * Every message of every queue of `topic`, grouped by queue id: for a topic on one broker. A topic on
 * several brokers has several queues with one id; drainAll reads those.
 */
export async function drainTopic(
  consumer: PullConsumer,
  topic: string,
  sub: SubExpression = '*',
): Promise<Map<number, MessageExt[]>> {
  const out = new Map<number, MessageExt[]>();
  for (const mq of await consumer.fetchSubscribeMessageQueues(topic)) {
    if (out.has(mq.queueId))
      throw new Error(`${topic} has queue ${mq.queueId} on several brokers: use drainAll`);
    out.set(mq.queueId, await drainQueue(consumer, mq, 0, sub));
  }
  return out;
}

/** Every message of `topic` on every broker, queue after queue (brokers by name, then queue ids). */
export async function drainAll(
  consumer: PullConsumer,
  topic: string,
  sub: SubExpression = '*',
): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  for (const mq of (await consumer.fetchSubscribeMessageQueues(topic)).sort(compareMessageQueue))
    out.push(...(await drainQueue(consumer, mq, 0, sub)));
  return out;
}
