export * from './admin';
export * from './admin-options';
export {
  DEFAULT_CREATE_TOPIC_QUEUE_NUMS,
  ORDER_TOPIC_CONFIG_NAMESPACE,
  type CreateTopicOptions,
} from './create-topic';
export { DEFAULT_QUERY_MAX_NUM, type QueryMessageOptions, type QueryResult } from './query-message';
export type { TopicQueueStatus } from './topic-stats';
