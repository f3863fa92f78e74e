import {
  InvalidArgumentError,
  MAX_PROPERTIES_BYTES,
  NOT_ALLOWED_SEND_TOPICS,
  SystemTopic,
  topicNameProblem,
} from '@rocketts/protocol';
import type { Message } from './message';

/** Producers may not send to the auto-create template either (DefaultMQProducer.sendKernelImpl). */
const NOT_ALLOWED_SEND: ReadonlySet<string> = new Set([...NOT_ALLOWED_SEND_TOPICS, SystemTopic.AUTO_CREATE]);

/** Validators.checkTopic: non-blank, `^[%|a-zA-Z0-9_-]+$`, at most 127 characters. */
export function checkTopic(topic: unknown, key = 'topic'): string {
  if (typeof topic !== 'string') throw new InvalidArgumentError(key, 'topic is blank');
  const problem = topicNameProblem(topic);
  if (problem) throw new InvalidArgumentError(key, problem);
  return topic;
}

export function checkSendTopic(topic: unknown): string {
  const t = checkTopic(topic);
  if (NOT_ALLOWED_SEND.has(t))
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
  // A UTF-16 unit takes at most 3 UTF-8 bytes: short text needs no count (the per-message path).
  if (encoded.length * 3 <= MAX_PROPERTIES_BYTES) return;
  const n = Buffer.byteLength(encoded, 'utf8');
  if (n > MAX_PROPERTIES_BYTES)
    throw new InvalidArgumentError('properties', `${n} bytes exceed ${MAX_PROPERTIES_BYTES}`);
}
