import type { MessageExt, ProcessQueueInfo } from '@rocketts/protocol';
import { IntKeyTable } from '../../util/int-key-table';

/**
 * A queue this consumer holds is consumed only while its broker lock is younger than this
 * (ProcessQueue.REBALANCE_LOCK_MAX_LIVE_TIME, rocketmq.client.rebalance.lockMaxLiveTime). Locks are renewed
 * every 20 s; the broker lets another client take a lock only after 60 s.
 */
export const CLIENT_LOCK_MAX_LIVE_TIME_MS = 30_000; // 30 s

/** Offsets are compacted out of the ordering array once this many consumed ones precede the head. */
const COMPACT_AFTER = 1024;

const BYTES_PER_MIB = 1024 * 1024;

/**
 * Messages pulled from one queue and not yet consumed (ProcessQueue.java), sorted by queue offset, with
 * the counts flow control reads. The offset to commit is always the lowest offset not yet consumed, so a
 * crash can replay messages but never skip one.
 *
 * Concurrent mode takes messages out as their handlers finish (`removeMessages`), in any order. Orderly
 * mode moves a batch at a time into a "consuming" set (`takeMessages`) and either commits it or puts it
 * back (`makeMessagesToConsumeAgain`).
 */
export class ProcessQueue {
  /** offset → message, for the messages waiting or being consumed concurrently (not a Map: see IntKeyTable). */
  private readonly msgs = new IntKeyTable<MessageExt>();
  /**
   * Offsets ascending from `head`; entries whose message was removed stay behind as holes until the head
   * passes them (appends are the common case: pulls return increasing offsets).
   */
  private order: number[] = [];
  private head = 0;
  /** Orderly batch taken by takeMessages and not yet committed or given back. */
  private readonly consumingOrderly = new Map<number, MessageExt>();
  private count = 0;
  private bytes = 0;
  /** Highest offset ever put, −1 when none. */
  private maxOffsetPut = -1;

  /** Set when the queue is no longer ours (released, reset, offset moved, shutdown): stop pulling and consuming. */
  dropped = false;
  /** Orderly: a consume loop is running or scheduled for this queue. */
  consuming = false;
  /** Orderly clustering: the broker granted us this queue's lock. */
  locked = false;
  lastLockTimestamp = 0;
  lastPullTimestamp = Date.now();
  lastConsumeTimestamp = Date.now();
  /** Orderly: releases that found a batch still running. */
  tryUnlockTimes = 0;

  /** Messages held, the orderly batch in progress included. */
  get msgCount(): number {
    return this.count;
  }

  /** Body bytes held. */
  get msgSize(): number {
    return this.bytes;
  }

  get msgSizeInMiB(): number {
    return this.bytes / BYTES_PER_MIB;
  }

  /** Whether nothing waits (the orderly batch in progress does not count). */
  get isEmpty(): boolean {
    return this.msgs.size === 0;
  }

  /** Distance between the lowest and highest waiting offsets (getMaxSpan): a stuck message shows here. */
  get maxSpan(): number {
    const first = this.firstOffset();
    return first === undefined ? 0 : this.lastOffset() - first;
  }

  isLockExpired(now = Date.now()): boolean {
    return now - this.lastLockTimestamp > CLIENT_LOCK_MAX_LIVE_TIME_MS;
  }

  /**
   * Add pulled messages (already-held offsets are ignored). Returns whether an orderly consume loop must be
   * started: there is something to consume and none is running.
   */
  putMessages(list: readonly MessageExt[]): boolean {
    for (const m of list) {
      const offset = m.queueOffset;
      if (this.msgs.has(offset) || this.consumingOrderly.has(offset)) continue;
      this.insert(offset, m);
      this.count++;
      this.bytes += m.body.length;
      if (offset > this.maxOffsetPut) this.maxOffsetPut = offset;
    }
    if (!this.isEmpty && !this.consuming) {
      this.consuming = true;
      return true;
    }
    return false;
  }

  /**
   * Concurrent mode: `list` was consumed. Returns the offset to commit — the lowest offset still waiting, or
   * one past the highest ever put when none waits — or −1 when nothing was held.
   */
  removeMessages(list: readonly MessageExt[]): number {
    if (this.msgs.size === 0) return -1;
    for (const m of list) {
      const held = this.msgs.get(m.queueOffset);
      if (!held) continue;
      this.msgs.delete(m.queueOffset);
      this.count--;
      this.bytes -= held.body.length;
    }
    return this.firstOffset() ?? this.maxOffsetPut + 1;
  }

  /** Concurrent mode: the lowest message still waiting or being consumed (the one holding the offset back). */
  firstWaiting(): MessageExt | undefined {
    const offset = this.firstOffset();
    return offset === undefined ? undefined : this.msgs.get(offset);
  }

  /** Orderly: move up to `n` lowest messages into the consuming set; an empty result ends the loop. */
  takeMessages(n: number): MessageExt[] {
    const out: MessageExt[] = [];
    while (out.length < n) {
      const offset = this.firstOffset();
      if (offset === undefined) break;
      const m = this.msgs.get(offset) as MessageExt;
      this.msgs.delete(offset);
      this.consumingOrderly.set(offset, m);
      out.push(m);
    }
    if (out.length === 0) this.consuming = false;
    return out;
  }

  /** Orderly: the batch succeeded. Returns the offset to commit (one past its last message), −1 if none. */
  commit(): number {
    let last = -1;
    for (const [offset, m] of this.consumingOrderly) {
      if (offset > last) last = offset;
      this.count--;
      this.bytes -= m.body.length;
    }
    this.consumingOrderly.clear();
    return last < 0 ? -1 : last + 1;
  }

  /** Orderly: the batch failed; its messages go back in front, to be consumed again in order. */
  makeMessagesToConsumeAgain(list: readonly MessageExt[]): void {
    for (const m of list) {
      if (!this.consumingOrderly.delete(m.queueOffset)) continue;
      this.insert(m.queueOffset, m);
    }
  }

  /** Drop everything held (a reset or an illegal offset). */
  clear(): void {
    this.msgs.clear();
    this.consumingOrderly.clear();
    this.order = [];
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
  }

  /** What GET_CONSUMER_RUNNING_INFO reports for this queue (ProcessQueue.fillProcessQueueInfo). */
  info(commitOffset: number): ProcessQueueInfo {
    const first = this.firstOffset();
    return {
      commitOffset,
      cachedMsgMinOffset: first ?? 0,
      cachedMsgMaxOffset: first === undefined ? 0 : this.lastOffset(),
      cachedMsgCount: this.count,
      cachedMsgSizeInMiB: Math.floor(this.msgSizeInMiB),
      transactionMsgMinOffset: 0,
      transactionMsgMaxOffset: 0,
      transactionMsgCount: this.consumingOrderly.size,
      locked: this.locked,
      tryUnlockTimes: this.tryUnlockTimes,
      lastLockTimestamp: this.lastLockTimestamp,
      droped: this.dropped,
      lastPullTimestamp: this.lastPullTimestamp,
      lastConsumeTimestamp: this.lastConsumeTimestamp,
    };
  }

  /** Lowest waiting offset; skips (and eventually compacts) the holes left by removals. */
  private firstOffset(): number | undefined {
    while (this.head < this.order.length && !this.msgs.has(this.order[this.head] as number)) this.head++;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return this.head < this.order.length ? this.order[this.head] : undefined;
  }

  /** Highest waiting offset; call only when firstOffset() found one. Drops holes at the tail. */
  private lastOffset(): number {
    const order = this.order;
    while (order.length > this.head + 1 && !this.msgs.has(order[order.length - 1] as number)) order.pop();
    return order[order.length - 1] as number;
  }

  private insert(offset: number, m: MessageExt): void {
    this.msgs.set(offset, m);
    const order = this.order;
    if (order.length === 0 || offset > (order[order.length - 1] as number)) {
      order.push(offset);
      return;
    }
    // Out of order (a batch given back, a re-pull): binary search over the whole array, holes included.
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((order[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    if (order[lo] !== offset) order.splice(lo, 0, offset);
    if (lo < this.head) this.head = lo;
  }
}
