import type { Logger } from '@rocketts/client';
import { messageQueueKey, type MessageQueue } from '@rocketts/protocol';

/**
 * A lock not refreshed for this long may be taken by another client
 * (RebalanceLockManager.REBALANCE_LOCK_MAX_LIVE_TIME, system property rocketmq.broker.rebalance.lockMaxLiveTime).
 * Clients re-lock every 20 s and stop consuming once their own copy is 30 s old, so an owner that
 * stopped refreshing has stopped consuming long before another client can take its queues.
 */
export const REBALANCE_LOCK_MAX_LIVE_TIME_MS = 60_000; // 60 s

interface LockEntry {
  clientId: string;
  /** ms of the last grant or refresh. */
  lastUpdate: number;
}

export interface RebalanceLockManagerOptions {
  logger: Logger;
  lockMaxLiveTimeMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Queue locks of orderly clustering consumers (RebalanceLockManager.java, §12.2): group → queue →
 * {clientId, lastUpdate}. A client holds a queue while it keeps refreshing the lock; a lock older than
 * `lockMaxLiveTimeMs` goes to the next client that asks.
 *
 * Locks are NOT dropped when a client's connection closes or its heartbeat expires: RocketMQ's broker does
 * not do it either (ClientHousekeepingService only unregisters the channel), so a crashed orderly consumer's
 * queues stay locked until the lock expires (60 s). This is deliberate: a connection can break while its
 * consumer is still running a batch; handing the queue over at once could let two consumers process it at
 * the same time. A clean shutdown sends UNLOCK_BATCH_MQ, which releases at once.
 */
export class RebalanceLockManager {
  private readonly table = new Map<string, Map<string, LockEntry>>();
  private readonly maxLiveMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(options: RebalanceLockManagerOptions) {
    this.logger = options.logger;
    this.maxLiveMs = options.lockMaxLiveTimeMs ?? REBALANCE_LOCK_MAX_LIVE_TIME_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Lock each queue for `clientId` where possible: unheld, held by the same client (refreshed), or held by a
   * lock that expired (taken over). Returns the queues the client now holds; the others stay with their owner.
   */
  tryLockBatch(group: string, mqs: readonly MessageQueue[], clientId: string): MessageQueue[] {
    const locks = this.groupTable(group);
    const now = this.now();
    const granted: MessageQueue[] = [];
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const entry = locks.get(key);
      if (!entry) {
        locks.set(key, { clientId, lastUpdate: now });
        this.logger.info('queue lock granted', { group, mq: key, clientId });
        granted.push(mq);
      } else if (entry.clientId === clientId) {
        entry.lastUpdate = now;
        granted.push(mq);
      } else if (now - entry.lastUpdate > this.maxLiveMs) {
        this.logger.warn('queue lock expired, taken over', {
          group,
          mq: key,
          oldClientId: entry.clientId,
          newClientId: clientId,
        });
        entry.clientId = clientId;
        entry.lastUpdate = now;
        granted.push(mq);
      } else {
        this.logger.debug('queue lock refused, held by another client', {
          group,
          mq: key,
          holder: entry.clientId,
          clientId,
        });
      }
    }
    return granted;
  }

  /** Release the queues `clientId` holds; locks of other clients are left alone. */
  unlockBatch(group: string, mqs: readonly MessageQueue[], clientId: string): void {
    const locks = this.table.get(group);
    if (!locks) return;
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const entry = locks.get(key);
      if (!entry) continue;
      if (entry.clientId === clientId) {
        locks.delete(key);
        this.logger.info('queue lock released', { group, mq: key, clientId });
      } else {
        this.logger.warn('unlock refused, queue held by another client', {
          group,
          mq: key,
          holder: entry.clientId,
          clientId,
        });
      }
    }
    if (locks.size === 0) this.table.delete(group);
  }

  /** Whether `clientId` holds an unexpired lock on `mq`. */
  isLocked(group: string, mq: MessageQueue, clientId: string): boolean {
    const entry = this.table.get(group)?.get(messageQueueKey(mq));
    return (
      entry !== undefined && entry.clientId === clientId && this.now() - entry.lastUpdate <= this.maxLiveMs
    );
  }

  /** Whether every lock of the group has expired (RebalanceLockManager.isLockAllExpired, used by 5.x DLQ routing). */
  isLockAllExpired(group: string): boolean {
    const locks = this.table.get(group);
    if (!locks) return true;
    const now = this.now();
    for (const entry of locks.values()) if (now - entry.lastUpdate <= this.maxLiveMs) return false;
    return true;
  }

  private groupTable(group: string): Map<string, LockEntry> {
    let locks = this.table.get(group);
    if (!locks) {
      locks = new Map();
      this.table.set(group, locks);
    }
    return locks;
  }
}
