import {
  CLIENT_OPTION_KEYS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  resolveClientConfig,
  type ClientConfig,
  type ClientOptions,
} from '../options/client-options';
import { nonEmptyString, optionsObject, positiveInt, rejectUnknownKeys } from '../options/validate';

export interface PullConsumerOptions extends ClientOptions {
  /** Required: offsets are stored per group. */
  consumerGroup: string;
  /** Socket timeout of a pull that may not be held by the broker (no suspendTimeoutMs). */
  consumerPullTimeoutMs?: number;
}

export const DEFAULT_CONSUMER_PULL_TIMEOUT_MS = 10_000; // 10 s, as DefaultMQPullConsumer.consumerPullTimeoutMillis
export const DEFAULT_PULL_BATCH_SIZE = 32; // messages, as DefaultMQPushConsumer.pullBatchSize
/**
 * A long poll's socket timeout is the hold time plus this margin, so the broker's empty answer arrives
 * before we give up (DefaultMQPullConsumer: 30 s socket timeout for a 20 s hold).
 */
export const LONG_POLL_TIMEOUT_MARGIN_MS = 10_000; // 10 s

const PULL_CONSUMER_OPTION_KEYS: Readonly<Record<keyof PullConsumerOptions, true>> = {
  ...CLIENT_OPTION_KEYS,
  consumerGroup: true,
  consumerPullTimeoutMs: true,
};

export interface PullConsumerConfig {
  client: ClientConfig;
  consumerGroup: string;
  consumerPullTimeoutMs: number;
}

export function resolvePullConsumerOptions(input: PullConsumerOptions): PullConsumerConfig {
  const o = optionsObject('PullConsumer', input);
  rejectUnknownKeys('PullConsumer', o, PULL_CONSUMER_OPTION_KEYS);
  return {
    consumerGroup: nonEmptyString(o.consumerGroup, 'consumerGroup'),
    consumerPullTimeoutMs: positiveInt(
      o.consumerPullTimeoutMs ?? DEFAULT_CONSUMER_PULL_TIMEOUT_MS,
      'consumerPullTimeoutMs',
    ),
    client: resolveClientConfig(o, {
      component: 'pull-consumer',
      // JSON.parse and JSON.stringify are native: cheaper in Node than the binary header's per-field codec.
      serializeType: 'JSON',
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    }),
  };
}
