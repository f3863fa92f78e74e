import {
  decodeProperties,
  encodeProperties,
  MessageProperty,
  MessageSysFlag,
  Perm,
  SystemTopic,
  withTransactionType,
} from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import type { TopicConfigManager } from '../topics/topic-config-manager';

/** Every half message goes to queue 0 of RMQ_SYS_TRANS_HALF_TOPIC (TransactionalMessageUtil). */
export const HALF_QUEUE_ID = 0;

/** Whether a sent message asks to be stored as a half message (TRAN_MSG = "true", Boolean.parseBoolean). */
export function isHalfRequest(tranMsg: string | undefined): boolean {
  return tranMsg !== undefined && tranMsg.toLowerCase() === 'true';
}

/**
 * Turn a prepared send into its half message (§10.1, TransactionalMessageBridge.parseHalfMessageInner):
 * the real topic and queue kept in REAL_TOPIC / REAL_QID, __transactionId__ = UNIQ_KEY, transaction bits
 * reset to NOT_TYPE so the record takes a queue offset in the half queue, which no consumer of the real
 * topic reads. Like the DELAY hook it rewrites `msg` in place; only transactional sends get here.
 */
export function toHalfMessage(msg: MessageInner): void {
  const props = decodeProperties(msg.properties);
  props[MessageProperty.REAL_TOPIC] = msg.topic;
  props[MessageProperty.REAL_QID] = String(msg.queueId);
  if (msg.uniqKey) props[MessageProperty.TRANSACTION_ID] = msg.uniqKey;
  msg.properties = encodeProperties(props);
  msg.sysFlag = withTransactionType(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE);
  msg.topic = SystemTopic.TRANS_HALF;
  msg.queueId = HALF_QUEUE_ID;
}

/**
 * The send path's transaction hook (SendMessageProcessor: TRAN_MSG → prepareMessage): a message
 * whose TRAN_MSG is "true" becomes a half message, its system topic registered on first use with one queue.
 * Returns the message, or why it is illegal (batches cannot carry transactions, as Java's producer).
 */
export function prepareHalfMessage(
  topics: TopicConfigManager,
  msg: MessageInner,
  inBatch: boolean,
): MessageInner | string {
  if (inBatch) return 'transactional messages cannot be sent in a batch';
  topics.ensure(SystemTopic.TRANS_HALF, 1, Perm.READ | Perm.WRITE);
  toHalfMessage(msg);
  return msg;
}
