/** Property names (MessageConst.java). Values are always strings. */
export const MessageProperty = {
  KEYS: 'KEYS',
  TAGS: 'TAGS',
  WAIT: 'WAIT',
  DELAY: 'DELAY',
  RETRY_TOPIC: 'RETRY_TOPIC',
  REAL_TOPIC: 'REAL_TOPIC',
  REAL_QID: 'REAL_QID',
  TRAN_MSG: 'TRAN_MSG',
  PGROUP: 'PGROUP',
  MIN_OFFSET: 'MIN_OFFSET',
  MAX_OFFSET: 'MAX_OFFSET',
  BUYER_ID: 'BUYER_ID',
  ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  RECONSUME_TIME: 'RECONSUME_TIME',
  MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  MSG_REGION: 'MSG_REGION',
  TRACE_ON: 'TRACE_ON',
  UNIQ_KEY: 'UNIQ_KEY',
  CONSUME_START_TIME: 'CONSUME_START_TIME',
  TRAN_PREPARED_QUEUE_OFFSET: 'TRAN_PREPARED_QUEUE_OFFSET',
  TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  CHECK_IMMUNITY_TIME_IN_SECONDS: 'CHECK_IMMUNITY_TIME_IN_SECONDS',
  TRANSACTION_ID: '__transactionId__',
  INSTANCE_ID: 'INSTANCE_ID',
  CORRELATION_ID: 'CORRELATION_ID',
  REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  TTL: 'TTL',
  ARRIVE_TIME: 'ARRIVE_TIME',
  PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
  CLUSTER: 'CLUSTER',
  MSG_TYPE: 'MSG_TYPE',
  SHARDING_KEY: '__SHARDINGKEY',
  /** The sharding key as ali-ons (and Aliyun ONS) spell it; it picks the queue id of the send (§12.1). */
  ONS_SHARDING_KEY: '__SHARDING_KEY',
  START_DELIVER_TIME: '__STARTDELIVERTIME',
  TIMER_DELIVER_MS: 'TIMER_DELIVER_MS',
  TIMER_DELAY_SEC: 'TIMER_DELAY_SEC',
  TIMER_DELAY_MS: 'TIMER_DELAY_MS',
  /** Absolute delivery time (epoch ms) the broker gives a timer message it holds (5.x MessageConst). */
  TIMER_OUT_MS: 'TIMER_OUT_MS',
} as const;

export type MessagePropertyName = (typeof MessageProperty)[keyof typeof MessageProperty];

/** Topics that carry broker-internal traffic; clients may not send to them. */
export const SystemTopic = {
  AUTO_CREATE: 'TBW102',
  SCHEDULE: 'SCHEDULE_TOPIC_XXXX',
  /** Timer messages (TIMER_DELIVER_MS …) wait here until due (5.x TimerMessageStore.TIMER_TOPIC). */
  TIMER: 'rmq_sys_wheel_timer',
  TRANS_HALF: 'RMQ_SYS_TRANS_HALF_TOPIC',
  TRANS_OP_HALF: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  TRANS_CHECK_MAX_TIME: 'TRANS_CHECK_MAX_TIME_TOPIC',
  SELF_TEST: 'SELF_TEST_TOPIC',
  OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  BENCHMARK: 'BenchmarkTest',
  TRACE: 'RMQ_SYS_TRACE_TOPIC',
} as const;

/** Replies of request-reply go to "<cluster>_REPLY_TOPIC", created by every broker at start (MixAll). */
export const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';
/** MSG_TYPE of a reply message; producers send such messages with SEND_REPLY_MESSAGE_V2 (MixAll). */
export const REPLY_MESSAGE_FLAG = 'reply';

/** The reply topic of a cluster (MixAll.getReplyTopic). */
export function replyTopicOf(clusterName: string): string {
  return `${clusterName}_${REPLY_TOPIC_POSTFIX}`;
}

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';
