import { ProtocolError } from '../errors/protocol-error';
import { stringifyJavaJson } from '../json/java-json';
import { arr, bool, num, obj, optObj, parseBody, str, type Json } from './body-reader';
import { decodeSubscriptionData, type SubscriptionData } from './heartbeat';
import type { MessageQueue } from './message-queue';

/*
 * Bodies of the consumption requests (§6.5, §12.2, §5). Maps keyed by MessageQueue are written as
 * fastjson does (the queue object itself as key, via a JS Map) and read back from the canonical key
 * text parseJavaJson produces.
 */

const json = (v: unknown): Buffer => Buffer.from(stringifyJavaJson(v), 'utf8');

export function decodeMessageQueue(v: unknown, what = 'MessageQueue'): MessageQueue {
  const mq = obj(v, what);
  return {
    topic: str(mq.topic, `${what}.topic`),
    brokerName: str(mq.brokerName, `${what}.brokerName`),
    queueId: num(mq.queueId, `${what}.queueId`),
  };
}

/** A MessageQueue-keyed map key as parseJavaJson leaves it (canonical JSON text of the queue). */
export function decodeMessageQueueKey(key: string, what = 'MessageQueue key'): MessageQueue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch (err) {
    throw new ProtocolError(`${what}: ${key.slice(0, 80)} is not a MessageQueue`, 'BODY_INVALID', err);
  }
  return decodeMessageQueue(parsed, what);
}

/** Plain object with the bean's keys, so the writer sorts them as fastjson does. */
function mqJson(mq: MessageQueue): Json {
  return { brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic };
}

function mqMap<T>(entries: Iterable<[MessageQueue, T]>): Map<Json, T> {
  const m = new Map<Json, T>();
  for (const [mq, v] of entries) m.set(mqJson(mq), v);
  return m;
}

function readMqMap<T>(v: unknown, what: string, read: (x: unknown) => T): [MessageQueue, T][] {
  return Object.entries(optObj(v, what)).map(([k, x]) => [decodeMessageQueueKey(k, `${what} key`), read(x)]);
}

// ---- LOCK_BATCH_MQ / UNLOCK_BATCH_MQ (§12.2) ----

export interface LockBatchRequestBody {
  consumerGroup: string;
  clientId: string;
  onlyThisBroker?: boolean;
  mqSet: MessageQueue[];
}

/** LockBatchRequestBody and UnlockBatchRequestBody (same keys). */
export function encodeLockBatchRequest(b: LockBatchRequestBody): Buffer {
  return json({
    clientId: b.clientId,
    consumerGroup: b.consumerGroup,
    mqSet: b.mqSet.map(mqJson),
    onlyThisBroker: b.onlyThisBroker ?? false,
  });
}

export function decodeLockBatchRequest(body: Buffer | undefined): LockBatchRequestBody {
  const j = parseBody(body, 'LockBatchRequestBody');
  return {
    consumerGroup: str(j.consumerGroup, 'LockBatchRequestBody.consumerGroup'),
    clientId: str(j.clientId, 'LockBatchRequestBody.clientId'),
    onlyThisBroker: bool(j.onlyThisBroker),
    mqSet: arr(j.mqSet, 'mqSet').map((m) => decodeMessageQueue(m, 'mqSet[]')),
  };
}

/** LockBatchResponseBody: `{"lockOKMQSet":[…]}`. */
export function encodeLockBatchResponse(locked: Iterable<MessageQueue>): Buffer {
  return json({ lockOKMQSet: [...locked].map(mqJson) });
}

export function decodeLockBatchResponse(body: Buffer | undefined): MessageQueue[] {
  if (!body || body.length === 0) return [];
  const j = parseBody(body, 'LockBatchResponseBody');
  return arr(j.lockOKMQSet, 'lockOKMQSet').map((m) => decodeMessageQueue(m, 'lockOKMQSet[]'));
}

// ---- RESET_CONSUMER_CLIENT_OFFSET / INVOKE_BROKER_TO_RESET_OFFSET ----

/** ResetOffsetBody: `{"offsetTable":{<MessageQueue>:offset}}`. */
export function encodeResetOffsetBody(table: Iterable<[MessageQueue, number]>): Buffer {
  return json({ offsetTable: mqMap(table) });
}

export function decodeResetOffsetBody(body: Buffer | undefined): [MessageQueue, number][] {
  const j = parseBody(body, 'ResetOffsetBody');
  return readMqMap(j.offsetTable, 'ResetOffsetBody.offsetTable', (x) => num(x, 'offset'));
}

// ---- GET_CONSUME_STATS ----

export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  pullOffset: number;
  /** Store time (ms) of the last consumed message, 0 when unknown. */
  lastTimestamp: number;
}

export interface ConsumeStats {
  consumeTps: number;
  offsetTable: [MessageQueue, OffsetWrapper][];
}

export function encodeConsumeStats(s: ConsumeStats): Buffer {
  return json({ consumeTps: s.consumeTps, offsetTable: mqMap(s.offsetTable) });
}

export function decodeConsumeStats(body: Buffer | undefined): ConsumeStats {
  const j = parseBody(body, 'ConsumeStats');
  return {
    consumeTps: num(j.consumeTps, 'ConsumeStats.consumeTps', 0),
    offsetTable: readMqMap(j.offsetTable, 'ConsumeStats.offsetTable', (x) => {
      const o = obj(x, 'OffsetWrapper');
      return {
        brokerOffset: num(o.brokerOffset, 'brokerOffset', 0),
        consumerOffset: num(o.consumerOffset, 'consumerOffset', 0),
        pullOffset: num(o.pullOffset, 'pullOffset', 0),
        lastTimestamp: num(o.lastTimestamp, 'lastTimestamp', 0),
      };
    }),
  };
}

// ---- GET_CONSUMER_CONNECTION_LIST / GET_PRODUCER_CONNECTION_LIST ----

export interface Connection {
  clientId: string;
  clientAddr: string;
  /** LanguageCode name ("JAVA", "NODE_JS", …). */
  language: string;
  version: number;
}

export interface ConsumerConnection {
  connectionSet: Connection[];
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptionTable: Record<string, SubscriptionData>;
}

export function encodeConsumerConnection(c: ConsumerConnection): Buffer {
  return json(c);
}

function decodeConnection(v: unknown): Connection {
  const c = obj(v, 'Connection');
  return {
    clientId: str(c.clientId, 'Connection.clientId'),
    clientAddr: str(c.clientAddr, 'Connection.clientAddr', ''),
    language: str(c.language, 'Connection.language', 'JAVA'),
    version: num(c.version, 'Connection.version', 0),
  };
}

export function decodeConsumerConnection(body: Buffer | undefined): ConsumerConnection {
  const j = parseBody(body, 'ConsumerConnection');
  const subs: Record<string, SubscriptionData> = {};
  for (const [topic, s] of Object.entries(optObj(j.subscriptionTable, 'subscriptionTable')))
    subs[topic] = decodeSubscriptionData(s);
  return {
    connectionSet: arr(j.connectionSet, 'connectionSet').map(decodeConnection),
    consumeType: str(j.consumeType, 'consumeType', ''),
    messageModel: str(j.messageModel, 'messageModel', ''),
    consumeFromWhere: str(j.consumeFromWhere, 'consumeFromWhere', ''),
    subscriptionTable: subs,
  };
}

/** ProducerConnection: `{"connectionSet":[…]}`. */
export function encodeProducerConnection(connections: Connection[]): Buffer {
  return json({ connectionSet: connections });
}

export function decodeProducerConnection(body: Buffer | undefined): Connection[] {
  return arr(parseBody(body, 'ProducerConnection').connectionSet, 'connectionSet').map(decodeConnection);
}

// ---- GET_CONSUMER_RUNNING_INFO (client → broker → admin) ----

/** ProcessQueueInfo of one queue, as the Java client reports it (times in ms). */
export interface ProcessQueueInfo {
  commitOffset: number;
  cachedMsgMinOffset: number;
  cachedMsgMaxOffset: number;
  cachedMsgCount: number;
  cachedMsgSizeInMiB: number;
  transactionMsgMinOffset: number;
  transactionMsgMaxOffset: number;
  transactionMsgCount: number;
  locked: boolean;
  tryUnlockTimes: number;
  lastLockTimestamp: number;
  droped: boolean;
  lastPullTimestamp: number;
  lastConsumeTimestamp: number;
}

export interface ConsumerRunningInfo {
  /** PROP_NAMESERVER_ADDR, PROP_CONSUME_TYPE, PROP_CONSUMEORDERLY, PROP_CLIENT_VERSION, … (all strings). */
  properties: Record<string, string>;
  subscriptionSet: SubscriptionData[];
  mqTable: [MessageQueue, ProcessQueueInfo][];
  /** topic → ConsumeStatus; we report what we measure and leave the rest 0. */
  statusTable: Record<string, Record<string, number>>;
  jstack?: string;
}

export function encodeConsumerRunningInfo(r: ConsumerRunningInfo): Buffer {
  return json({
    jstack: r.jstack,
    mqTable: mqMap(r.mqTable),
    properties: r.properties,
    statusTable: r.statusTable,
    subscriptionSet: r.subscriptionSet,
  });
}

export function decodeConsumerRunningInfo(body: Buffer | undefined): ConsumerRunningInfo {
  const j = parseBody(body, 'ConsumerRunningInfo');
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(optObj(j.properties, 'properties'))) props[k] = str(v, k, '');
  const status: Record<string, Record<string, number>> = {};
  for (const [topic, s] of Object.entries(optObj(j.statusTable, 'statusTable'))) {
    const row: Record<string, number> = {};
    for (const [k, v] of Object.entries(obj(s, 'ConsumeStatus'))) row[k] = num(v, k, 0);
    status[topic] = row;
  }
  return {
    properties: props,
    subscriptionSet: arr(j.subscriptionSet, 'subscriptionSet').map(decodeSubscriptionData),
    mqTable: readMqMap(j.mqTable, 'mqTable', (x) => {
      const q = obj(x, 'ProcessQueueInfo');
      const n = (k: string): number => num(q[k], k, 0);
      return {
        commitOffset: n('commitOffset'),
        cachedMsgMinOffset: n('cachedMsgMinOffset'),
        cachedMsgMaxOffset: n('cachedMsgMaxOffset'),
        cachedMsgCount: n('cachedMsgCount'),
        cachedMsgSizeInMiB: n('cachedMsgSizeInMiB'),
        transactionMsgMinOffset: n('transactionMsgMinOffset'),
        transactionMsgMaxOffset: n('transactionMsgMaxOffset'),
        transactionMsgCount: n('transactionMsgCount'),
        locked: bool(q.locked),
        tryUnlockTimes: n('tryUnlockTimes'),
        lastLockTimestamp: n('lastLockTimestamp'),
        droped: bool(q.droped),
        lastPullTimestamp: n('lastPullTimestamp'),
        lastConsumeTimestamp: n('lastConsumeTimestamp'),
      };
    }),
    statusTable: status,
    ...(j.jstack !== undefined && j.jstack !== null ? { jstack: str(j.jstack, 'jstack') } : {}),
  };
}

// ---- CONSUME_MESSAGE_DIRECTLY ----

export const CMResult = {
  CR_SUCCESS: 'CR_SUCCESS',
  CR_LATER: 'CR_LATER',
  CR_ROLLBACK: 'CR_ROLLBACK',
  CR_COMMIT: 'CR_COMMIT',
  CR_THROW_EXCEPTION: 'CR_THROW_EXCEPTION',
  CR_RETURN_NULL: 'CR_RETURN_NULL',
} as const;
export type CMResultValue = (typeof CMResult)[keyof typeof CMResult];

export interface ConsumeMessageDirectlyResult {
  order: boolean;
  autoCommit: boolean;
  consumeResult: CMResultValue;
  remark?: string;
  spentTimeMills: number;
}

export function encodeConsumeMessageDirectlyResult(r: ConsumeMessageDirectlyResult): Buffer {
  return json(r);
}

export function decodeConsumeMessageDirectlyResult(body: Buffer | undefined): ConsumeMessageDirectlyResult {
  const j = parseBody(body, 'ConsumeMessageDirectlyResult');
  const result = str(j.consumeResult, 'consumeResult', CMResult.CR_RETURN_NULL) as CMResultValue;
  return {
    order: bool(j.order),
    autoCommit: j.autoCommit === undefined ? true : bool(j.autoCommit),
    consumeResult: result,
    ...(j.remark !== undefined && j.remark !== null ? { remark: str(j.remark, 'remark') } : {}),
    spentTimeMills: num(j.spentTimeMills, 'spentTimeMills', 0),
  };
}
