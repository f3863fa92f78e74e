import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX, SystemTopic } from './message-const';

/** Topic names brokers accept (TopicValidator.VALID_PATTERN_STR). */
export const VALID_TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_MAX_LENGTH = 127; // characters, TopicValidator.TOPIC_MAX_LENGTH
/** Retry and DLQ topics carry a group name, so they may be longer. */
export const RETRY_TOPIC_MAX_LENGTH = 255;

/** Topics clients may not send to (TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET). */
export const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  SystemTopic.SCHEDULE,
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.SELF_TEST,
  SystemTopic.OFFSET_MOVED_EVENT,
]);

/** Why `topic` is not a valid topic name (blank, too long, bad characters), or undefined. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.trim().length === 0) return 'the topic is blank';
  const retry = topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX);
  const max = retry ? RETRY_TOPIC_MAX_LENGTH : TOPIC_MAX_LENGTH;
  if (topic.length > max) return `the topic '${topic.slice(0, 20)}…' is longer than ${max} characters`;
  if (!VALID_TOPIC_PATTERN.test(topic)) {
    return `the topic '${topic}' contains characters outside ${VALID_TOPIC_PATTERN.source}`;
  }
  return undefined;
}
