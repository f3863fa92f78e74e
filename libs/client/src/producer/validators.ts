import { InvalidArgumentError, MAX_PROPERTIES_BYTES, SystemTopic } from '@rocketts/protocol';
import type { Message } from './message';

/** Topic names the broker accepts (TopicValidator.VALID_PATTERN_STR). */
export const VALID_TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_MAX_LENGTH = 127; // characters, TopicValidator.TOPIC_MAX_LENGTH

/** Topics producers may not send to (TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET plus the auto-create key). */
const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  SystemTopic.AUTO_CREATE,
  SystemTopic.SCHEDULE,
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.SELF_TEST,
  SystemTopic.OFFSET_MOVED_EVENT,
]);

/** Validators.checkTopic: non-blank, `^[%|a-zA-Z0-9_-]+$`, at most 127 characters. */
export function checkTopic(topic: unknown, key = 'topic'): string {
  if (typeof topic !== 'string' || topic.trim().length === 0)
    throw new InvalidArgumentError(key, 'topic is blank');
  if (topic.length > TOPIC_MAX_LENGTH) {
    throw new InvalidArgumentError(
      key,
      `topic '${topic.slice(0, 20)}…' is longer than ${TOPIC_MAX_LENGTH} characters`,
    );
  }
  if (!VALID_TOPIC_PATTERN.test(topic)) {
    throw new InvalidArgumentError(
      key,
      `topic '${topic}' contains characters outside ${VALID_TOPIC_PATTERN.source}`,
    );
  }
  return topic;
}

export function checkSendTopic(topic: unknown): string {
  const t = checkTopic(topic);
  if (NOT_ALLOWED_SEND_TOPICS.has(t))
    throw new InvalidArgumentError('topic', `sending to system topic '${t}' is not allowed`);
  return t;
}

/** The body as bytes, checked as Validators.checkMessage does: present, not empty, at most `maxBytes`. */
export function checkBody(body: unknown, maxBytes: number): Buffer {
  let buf: Buffer;
  if (Buffer.isBuffer(body)) buf = body;
  else if (typeof body === 'string') buf = Buffer.from(body, 'utf8');
  else throw new InvalidArgumentError('body', 'must be a Buffer or a string');
  if (buf.length === 0) throw new InvalidArgumentError('body', 'body length is zero');
  if (buf.length > maxBytes)
    throw new InvalidArgumentError('body', `body of ${buf.length} bytes exceeds maxMessageSize ${maxBytes}`);
  return buf;
}

export function checkMessageShape(msg: unknown): Message {
  if (typeof msg !== 'object' || msg === null) throw new InvalidArgumentError('message', 'must be an object');
  return msg as Message;
}

export function checkPropertiesSize(encoded: string): void {
  const n = Buffer.byteLength(encoded, 'utf8');
  if (n > MAX_PROPERTIES_BYTES)
    throw new InvalidArgumentError('properties', `${n} bytes exceed ${MAX_PROPERTIES_BYTES}`);
}
