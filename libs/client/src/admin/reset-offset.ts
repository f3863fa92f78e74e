import {
  compareMessageQueue,
  decodeResetOffsetBody,
  RequestCode,
  ResetOffsetRequestHeader,
  type MessageQueue,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { routeBrokers } from './brokers';

/** One queue's new offset after a reset. */
export interface ResetQueueOffset {
  messageQueue: MessageQueue;
  offset: number;
}

/** `timestamp` that resets every queue to its end (the broker's max offset), as Java's −1. */
export const RESET_TO_MAX_OFFSET = -1;

/**
 * INVOKE_BROKER_TO_RESET_OFFSET to one address of every broker serving `topic`
 * (DefaultMQAdminExtImpl.resetOffsetByTimestamp). Each broker moves the group's stored offsets of its
 * queues to the first message stored at or after `timestamp` (ms; −1 = the end) — without `force` only
 * backwards — and tells the group's online clients with RESET_CONSUMER_CLIENT_OFFSET. Returns the new
 * offset of every queue, sorted. A broker that fails fails the call (the others have reset already).
 */
export async function resetOffsetByTime(
  instance: ClientInstance,
  consumerGroup: string,
  topic: string,
  timestamp: number,
  force: boolean,
): Promise<ResetQueueOffset[]> {
  const route = await instance.namesrv.getTopicRouteInfo(topic);
  const header = ResetOffsetRequestHeader.encode({ topic, group: consumerGroup, timestamp, isForce: force });
  const perBroker = await Promise.all(
    routeBrokers(route).map(async (b) => {
      const resp = await instance.invoke(
        b.addr,
        instance.request(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, header),
      );
      return decodeResetOffsetBody(resp.body);
    }),
  );
  return perBroker
    .flat()
    .map(([messageQueue, offset]) => ({ messageQueue, offset }))
    .sort((a, b) => compareMessageQueue(a.messageQueue, b.messageQueue));
}
