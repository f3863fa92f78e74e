import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX, SystemTopic } from '@rocketts/protocol';

/** TopicValidator.java: characters, length, and topics clients may not send to. */
const VALID_TOPIC = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_MAX_LENGTH = 127;
/** Retry and DLQ topics carry a group name, so they may be longer. */
export const RETRY_TOPIC_MAX_LENGTH = 255;

const NOT_ALLOWED_SEND: ReadonlySet<string> = new Set([
  SystemTopic.SCHEDULE,
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.SELF_TEST,
  SystemTopic.OFFSET_MOVED_EVENT,
]);

const SYSTEM_TOPICS: ReadonlySet<string> = new Set([
  ...NOT_ALLOWED_SEND,
  SystemTopic.AUTO_CREATE,
  SystemTopic.BENCHMARK,
  SystemTopic.TRACE,
]);

/** Why `topic` is not a valid topic name, or undefined. */
export function topicNameProblem(topic: string): string | undefined {
  if (!topic || topic.trim().length === 0) return 'the topic is blank';
  const retry = topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX);
  const max = retry ? RETRY_TOPIC_MAX_LENGTH : TOPIC_MAX_LENGTH;
  if (topic.length > max) return `the topic is longer than ${max} characters`;
  if (!VALID_TOPIC.test(topic)) return `the topic '${topic}' contains characters outside [%|a-zA-Z0-9_-]`;
  return undefined;
}

export const isNotAllowedSendTopic = (topic: string): boolean => NOT_ALLOWED_SEND.has(topic);
export const isSystemTopic = (topic: string): boolean =>
  SYSTEM_TOPICS.has(topic) || topic.startsWith('rmq_sys_');
export const isRetryTopic = (topic: string): boolean => topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
export const retryTopicOf = (group: string): string => `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
export const dlqTopicOf = (group: string): string => `${DLQ_GROUP_TOPIC_PREFIX}${group}`;
