import { InvalidArgumentError, type MessageQueue } from '@rocketts/protocol';
import {
  CLIENT_OPTION_KEYS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  resolveClientConfig,
  type ClientConfig,
  type ClientOptions,
} from '../../options/client-options';
import {
  nonEmptyString,
  nonNegativeInt,
  oneOf,
  optionsObject,
  positiveInt,
  positiveNumber,
  rejectUnknownKeys,
} from '../../options/validate';
import { ConsumeFromWhere, parseConsumeTimestamp, type ConsumeFromWhereValue } from '../consume-from-where';
import { DEFAULT_OFFSET_STORE_DIR } from '../offset-store/local-file-offset-store';
import { AVERAGELY, strategyByName, type AllocateStrategy } from '../rebalance/allocate-strategy';

export const MessageModel = { CLUSTERING: 'CLUSTERING', BROADCASTING: 'BROADCASTING' } as const;
export type MessageModelValue = (typeof MessageModel)[keyof typeof MessageModel];

export interface PushConsumerOptions extends ClientOptions {
  /** Required: members of a group share its queues (clustering) and its offsets. */
  consumerGroup: string;
  messageModel?: MessageModelValue;
  consumeFromWhere?: ConsumeFromWhereValue;
  /**
   * Start of CONSUME_FROM_TIMESTAMP: "yyyyMMddHHmmss" in local time (as Java) or ms since the epoch;
   * 30 minutes before start by default.
   */
  consumeTimestamp?: string | number;
  /** 'AVG' (default), 'AVG_BY_CIRCLE', or an AllocateStrategy; every member must use the same. */
  allocateStrategy?: string | AllocateStrategy<MessageQueue>;
  /** Most message handlers running at once, all queues together (consumeThreadMax). */
  concurrency?: number;
  /** Messages asked for per pull. */
  pullBatchSize?: number;
  /** Messages handed to one handler call. */
  consumeMessageBatchMaxSize?: number;
  /** Pause pulling a queue while it holds this many unconsumed messages. */
  pullThresholdForQueue?: number;
  /** Pause pulling a queue while its unconsumed bodies exceed this many MiB. */
  pullThresholdSizeForQueue?: number;
  /** Concurrent mode: pause pulling a queue while its lowest and highest unconsumed offsets are this far apart. */
  consumeConcurrentlyMaxSpan?: number;
  /** Failed deliveries before a message goes to the DLQ (concurrent: the broker counts; orderly: we do). */
  maxReconsumeTimes?: number;
  /**
   * Concurrent mode, minutes: a message whose handler has run this long is handed back for redelivery
   * (delay level 3) and no longer holds back its queue's offset; the handler is not interrupted.
   */
  consumeTimeout?: number;
  /** Orderly: pause before a failed batch is tried again. */
  suspendCurrentQueueTimeMillis?: number;
  /** How often consume offsets are persisted (broker or file). */
  persistConsumerOffsetInterval?: number;
  /** Period of HEART_BEAT to every broker. */
  heartbeatBrokerIntervalMs?: number;
  /** Broadcasting: root of the offsets files, `<dir>/<clientId>/<group>/offsets.json`. */
  offsetStoreDir?: string;
  /** shutdown() waits this long for running handlers before it commits and unregisters. */
  awaitTerminationMillisWhenShutdown?: number;
}

export const DEFAULT_CONSUME_CONCURRENCY = 20; // handlers, as DefaultMQPushConsumer.consumeThreadMax
export const DEFAULT_PUSH_PULL_BATCH_SIZE = 32; // messages, as DefaultMQPushConsumer.pullBatchSize
export const DEFAULT_CONSUME_BATCH_MAX_SIZE = 1; // messages, as consumeMessageBatchMaxSize
export const DEFAULT_PULL_THRESHOLD_FOR_QUEUE = 1000; // messages, as pullThresholdForQueue
export const DEFAULT_PULL_THRESHOLD_SIZE_FOR_QUEUE_MIB = 100; // MiB, as pullThresholdSizeForQueue
export const DEFAULT_CONSUME_CONCURRENTLY_MAX_SPAN = 2000; // offsets, as consumeConcurrentlyMaxSpan
/**
 * Java retries orderly messages forever (maxReconsumeTimes −1); we move a message that failed this many
 * times to the DLQ in both modes, so one poison message cannot stall its queue for ever.
 */
export const DEFAULT_MAX_RECONSUME_TIMES = 16; // as DefaultMQPushConsumer.maxReconsumeTimes for concurrent mode
export const DEFAULT_CONSUME_TIMEOUT_MINUTES = 15; // as DefaultMQPushConsumer.consumeTimeout
export const DEFAULT_SUSPEND_CURRENT_QUEUE_TIME_MS = 1000; // 1 s, as suspendCurrentQueueTimeMillis
export const DEFAULT_PERSIST_CONSUMER_OFFSET_INTERVAL_MS = 5000; // 5 s, as persistConsumerOffsetInterval
export const DEFAULT_PUSH_HEARTBEAT_INTERVAL_MS = 30_000; // 30 s, as heartbeatBrokerInterval
/** Java waits 0 ms by default (awaitTerminationMillisWhenShutdown); we let running handlers finish. */
export const DEFAULT_AWAIT_TERMINATION_MS = 10_000; // 10 s
/**
 * Java's broadcasting consumers keep instanceName "DEFAULT" (only clustering ones switch to the pid), so
 * the client id — and the offsets file path under it — is the same after a restart.
 */
export const BROADCAST_DEFAULT_INSTANCE_NAME = 'DEFAULT';

const PUSH_CONSUMER_OPTION_KEYS: Readonly<Record<keyof PushConsumerOptions, true>> = {
  ...CLIENT_OPTION_KEYS,
  consumerGroup: true,
  messageModel: true,
  consumeFromWhere: true,
  consumeTimestamp: true,
  allocateStrategy: true,
  concurrency: true,
  pullBatchSize: true,
  consumeMessageBatchMaxSize: true,
  pullThresholdForQueue: true,
  pullThresholdSizeForQueue: true,
  consumeConcurrentlyMaxSpan: true,
  maxReconsumeTimes: true,
  consumeTimeout: true,
  suspendCurrentQueueTimeMillis: true,
  persistConsumerOffsetInterval: true,
  heartbeatBrokerIntervalMs: true,
  offsetStoreDir: true,
  awaitTerminationMillisWhenShutdown: true,
};

export interface PushConsumerConfig {
  client: ClientConfig;
  consumerGroup: string;
  messageModel: MessageModelValue;
  consumeFromWhere: ConsumeFromWhereValue;
  /** ms since the epoch. */
  consumeTimestamp: number;
  allocateStrategy: AllocateStrategy<MessageQueue>;
  concurrency: number;
  pullBatchSize: number;
  consumeMessageBatchMaxSize: number;
  pullThresholdForQueue: number;
  pullThresholdSizeForQueueMiB: number;
  consumeConcurrentlyMaxSpan: number;
  maxReconsumeTimes: number;
  consumeTimeoutMs: number;
  suspendCurrentQueueTimeMillis: number;
  persistConsumerOffsetIntervalMs: number;
  heartbeatBrokerIntervalMs: number;
  offsetStoreDir: string;
  awaitTerminationMs: number;
}

/** Merge defaults once and validate; an unknown or bad key is an InvalidArgumentError naming it. */
export function resolvePushConsumerOptions(input: PushConsumerOptions): PushConsumerConfig {
  const o = optionsObject('PushConsumer', input);
  rejectUnknownKeys('PushConsumer', o, PUSH_CONSUMER_OPTION_KEYS);
  const messageModel = oneOf(o.messageModel ?? MessageModel.CLUSTERING, MessageModel, 'messageModel');
  const broadcasting = messageModel === MessageModel.BROADCASTING;
  return {
    consumerGroup: nonEmptyString(o.consumerGroup, 'consumerGroup'),
    messageModel,
    consumeFromWhere: oneOf(
      o.consumeFromWhere ?? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
      ConsumeFromWhere,
      'consumeFromWhere',
    ),
    consumeTimestamp: parseConsumeTimestamp(o.consumeTimestamp),
    allocateStrategy: allocateStrategyOption(o.allocateStrategy),
    concurrency: positiveInt(o.concurrency ?? DEFAULT_CONSUME_CONCURRENCY, 'concurrency'),
    pullBatchSize: positiveInt(o.pullBatchSize ?? DEFAULT_PUSH_PULL_BATCH_SIZE, 'pullBatchSize'),
    consumeMessageBatchMaxSize: positiveInt(
      o.consumeMessageBatchMaxSize ?? DEFAULT_CONSUME_BATCH_MAX_SIZE,
      'consumeMessageBatchMaxSize',
    ),
    pullThresholdForQueue: positiveInt(
      o.pullThresholdForQueue ?? DEFAULT_PULL_THRESHOLD_FOR_QUEUE,
      'pullThresholdForQueue',
    ),
    pullThresholdSizeForQueueMiB: positiveInt(
      o.pullThresholdSizeForQueue ?? DEFAULT_PULL_THRESHOLD_SIZE_FOR_QUEUE_MIB,
      'pullThresholdSizeForQueue',
    ),
    consumeConcurrentlyMaxSpan: positiveInt(
      o.consumeConcurrentlyMaxSpan ?? DEFAULT_CONSUME_CONCURRENTLY_MAX_SPAN,
      'consumeConcurrentlyMaxSpan',
    ),
    maxReconsumeTimes: nonNegativeInt(
      o.maxReconsumeTimes ?? DEFAULT_MAX_RECONSUME_TIMES,
      'maxReconsumeTimes',
    ),
    consumeTimeoutMs: Math.round(
      positiveNumber(o.consumeTimeout ?? DEFAULT_CONSUME_TIMEOUT_MINUTES, 'consumeTimeout') * 60_000,
    ),
    suspendCurrentQueueTimeMillis: positiveInt(
      o.suspendCurrentQueueTimeMillis ?? DEFAULT_SUSPEND_CURRENT_QUEUE_TIME_MS,
      'suspendCurrentQueueTimeMillis',
    ),
    persistConsumerOffsetIntervalMs: positiveInt(
      o.persistConsumerOffsetInterval ?? DEFAULT_PERSIST_CONSUMER_OFFSET_INTERVAL_MS,
      'persistConsumerOffsetInterval',
    ),
    heartbeatBrokerIntervalMs: positiveInt(
      o.heartbeatBrokerIntervalMs ?? DEFAULT_PUSH_HEARTBEAT_INTERVAL_MS,
      'heartbeatBrokerIntervalMs',
    ),
    offsetStoreDir:
      o.offsetStoreDir === undefined
        ? DEFAULT_OFFSET_STORE_DIR
        : nonEmptyString(o.offsetStoreDir, 'offsetStoreDir'),
    awaitTerminationMs: nonNegativeInt(
      o.awaitTerminationMillisWhenShutdown ?? DEFAULT_AWAIT_TERMINATION_MS,
      'awaitTerminationMillisWhenShutdown',
    ),
    client: resolveClientConfig(
      broadcasting && o.instanceName === undefined
        ? { ...o, instanceName: BROADCAST_DEFAULT_INSTANCE_NAME }
        : o,
      {
        component: 'push-consumer',
        // JSON.parse and JSON.stringify are native: cheaper in Node than the binary header's per-field codec.
        serializeType: 'JSON',
        requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      },
    ),
  };
}

function allocateStrategyOption(value: unknown): AllocateStrategy<MessageQueue> {
  if (value === undefined) return strategyByName<MessageQueue>(AVERAGELY);
  if (typeof value === 'string') return strategyByName<MessageQueue>(value);
  const s = value as Partial<AllocateStrategy<MessageQueue>>;
  if (typeof s !== 'object' || s === null || typeof s.allocate !== 'function' || typeof s.name !== 'string')
    throw new InvalidArgumentError(
      'allocateStrategy',
      'must be a strategy name or {name, allocate(cid, mqAll, cidAll)}',
    );
  return s as AllocateStrategy<MessageQueue>;
}
