import {
  DLQ_GROUP_TOPIC_PREFIX,
  NOT_ALLOWED_SEND_TOPICS,
  RETRY_GROUP_TOPIC_PREFIX,
  SystemTopic,
} from '@rocketts/protocol';

export { topicNameProblem } from '@rocketts/protocol';

const SYSTEM_TOPICS: ReadonlySet<string> = new Set([
  ...NOT_ALLOWED_SEND_TOPICS,
  SystemTopic.AUTO_CREATE,
  SystemTopic.BENCHMARK,
  SystemTopic.TRACE,
]);

export const isNotAllowedSendTopic = (topic: string): boolean => NOT_ALLOWED_SEND_TOPICS.has(topic);
export const isSystemTopic = (topic: string): boolean =>
  SYSTEM_TOPICS.has(topic) || topic.startsWith('rmq_sys_');
export const isRetryTopic = (topic: string): boolean => topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
export const retryTopicOf = (group: string): string => `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
export const dlqTopicOf = (group: string): string => `${DLQ_GROUP_TOPIC_PREFIX}${group}`;
/** The consumer group of a %RETRY%<group> topic. */
export const groupOfRetryTopic = (topic: string): string => topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
