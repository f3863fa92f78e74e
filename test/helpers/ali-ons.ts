/*
 * The slice of ali-ons 3.12 (untyped CommonJS) the interop tests use, typed, plus its test-friendly
 * options and a polling helper.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

export interface AliMessage {
  topic: string;
  /** The TAGS property; ali-ons' own constructor stores a missing tag as the text "null". */
  tags: string | null | undefined;
  /** KEYS joined by spaces; set with an array. */
  get keys(): string | undefined;
  set keys(keys: string[]);
  body: Buffer;
  properties: Record<string, string | null | undefined>;
  /** Offset message id (§8.2) on received messages. */
  msgId: string;
  queueId: number;
  queueOffset: number;
  reconsumeTimes: number;
}
/** What a handler was given: ali-ons mutates its message objects later (local retry, topic reset). */
export type Delivery = Pick<
  AliMessage,
  'topic' | 'tags' | 'keys' | 'body' | 'properties' | 'msgId' | 'queueId' | 'queueOffset' | 'reconsumeTimes'
>;
export function snapshot(m: AliMessage): Delivery {
  return {
    topic: m.topic,
    tags: m.tags,
    keys: m.keys,
    body: Buffer.from(m.body),
    properties: { ...m.properties },
    msgId: m.msgId,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    reconsumeTimes: m.reconsumeTimes,
  };
}
export interface AliSendResult {
  sendStatus: string;
  /** The broker's offset message id. */
  msgId: string;
  /** queueId stays a string: ali-ons copies the extField as is. */
  messageQueue: { topic: string; brokerName: string; queueId: string };
  queueOffset: number;
}
export interface AliClient extends EventEmitter {
  ready(): Promise<void>;
  close(): Promise<void>;
}
export interface AliProducer extends AliClient {
  send(msg: AliMessage): Promise<AliSendResult>;
}
export interface AliConsumer extends AliClient {
  subscribe(topic: string, subExpression: string, handler: (msg: AliMessage) => Promise<void>): void;
}
export interface AliOns {
  Message: new (topic: string, tagsOrBody: string | Buffer, body?: string | Buffer) => AliMessage;
  Producer: (new (options: Record<string, unknown>) => AliProducer) & {
    /** The process-wide CLIENT_INNER_PRODUCER that re-sends failed messages to %RETRY%<group>. */
    defaultProducer?: AliProducer | null;
  };
  Consumer: new (options: Record<string, unknown>) => AliConsumer;
}
/** An error ali-ons emits for a non-success response (MQClientAPI._defaultHandler). */
export interface AliClientException extends Error {
  code?: number;
}

export const aliOns = createRequire(__filename)('ali-ons') as AliOns;

/** ali-ons logs through options.logger (warn/error to the console by default). */
export const quietAliLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Options shared by every ali-ons client: this cluster, no HTTP name-server lookup (it still insists
 * on an `httpclient`), and short periods so routes, heartbeats, rebalances and offset commits happen
 * within the test instead of every 5–30 s.
 */
export const ALI_PERIOD_MS = 500;
export function aliOptions(nameSrv: string): Record<string, unknown> {
  return {
    nameSrv,
    httpclient: {},
    logger: quietAliLogger,
    clientIP: '127.0.0.1',
    pollNameServerInteval: ALI_PERIOD_MS, // sic, ali-ons' spelling
    heartbeatBrokerInterval: ALI_PERIOD_MS,
    rebalanceInterval: ALI_PERIOD_MS,
    persistConsumerOffsetInterval: ALI_PERIOD_MS,
  };
}
/** Consumer-only: hold empty pulls 1 s instead of 15 s, so tag-filtered tails are committed soon. */
export const ALI_CONSUMER_OPTIONS = {
  brokerSuspendMaxTimeMillis: 1000,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  isBroadcast: false,
};

/** Each wait below normally ends within about a second (periods of ALI_PERIOD_MS, 1 s long polls). */
export const WAIT_MS = 10_000;
/** A test with several waits gets room for all of them to fail with their own message. */
export const LONG_TEST_MS = 45_000;

/** Poll until `check` passes or `timeoutMs` elapses; the last failure is rethrown. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
