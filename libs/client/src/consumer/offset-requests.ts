import {
  GetEarliestMsgStoretimeResponseHeader,
  isResponseCode,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  TopicQueueRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  type MessageQueue,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';

/*
 * Offset requests to one broker address (MQClientAPIImpl.queryConsumerOffset, updateConsumerOffset,
 * getMaxOffset, getMinOffset, searchOffset, getEarliestMsgStoretime). Each reads extField `offset`
 * (or `timestamp`) of a SUCCESS answer; other codes are ResponseErrors.
 */

/** QUERY_CONSUMER_OFFSET: the group's committed offset, or −1 when the broker has none (QUERY_NOT_FOUND). */
export async function queryConsumerOffset(
  instance: ClientInstance,
  addr: string,
  group: string,
  mq: MessageQueue,
): Promise<number> {
  const header = QueryConsumerOffsetRequestHeader.encode({
    consumerGroup: group,
    topic: mq.topic,
    queueId: mq.queueId,
  });
  try {
    const resp = await instance.invoke(addr, instance.request(RequestCode.QUERY_CONSUMER_OFFSET, header));
    return OffsetResponseHeader.decode(resp.extFields).offset;
  } catch (err) {
    if (isResponseCode(err, ResponseCode.QUERY_NOT_FOUND)) return -1;
    throw err;
  }
}

/** UPDATE_CONSUMER_OFFSET as a request that waits for the answer (Java also has it one-way). */
export async function updateConsumerOffset(
  instance: ClientInstance,
  addr: string,
  group: string,
  mq: MessageQueue,
  commitOffset: number,
): Promise<void> {
  const header = UpdateConsumerOffsetRequestHeader.encode({
    consumerGroup: group,
    topic: mq.topic,
    queueId: mq.queueId,
    commitOffset,
  });
  await instance.invoke(addr, instance.request(RequestCode.UPDATE_CONSUMER_OFFSET, header));
}

/** GET_MAX_OFFSET: the next logical offset to be written (the number of entries). */
export function getMaxOffset(instance: ClientInstance, addr: string, mq: MessageQueue): Promise<number> {
  return offsetOf(instance, addr, RequestCode.GET_MAX_OFFSET, topicQueue(mq));
}

/** GET_MIN_OFFSET: the smallest logical offset still stored. */
export function getMinOffset(instance: ClientInstance, addr: string, mq: MessageQueue): Promise<number> {
  return offsetOf(instance, addr, RequestCode.GET_MIN_OFFSET, topicQueue(mq));
}

/** SEARCH_OFFSET_BY_TIMESTAMP (ms since the epoch). */
export async function searchOffset(
  instance: ClientInstance,
  addr: string,
  mq: MessageQueue,
  timestamp: number,
): Promise<number> {
  const header = SearchOffsetRequestHeader.encode({ topic: mq.topic, queueId: mq.queueId, timestamp });
  return offsetOf(instance, addr, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, header);
}

/** GET_EARLIEST_MSG_STORETIME: store time (ms) of the oldest message still in the queue. */
export async function getEarliestMsgStoreTime(
  instance: ClientInstance,
  addr: string,
  mq: MessageQueue,
): Promise<number> {
  const resp = await instance.invoke(
    addr,
    instance.request(RequestCode.GET_EARLIEST_MSG_STORETIME, topicQueue(mq)),
  );
  return GetEarliestMsgStoretimeResponseHeader.decode(resp.extFields).timestamp;
}

async function offsetOf(
  instance: ClientInstance,
  addr: string,
  code: number,
  header: Record<string, string>,
): Promise<number> {
  const resp = await instance.invoke(addr, instance.request(code, header));
  return OffsetResponseHeader.decode(resp.extFields).offset;
}

const topicQueue = (mq: MessageQueue): Record<string, string> =>
  TopicQueueRequestHeader.encode({ topic: mq.topic, queueId: mq.queueId });
