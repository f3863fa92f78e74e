import { messageQueueKey, type MessageQueue } from '@rocketts/protocol';

export interface AssignmentChange {
  /** Held now, not allocated any more: release. */
  removed: MessageQueue[];
  /** Allocated, not held yet: take. */
  added: MessageQueue[];
}

/**
 * The change between the queues of one topic a consumer holds and its new allocation
 * (RebalanceImpl.updateProcessQueueTableInRebalance's two loops), in the order given.
 */
export function diffAssignment(
  held: readonly MessageQueue[],
  allocated: readonly MessageQueue[],
): AssignmentChange {
  const want = new Set(allocated.map(messageQueueKey));
  const have = new Set(held.map(messageQueueKey));
  return {
    removed: held.filter((mq) => !want.has(messageQueueKey(mq))),
    added: allocated.filter((mq) => !have.has(messageQueueKey(mq))),
  };
}

/** Sorted copy of the consumer ids, as every member must see them (Collections.sort(cidAll)). */
export function sortedConsumerIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}
