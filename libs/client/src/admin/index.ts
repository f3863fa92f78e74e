export * from './admin';
export * from './admin-options';
export {
  DEFAULT_CREATE_TOPIC_QUEUE_NUMS,
  ORDER_TOPIC_CONFIG_NAMESPACE,
  type CreateTopicOptions,
} from './create-topic';
export { DEFAULT_QUERY_MAX_NUM, type QueryMessageOptions, type QueryResult } from './query-message';
export type { TopicQueueStatus } from './topic-stats';
export type { BrokerTarget } from './brokers';
export type { ConsumerProgress, QueueProgress } from './consumer-progress';
export { RESET_TO_MAX_OFFSET, type ResetQueueOffset } from './reset-offset';
export type { GroupTarget, SubGroupInput } from './sub-group';
export {
  DLQ_REPLAY_GROUP_PREFIX,
  type ResendDlqOptions,
  type ResendDlqQueue,
  type ResendDlqResult,
} from './resend-dlq';
