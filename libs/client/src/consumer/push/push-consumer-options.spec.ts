import { InvalidArgumentError } from '@rocketts/protocol';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger';
import { DEFAULT_CONSUME_TIMESTAMP_AGO_MS, parseConsumeTimestamp } from '../consume-from-where';
import { resolvePushConsumerOptions, type PushConsumerOptions } from './push-consumer-options';

const base: PushConsumerOptions = { namesrvAddr: '127.0.0.1:9876', consumerGroup: 'G', logger: silentLogger };
const resolve = (extra: Record<string, unknown> = {}) =>
  resolvePushConsumerOptions({ ...base, ...extra } as PushConsumerOptions);

describe('resolvePushConsumerOptions', () => {
  it('fills the Java defaults', () => {
    const c = resolve();
    expect(c).toMatchObject({
      consumerGroup: 'G',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      concurrency: 20,
      pullBatchSize: 32,
      consumeMessageBatchMaxSize: 1,
      pullThresholdForQueue: 1000,
      pullThresholdSizeForQueueMiB: 100,
      consumeConcurrentlyMaxSpan: 2000,
      maxReconsumeTimes: 16,
      consumeTimeoutMs: 15 * 60_000,
      suspendCurrentQueueTimeMillis: 1000,
      persistConsumerOffsetIntervalMs: 5000,
      heartbeatBrokerIntervalMs: 30_000,
      offsetStoreDir: join(homedir(), '.rocketmq_offsets'),
      awaitTerminationMs: 10_000,
    });
    expect(c.allocateStrategy.name).toBe('AVG');
    expect(Date.now() - DEFAULT_CONSUME_TIMESTAMP_AGO_MS - c.consumeTimestamp).toBeLessThan(1000);
    // Clustering members get a per-object instance name ("pid#…"), so two in one process differ.
    expect(c.client.instanceName).toMatch(/^\d+#/);
  });

  it('gives broadcasting consumers the stable instance name DEFAULT (their offsets file path uses it)', () => {
    expect(resolve({ messageModel: 'BROADCASTING' }).client.instanceName).toBe('DEFAULT');
    expect(resolve({ messageModel: 'BROADCASTING', instanceName: 'b1' }).client.instanceName).toBe('b1');
  });

  it('rejects unknown keys and bad values, naming the key', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ consumerGroup: '' }, 'consumerGroup'],
      [{ pullBatchSiz: 3 }, 'pullBatchSiz'],
      [{ messageModel: 'CLUSTER' }, 'messageModel'],
      [{ consumeFromWhere: 'CONSUME_FROM_MAX_OFFSET' }, 'consumeFromWhere'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ pullBatchSize: 1.5 }, 'pullBatchSize'],
      [{ pullThresholdForQueue: -1 }, 'pullThresholdForQueue'],
      [{ pullThresholdSizeForQueue: '100' }, 'pullThresholdSizeForQueue'],
      [{ maxReconsumeTimes: -1 }, 'maxReconsumeTimes'],
      [{ consumeTimeout: 0 }, 'consumeTimeout'],
      [{ consumeTimeout: '15' }, 'consumeTimeout'],
      [{ suspendCurrentQueueTimeMillis: 0 }, 'suspendCurrentQueueTimeMillis'],
      [{ persistConsumerOffsetInterval: 0 }, 'persistConsumerOffsetInterval'],
      [{ offsetStoreDir: '' }, 'offsetStoreDir'],
      [{ awaitTerminationMillisWhenShutdown: -5 }, 'awaitTerminationMillisWhenShutdown'],
      [{ allocateStrategy: 'RANDOM' }, 'allocateStrategy'],
      [{ allocateStrategy: { name: 'x' } }, 'allocateStrategy'],
      [{ consumeTimestamp: '2024-01-01' }, 'consumeTimestamp'],
      [{ namesrvAddr: 'nohost' }, 'namesrvAddr'],
    ];
    for (const [extra, key] of bad) {
      let err: unknown;
      try {
        resolve(extra);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(extra)).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message, JSON.stringify(extra)).toContain(key);
    }
    expect(() => resolvePushConsumerOptions(null as unknown as PushConsumerOptions)).toThrow(
      InvalidArgumentError,
    );
  });

  it('accepts a custom allocate strategy object', () => {
    const strategy = { name: 'ALL', allocate: <T>(_c: string, all: readonly T[]) => [...all] };
    expect(resolve({ allocateStrategy: strategy }).allocateStrategy).toBe(strategy);
  });
});

describe('parseConsumeTimestamp', () => {
  it('reads yyyyMMddHHmmss as local time, or ms', () => {
    expect(parseConsumeTimestamp('20240131235958')).toBe(new Date(2024, 0, 31, 23, 59, 58).getTime());
    expect(parseConsumeTimestamp(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseConsumeTimestamp(undefined, 10_000_000)).toBe(10_000_000 - DEFAULT_CONSUME_TIMESTAMP_AGO_MS);
    expect(() => parseConsumeTimestamp('20240230120000')).toThrow(/not a valid date/);
    expect(() => parseConsumeTimestamp('20240101246000')).toThrow(/not a valid date/);
  });
});
