import type { MessageQueue } from '@rocketts/protocol';
import type { TopicPublishInfo } from '../route/topic-publish-info';
import type { LatencyFaultTolerance } from './latency-fault-tolerance';

/**
 * The queue of one send attempt (MQFaultStrategy.selectOneMessageQueue), round-robin over the publish queues.
 * With fault avoidance: a broker neither avoided nor used by the failed previous attempt, else any broker not
 * avoided, else — every broker avoided — as without it: another broker than the last, else any. A sharding
 * key narrows every step to one queue id (on any broker, as ali-ons).
 */
export function chooseQueue(
  info: TopicPublishInfo,
  lastBrokerName: string | undefined,
  faults: LatencyFaultTolerance | undefined,
  queueId: number | undefined,
): MessageQueue | undefined {
  // The common case — no sharding key, no broker avoided — without a closure per send.
  if (queueId === undefined && (!faults || faults.empty)) return info.selectOneMessageQueue(lastBrokerName);
  const idOk = (mq: MessageQueue): boolean => queueId === undefined || mq.queueId === queueId;
  const notLast = (mq: MessageQueue): boolean => mq.brokerName !== lastBrokerName;
  if (faults) {
    const mq =
      info.selectOneMessageQueueWhere((q) => idOk(q) && notLast(q) && faults.isAvailable(q.brokerName)) ??
      info.selectOneMessageQueueWhere((q) => idOk(q) && faults.isAvailable(q.brokerName));
    if (mq) return mq;
  }
  return (
    info.selectOneMessageQueueWhere((q) => idOk(q) && notLast(q)) ?? info.selectOneMessageQueueWhere(idOk)
  );
}
