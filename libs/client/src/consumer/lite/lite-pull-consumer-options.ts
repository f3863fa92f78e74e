import { InvalidArgumentError } from '@rocketts/protocol';
import {
  CLIENT_OPTION_KEYS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  resolveClientConfig,
  type ClientConfig,
  type ClientOptions,
} from '../../options/client-options';
import {
  booleanOption,
  nonEmptyString,
  nonNegativeInt,
  optionsObject,
  positiveInt,
  oneOf,
  rejectUnknownKeys,
} from '../../options/validate';
import { ConsumeFromWhere, parseConsumeTimestamp, type ConsumeFromWhereValue } from '../consume-from-where';

/** Options of LitePullConsumer; names and defaults follow DefaultLitePullConsumer. */
export interface LitePullConsumerOptions extends ClientOptions {
  /** Required: offsets are committed and queues shared per group. */
  consumerGroup: string;
  /** Commit what poll returned every autoCommitIntervalMs, on rebalance and at shutdown. */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  /** Most messages one pull asks for; a poll returns at most one pull's worth. */
  pullBatchSize?: number;
  /** Prefetch stops while this many messages are cached in all. */
  pullThresholdForAll?: number;
  /** Prefetch of a queue stops while it has this many messages cached… */
  pullThresholdForQueue?: number;
  /** …or this many MiB. */
  pullThresholdSizeForQueueMiB?: number;
  /** How long poll() waits for messages when given no timeout. */
  pollTimeoutMs?: number;
  /** How long the broker may hold a pull that finds nothing (long polling). */
  brokerSuspendMaxTimeMs?: number;
  /** Socket timeout of a held pull; must exceed brokerSuspendMaxTimeMs. */
  consumerTimeoutMsWhenSuspend?: number;
  /** Pause of a queue's prefetch after a failed pull. */
  pullDelayOnExceptionMs?: number;
  consumeFromWhere?: ConsumeFromWhereValue;
  /** CONSUME_FROM_TIMESTAMP: "yyyyMMddHHmmss" (local time) or epoch ms; 30 minutes before start by default. */
  consumeTimestamp?: string | number;
  /** subscribe() mode: how often queues are re-divided among the group (also on NOTIFY_CONSUMER_IDS_CHANGED). */
  rebalanceIntervalMs?: number;
  /** subscribe() mode: period of HEART_BEAT to the brokers of subscribed topics. */
  heartbeatBrokerIntervalMs?: number;
}

export const DEFAULT_LITE_AUTO_COMMIT_INTERVAL_MS = 5_000; // 5 s, as DefaultLitePullConsumer
export const MIN_AUTO_COMMIT_INTERVAL_MS = 1_000; // as DefaultLitePullConsumer.MIN_AUTOCOMMIT_INTERVAL_MILLIS
export const DEFAULT_LITE_PULL_BATCH_SIZE = 10; // messages, as DefaultLitePullConsumer.pullBatchSize
export const DEFAULT_PULL_THRESHOLD_FOR_ALL = 10_000; // messages
export const DEFAULT_PULL_THRESHOLD_FOR_QUEUE = 1_000; // messages
export const DEFAULT_PULL_THRESHOLD_SIZE_FOR_QUEUE_MIB = 100; // MiB
export const DEFAULT_POLL_TIMEOUT_MS = 5_000; // 5 s
export const DEFAULT_BROKER_SUSPEND_MAX_TIME_MS = 20_000; // 20 s
export const DEFAULT_CONSUMER_TIMEOUT_MS_WHEN_SUSPEND = 30_000; // 30 s
export const DEFAULT_PULL_DELAY_ON_EXCEPTION_MS = 1_000; // 1 s, as pullTimeDelayMillsWhenException
/** Java re-divides every 20 s; a lite consumer here every 5 s, so a joining member gets its share soon. */
export const DEFAULT_LITE_REBALANCE_INTERVAL_MS = 5_000;
export const DEFAULT_LITE_HEARTBEAT_INTERVAL_MS = 30_000; // 30 s, as ClientConfig.heartbeatBrokerInterval

const KEYS: Readonly<Record<keyof LitePullConsumerOptions, true>> = {
  ...CLIENT_OPTION_KEYS,
  consumerGroup: true,
  autoCommit: true,
  autoCommitIntervalMs: true,
  pullBatchSize: true,
  pullThresholdForAll: true,
  pullThresholdForQueue: true,
  pullThresholdSizeForQueueMiB: true,
  pollTimeoutMs: true,
  brokerSuspendMaxTimeMs: true,
  consumerTimeoutMsWhenSuspend: true,
  pullDelayOnExceptionMs: true,
  consumeFromWhere: true,
  consumeTimestamp: true,
  rebalanceIntervalMs: true,
  heartbeatBrokerIntervalMs: true,
};

export interface LitePullConsumerConfig {
  client: ClientConfig;
  consumerGroup: string;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  pullBatchSize: number;
  pullThresholdForAll: number;
  pullThresholdForQueue: number;
  pullThresholdSizeForQueueBytes: number;
  pollTimeoutMs: number;
  brokerSuspendMaxTimeMs: number;
  consumerTimeoutMsWhenSuspend: number;
  pullDelayOnExceptionMs: number;
  consumeFromWhere: ConsumeFromWhereValue;
  consumeTimestampMs: number;
  rebalanceIntervalMs: number;
  heartbeatBrokerIntervalMs: number;
}

export function resolveLitePullConsumerOptions(input: LitePullConsumerOptions): LitePullConsumerConfig {
  const o = optionsObject('LitePullConsumer', input);
  rejectUnknownKeys('LitePullConsumer', o, KEYS);
  const autoCommitIntervalMs = positiveInt(
    o.autoCommitIntervalMs ?? DEFAULT_LITE_AUTO_COMMIT_INTERVAL_MS,
    'autoCommitIntervalMs',
  );
  if (autoCommitIntervalMs < MIN_AUTO_COMMIT_INTERVAL_MS)
    throw new InvalidArgumentError(
      'autoCommitIntervalMs',
      `must be at least ${MIN_AUTO_COMMIT_INTERVAL_MS} ms`,
    );
  const brokerSuspendMaxTimeMs = positiveInt(
    o.brokerSuspendMaxTimeMs ?? DEFAULT_BROKER_SUSPEND_MAX_TIME_MS,
    'brokerSuspendMaxTimeMs',
  );
  const consumerTimeoutMsWhenSuspend = positiveInt(
    o.consumerTimeoutMsWhenSuspend ??
      Math.max(DEFAULT_CONSUMER_TIMEOUT_MS_WHEN_SUSPEND, brokerSuspendMaxTimeMs + 10_000),
    'consumerTimeoutMsWhenSuspend',
  );
  if (consumerTimeoutMsWhenSuspend <= brokerSuspendMaxTimeMs)
    throw new InvalidArgumentError('consumerTimeoutMsWhenSuspend', 'must exceed brokerSuspendMaxTimeMs');
  const consumeFromWhere = oneOf(
    o.consumeFromWhere ?? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
    ConsumeFromWhere,
    'consumeFromWhere',
  );
  return {
    consumerGroup: nonEmptyString(o.consumerGroup, 'consumerGroup'),
    autoCommit: booleanOption(o.autoCommit, 'autoCommit', true),
    autoCommitIntervalMs,
    pullBatchSize: positiveInt(o.pullBatchSize ?? DEFAULT_LITE_PULL_BATCH_SIZE, 'pullBatchSize'),
    pullThresholdForAll: positiveInt(
      o.pullThresholdForAll ?? DEFAULT_PULL_THRESHOLD_FOR_ALL,
      'pullThresholdForAll',
    ),
    pullThresholdForQueue: positiveInt(
      o.pullThresholdForQueue ?? DEFAULT_PULL_THRESHOLD_FOR_QUEUE,
      'pullThresholdForQueue',
    ),
    pullThresholdSizeForQueueBytes:
      positiveInt(
        o.pullThresholdSizeForQueueMiB ?? DEFAULT_PULL_THRESHOLD_SIZE_FOR_QUEUE_MIB,
        'pullThresholdSizeForQueueMiB',
      ) *
      1024 *
      1024,
    pollTimeoutMs: nonNegativeInt(o.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS, 'pollTimeoutMs'),
    brokerSuspendMaxTimeMs,
    consumerTimeoutMsWhenSuspend,
    pullDelayOnExceptionMs: nonNegativeInt(
      o.pullDelayOnExceptionMs ?? DEFAULT_PULL_DELAY_ON_EXCEPTION_MS,
      'pullDelayOnExceptionMs',
    ),
    consumeFromWhere,
    consumeTimestampMs: parseConsumeTimestamp(o.consumeTimestamp),
    rebalanceIntervalMs: positiveInt(
      o.rebalanceIntervalMs ?? DEFAULT_LITE_REBALANCE_INTERVAL_MS,
      'rebalanceIntervalMs',
    ),
    heartbeatBrokerIntervalMs: positiveInt(
      o.heartbeatBrokerIntervalMs ?? DEFAULT_LITE_HEARTBEAT_INTERVAL_MS,
      'heartbeatBrokerIntervalMs',
    ),
    client: resolveClientConfig(o, {
      component: 'lite-pull-consumer',
      serializeType: 'JSON',
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    }),
  };
}
