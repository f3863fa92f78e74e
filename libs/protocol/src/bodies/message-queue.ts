/** MessageQueue: `{"brokerName":"broker-a","queueId":0,"topic":"T"}`. */
export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

/** Java MessageQueue.compareTo: topic, then brokerName (UTF-16 order), then queueId. */
export function compareMessageQueue(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

export function messageQueueKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`;
}
