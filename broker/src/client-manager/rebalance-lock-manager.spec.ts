import {
  createRequest,
  decodeLockBatchResponse,
  encodeLockBatchRequest,
  RequestCode,
  ResponseCode,
  type MessageQueue,
} from '@rocketts/protocol';
import { silentLogger } from '@rocketts/client';
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { QueueLockProcessor } from '../processors/queue-lock-processor';
import { REBALANCE_LOCK_MAX_LIVE_TIME_MS, RebalanceLockManager } from './rebalance-lock-manager';

const mq = (queueId: number, topic = 'T'): MessageQueue => ({ topic, brokerName: 'broker-a', queueId });

function manager(start = 1_000_000): { locks: RebalanceLockManager; advance(ms: number): void } {
  let now = start;
  const locks = new RebalanceLockManager({ logger: silentLogger, now: () => now });
  return { locks, advance: (ms) => (now += ms) };
}

describe('RebalanceLockManager', () => {
  it('grants free queues and refuses queues another client holds', () => {
    const { locks } = manager();
    expect(locks.tryLockBatch('G', [mq(0), mq(1)], 'A')).toEqual([mq(0), mq(1)]);
    expect(locks.tryLockBatch('G', [mq(1), mq(2)], 'B')).toEqual([mq(2)]);
    expect(locks.isLocked('G', mq(1), 'A')).toBe(true);
    expect(locks.isLocked('G', mq(1), 'B')).toBe(false);
    // Groups are independent.
    expect(locks.tryLockBatch('G2', [mq(0)], 'B')).toEqual([mq(0)]);
  });

  it('a refresh by the holder keeps the lock alive past the original expiry', () => {
    const { locks, advance } = manager();
    locks.tryLockBatch('G', [mq(0)], 'A');
    advance(REBALANCE_LOCK_MAX_LIVE_TIME_MS - 1000);
    expect(locks.tryLockBatch('G', [mq(0)], 'A')).toEqual([mq(0)]);
    advance(REBALANCE_LOCK_MAX_LIVE_TIME_MS - 1000);
    expect(locks.tryLockBatch('G', [mq(0)], 'B')).toEqual([]);
    expect(locks.isLockAllExpired('G')).toBe(false);
  });

  it('an expired lock is taken over by the next client that asks', () => {
    const { locks, advance } = manager();
    locks.tryLockBatch('G', [mq(0)], 'A');
    advance(REBALANCE_LOCK_MAX_LIVE_TIME_MS);
    // Exactly the max live time is still alive (strictly older expires), as LockEntry.isExpired.
    expect(locks.tryLockBatch('G', [mq(0)], 'B')).toEqual([]);
    advance(1);
    expect(locks.isLocked('G', mq(0), 'A')).toBe(false);
    expect(locks.isLockAllExpired('G')).toBe(true);
    expect(locks.tryLockBatch('G', [mq(0)], 'B')).toEqual([mq(0)]);
    expect(locks.tryLockBatch('G', [mq(0)], 'A')).toEqual([]);
  });

  it('unlock releases only the caller’s own locks', () => {
    const { locks } = manager();
    locks.tryLockBatch('G', [mq(0)], 'A');
    locks.tryLockBatch('G', [mq(1)], 'B');
    locks.unlockBatch('G', [mq(0), mq(1)], 'B');
    expect(locks.isLocked('G', mq(0), 'A')).toBe(true);
    expect(locks.tryLockBatch('G', [mq(1)], 'C')).toEqual([mq(1)]);
    locks.unlockBatch('G', [mq(0)], 'A');
    expect(locks.tryLockBatch('G', [mq(0)], 'C')).toEqual([mq(0)]);
    locks.unlockBatch('unknown-group', [mq(0)], 'A');
  });
});

describe('QueueLockProcessor', () => {
  const request = (code: number, clientId: string, mqSet: MessageQueue[]) =>
    createRequest(
      code,
      undefined,
      encodeLockBatchRequest({ consumerGroup: 'G', clientId, mqSet, onlyThisBroker: false }),
    );

  it('answers LOCK_BATCH_MQ with the queues granted and UNLOCK_BATCH_MQ with SUCCESS', async () => {
    const { locks } = manager();
    const p = new QueueLockProcessor(locks);
    const ch = new MemoryChannel();
    const first = await p.process(request(RequestCode.LOCK_BATCH_MQ, 'A', [mq(0), mq(1)]), ch);
    expect(first?.code).toBe(ResponseCode.SUCCESS);
    expect(decodeLockBatchResponse(first?.body)).toEqual([mq(0), mq(1)]);
    const second = await p.process(request(RequestCode.LOCK_BATCH_MQ, 'B', [mq(1), mq(2)]), ch);
    expect(decodeLockBatchResponse(second?.body)).toEqual([mq(2)]);
    const unlock = await p.process(request(RequestCode.UNLOCK_BATCH_MQ, 'A', [mq(1)]), ch);
    expect(unlock?.code).toBe(ResponseCode.SUCCESS);
    const third = await p.process(request(RequestCode.LOCK_BATCH_MQ, 'B', [mq(1)]), ch);
    expect(decodeLockBatchResponse(third?.body)).toEqual([mq(1)]);
  });
});
