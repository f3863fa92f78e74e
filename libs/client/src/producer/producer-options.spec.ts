import { InvalidArgumentError, SerializeType } from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { resolvePullConsumerOptions } from '../consumer/pull-consumer-options';
import { resolveAdminOptions } from '../admin/admin-options';
import { Producer } from './producer';
import { resolveProducerOptions } from './producer-options';

const base = { namesrvAddr: '127.0.0.1:9876', producerGroup: 'PG', logger: silentLogger };

describe('producer options', () => {
  const saved = process.env.NAMESRV_ADDR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NAMESRV_ADDR;
    else process.env.NAMESRV_ADDR = saved;
  });

  it('merges Java defaults once', () => {
    const c = resolveProducerOptions(base);
    expect(c).toMatchObject({
      producerGroup: 'PG',
      sendMsgTimeoutMs: 3000,
      retryTimesWhenSendFailed: 2,
      compressMsgBodyOverHowmuch: 4096,
      maxMessageSize: 4 * 1024 * 1024,
      createTopicKey: 'TBW102',
      defaultTopicQueueNums: 4,
      heartbeatBrokerIntervalMs: 30_000,
      sendLatencyFaultEnable: true,
    });
    expect(c.client).toMatchObject({
      namesrvAddrs: ['127.0.0.1:9876'],
      serializeType: SerializeType.JSON,
      requestTimeoutMs: 3000,
      pollNameServerIntervalMs: 30_000,
    });
    expect(c.client.instanceName).not.toBe(resolveProducerOptions(base).client.instanceName);
  });

  it('rejects an unknown key, naming it', () => {
    const bad = { ...base, sendMsgTimeout: 10 } as unknown as Parameters<typeof resolveProducerOptions>[0];
    expect(() => new Producer(bad)).toThrow(InvalidArgumentError);
    expect(() => new Producer(bad)).toThrow(/^sendMsgTimeout: unknown Producer option/);
    expect(() =>
      resolvePullConsumerOptions({ namesrvAddr: 'h:1', consumerGroup: 'G', pullBatchSize: 1 } as never),
    ).toThrow(/pullBatchSize/);
    expect(() => resolveAdminOptions({ namesrvAddr: 'h:1', producerGroup: 'x' } as never)).toThrow(
      /producerGroup: unknown Admin option/,
    );
  });

  it.each([
    [{ producerGroup: '' }, 'producerGroup'],
    [{ producerGroup: undefined }, 'producerGroup'],
    [{ sendMsgTimeoutMs: 0 }, 'sendMsgTimeoutMs'],
    [{ retryTimesWhenSendFailed: -1 }, 'retryTimesWhenSendFailed'],
    [{ maxMessageSize: 1.5 }, 'maxMessageSize'],
    [{ serializeType: 'XML' }, 'serializeType'],
    [{ namesrvAddr: 'nohost' }, 'namesrvAddr'],
    [{ namesrvAddr: ';' }, 'namesrvAddr'],
    [{ createTopicKey: 'bad topic' }, 'createTopicKey'],
    [{ logger: {} }, 'logger'],
    [{ sendLatencyFaultEnable: 'yes' }, 'sendLatencyFaultEnable'],
  ])('rejects %j', (patch, key) => {
    expect(() => resolveProducerOptions({ ...base, ...patch } as never)).toThrow(new RegExp(`^${key}:`));
  });

  it('parses name-server lists and falls back to $NAMESRV_ADDR', () => {
    expect(
      resolveProducerOptions({ ...base, namesrvAddr: ' 10.0.0.1:9876; 10.0.0.2:9876 ;' }).client.namesrvAddrs,
    ).toEqual(['10.0.0.1:9876', '10.0.0.2:9876']);
    expect(resolveProducerOptions({ ...base, namesrvAddr: ['a:1', 'b:2'] }).client.namesrvAddrs).toEqual([
      'a:1',
      'b:2',
    ]);
    process.env.NAMESRV_ADDR = 'env:9876';
    expect(resolveProducerOptions({ producerGroup: 'PG', logger: silentLogger }).client.namesrvAddrs).toEqual(
      ['env:9876'],
    );
    delete process.env.NAMESRV_ADDR;
    expect(() => resolveProducerOptions({ producerGroup: 'PG', logger: silentLogger })).toThrow(
      /^namesrvAddr: is required/,
    );
  });
});
