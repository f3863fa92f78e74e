import {
  deflateBody,
  encodeBatchBody,
  encodeProperties,
  InvalidArgumentError,
  MessageProperty,
  MessageSysFlag,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  REPLY_MESSAGE_FLAG,
  RETRY_GROUP_TOPIC_PREFIX,
  type BatchEntry,
  type Properties,
  type UniqKeyGenerator,
} from '@rocketts/protocol';
import { int32, nonNegativeInt } from '../options/validate';
import type { Message } from './message';
import { checkBody, checkMessageShape, checkPropertiesSize, checkSendTopic } from './validators';

/** A message (or batch) ready for the wire: validated, ids assigned, properties encoded, body compressed. */
export interface PreparedMessage {
  topic: string;
  /** The body as sent: compressed when sysFlag has COMPRESSED, the §7.6 encoding for a batch. */
  body: Buffer;
  flag: number;
  sysFlag: number;
  /** Encoded properties string (§7.4); for a batch, the batch-level properties. */
  properties: string;
  /** UNIQ_KEY of each message, in order. */
  uniqKeys: string[];
  batch: boolean;
  /** The sharding key, when the message has one: it picks the queue id (ali-ons). */
  shardingKey?: string;
  /** MSG_TYPE is "reply": sent with SEND_REPLY_MESSAGE_V2 (as MQClientAPIImpl.sendMessage). */
  reply?: boolean;
  /** %RETRY% topics: header `j`, taken from the RECONSUME_TIME property (consumers' send-back fallback). */
  reconsumeTimes?: number;
  /** %RETRY% topics: header `l`, taken from the MAX_RECONSUME_TIMES property. */
  maxReconsumeTimes?: number;
}

export interface PrepareContext {
  maxMessageSize: number;
  /** Bodies of at least this many bytes are zlib-compressed (single messages only). */
  compressOverBytes: number;
  uniqKeys: UniqKeyGenerator;
}

/** Property text may not contain the separators of the properties string (§7.4). */
const hasSeparator = (s: string): boolean =>
  s.includes(NAME_VALUE_SEPARATOR) || s.includes(PROPERTY_SEPARATOR);

/** Validate one message and turn it into its wire form (DefaultMQProducerImpl.sendKernelImpl's preparation). */
export function prepareMessage(input: Message, ctx: PrepareContext): PreparedMessage {
  const msg = checkMessageShape(input);
  const topic = checkSendTopic(msg.topic);
  let body = checkBody(msg.body, ctx.maxMessageSize);
  const props = buildProperties(msg, ctx.uniqKeys);
  const retry = topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? takeRetryCounts(props) : {};
  const properties = encodeProperties(props);
  checkPropertiesSize(properties);
  let sysFlag = 0;
  // as DefaultMQProducerImpl.tryToCompressMessage: zlib at ≥ the threshold, sysFlag bit 0 (4.x: no type bits)
  if (body.length >= ctx.compressOverBytes) {
    body = deflateBody(body);
    sysFlag |= MessageSysFlag.COMPRESSED;
  }
  const prepared: PreparedMessage = {
    topic,
    body,
    flag: flagOf(msg),
    sysFlag,
    properties,
    uniqKeys: [props[MessageProperty.UNIQ_KEY] as string],
    batch: false,
    ...retry,
  };
  const shardingKey = props[MessageProperty.ONS_SHARDING_KEY];
  if (shardingKey !== undefined) prepared.shardingKey = shardingKey;
  if (props[MessageProperty.MSG_TYPE] === REPLY_MESSAGE_FLAG) prepared.reply = true;
  return prepared;
}

/**
 * A message to a %RETRY% topic carries its reconsume counts in the header (j, l) rather than as properties
 * (DefaultMQProducerImpl.sendKernelImpl); the broker decides retry or DLQ from them (§11.2).
 */
function takeRetryCounts(props: Properties): { reconsumeTimes?: number; maxReconsumeTimes?: number } {
  const out: { reconsumeTimes?: number; maxReconsumeTimes?: number } = {};
  const take = (name: string, key: 'reconsumeTimes' | 'maxReconsumeTimes'): void => {
    const v = props[name];
    if (v === undefined) return;
    out[key] = int32(Number(v), `properties.${name}`);
    delete props[name];
  };
  take(MessageProperty.RECONSUME_TIME, 'reconsumeTimes');
  take(MessageProperty.MAX_RECONSUME_TIMES, 'maxReconsumeTimes');
  return out;
}

/**
 * Validate messages for SEND_BATCH_MESSAGE (as MessageBatch.generateFromList): one topic, one WAIT value,
 * no delay, no retry topic, no compression; each message gets its own UNIQ_KEY. The batch-level
 * properties carry only WAIT (4.9 clients; 5.x adds a batch UNIQ_KEY that ≤ 5.3.3 brokers wrongly copy
 * onto every message).
 */
export function prepareBatch(input: readonly Message[], ctx: PrepareContext): PreparedMessage {
  if (!Array.isArray(input) || input.length === 0)
    throw new InvalidArgumentError('messages', 'a batch needs at least one message');
  const first = checkMessageShape(input[0]);
  const topic = checkSendTopic(first.topic);
  const wait = first.waitStoreMsgOK !== false;
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX))
    throw new InvalidArgumentError('topic', 'retry topics cannot take batches');
  const entries: BatchEntry[] = [];
  const uniqKeys: string[] = [];
  // One clock read per batch: the keys stay unique through their counter.
  const now = Date.now();
  input.forEach((m, i) => {
    const msg = checkMessageShape(m);
    if (msg.topic !== topic)
      throw new InvalidArgumentError(`messages[${i}].topic`, 'all messages of a batch must share one topic');
    if ((msg.waitStoreMsgOK !== false) !== wait) {
      throw new InvalidArgumentError(
        `messages[${i}].waitStoreMsgOK`,
        'all messages of a batch must share one waitStoreMsgOK',
      );
    }
    if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) {
      throw new InvalidArgumentError(`messages[${i}].delayTimeLevel`, 'delayed messages cannot be batched');
    }
    let properties: string;
    let uniqKey: string;
    if (isPlain(msg)) {
      uniqKey = ctx.uniqKeys.next(now);
      properties = (wait ? PLAIN_WAIT_TRUE : PLAIN_WAIT_FALSE) + uniqKey + PROPERTY_SEPARATOR;
    } else {
      const props = buildProperties(msg, ctx.uniqKeys, now);
      properties = encodeProperties(props);
      checkPropertiesSize(properties);
      uniqKey = props[MessageProperty.UNIQ_KEY] as string;
    }
    entries.push({ flag: flagOf(msg), body: checkBody(msg.body, ctx.maxMessageSize), properties });
    uniqKeys.push(uniqKey);
  });
  const body = encodeBatchBody(entries);
  if (body.length > ctx.maxMessageSize) {
    throw new InvalidArgumentError(
      'messages',
      `batch body of ${body.length} bytes exceeds maxMessageSize ${ctx.maxMessageSize}`,
    );
  }
  return {
    topic,
    body,
    flag: 0,
    sysFlag: 0,
    properties: encodeProperties({ [MessageProperty.WAIT]: String(wait) }),
    uniqKeys,
    batch: true,
  };
}

/**
 * A message with nothing but a topic, body, flag and WAIT: its properties are WAIT and a new UNIQ_KEY,
 * in buildProperties' order, joined without building the object (the batch path's common case).
 */
function isPlain(msg: Message): boolean {
  return (
    msg.properties === undefined &&
    (msg.tags === undefined || msg.tags === '') &&
    msg.keys === undefined &&
    (msg.shardingKey === undefined || msg.shardingKey === '') &&
    msg.delayTimeLevel === undefined
  );
}
const PLAIN_WAIT_TRUE = `${MessageProperty.WAIT}${NAME_VALUE_SEPARATOR}true${PROPERTY_SEPARATOR}${MessageProperty.UNIQ_KEY}${NAME_VALUE_SEPARATOR}`;
const PLAIN_WAIT_FALSE = `${MessageProperty.WAIT}${NAME_VALUE_SEPARATOR}false${PROPERTY_SEPARATOR}${MessageProperty.UNIQ_KEY}${NAME_VALUE_SEPARATOR}`;

/** User properties first, then the fields of Message; UNIQ_KEY kept if the caller set one (MessageClientIDSetter.setUniqID). */
function buildProperties(msg: Message, uniqKeys: UniqKeyGenerator, now = Date.now()): Properties {
  const props: Properties = {};
  if (msg.properties !== undefined) {
    if (typeof msg.properties !== 'object' || msg.properties === null)
      throw new InvalidArgumentError('properties', 'must be an object');
    for (const [name, value] of Object.entries(msg.properties)) {
      if (typeof value !== 'string')
        throw new InvalidArgumentError(`properties.${name}`, 'values must be strings');
      if (name.length === 0 || hasSeparator(name) || hasSeparator(value)) {
        throw new InvalidArgumentError(
          `properties.${name}`,
          'names and values may not be empty or hold U+0001/U+0002',
        );
      }
      props[name] = value;
    }
  }
  if (msg.tags !== undefined && msg.tags !== '') props[MessageProperty.TAGS] = text(msg.tags, 'tags');
  const keys = keysOf(msg.keys);
  if (keys) props[MessageProperty.KEYS] = keys;
  props[MessageProperty.WAIT] = msg.waitStoreMsgOK === false ? 'false' : 'true';
  if (msg.shardingKey !== undefined && msg.shardingKey !== '')
    props[MessageProperty.ONS_SHARDING_KEY] = text(msg.shardingKey, 'shardingKey');
  if (msg.delayTimeLevel !== undefined) {
    // Any level the broker can parse (a Java int); it clamps levels above its table's last (§11.1).
    const level = int32(nonNegativeInt(msg.delayTimeLevel, 'delayTimeLevel'), 'delayTimeLevel');
    if (level > 0) props[MessageProperty.DELAY] = String(level);
  }
  if (!props[MessageProperty.UNIQ_KEY]) props[MessageProperty.UNIQ_KEY] = uniqKeys.next(now);
  return props;
}

/** KEYS: one string, or several joined by spaces (MessageConst.KEY_SEPARATOR). */
function keysOf(keys: Message['keys']): string | undefined {
  if (keys === undefined) return undefined;
  const list = Array.isArray(keys) ? keys : [keys];
  const parts = list.map((k, i) => text(k, `keys[${i}]`)).filter((k) => k.length > 0);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function text(v: unknown, key: string): string {
  if (typeof v !== 'string') throw new InvalidArgumentError(key, 'must be a string');
  if (hasSeparator(v)) throw new InvalidArgumentError(key, 'may not hold U+0001/U+0002');
  return v;
}

function flagOf(msg: Message): number {
  return msg.flag === undefined ? 0 : int32(msg.flag, 'flag');
}
