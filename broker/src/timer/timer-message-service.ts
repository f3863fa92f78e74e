import type { Logger } from '@rocketts/client';
import { readLong, SystemTopic } from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import { CQ_UNIT_SIZE, isValidUnit } from '../store/consume-queue/cq-unit';
import type { MessageStore } from '../store/message-store';
import { PutMessageStatus } from '../store/statuses';
import { messageTimeUp } from '../schedule/message-time-up';
import { DueHeap, type DueEntry } from './due-heap';
import type { TimerCursorTable } from './timer-cursor-table';
import { TIMER_PROPERTIES } from './timer-properties';
import { bucketEnd, bucketOf, slotOfBucket, type WheelGeometry } from './timer-wheel';

/** The wheel turns this often: delivery is at most one tick (+ the put) late. */
const TICK_MS = 50;
/** A bucket is loaded this long before it starts, so its first entries are in memory when due. */
const LOOKAHEAD_MS = 2_000;
/**
 * A bucket closes this long after it ends: a send accepted just before the end (due ≥ 1 s after its
 * accept time) has reached the consume queue by then.
 */
const CLOSE_GRACE_MS = 5_000;
/** Re-try after an unexpected error. */
const ERROR_BACKOFF_MS = 1_000;
/** Consume-queue units read per step (20 bytes each). */
const UNITS_PER_READ = 256;
/** Puts issued together; they reach the commit log in due order. */
const DELIVER_BATCH = 512;
/** Entries held in memory at most; beyond, a bucket is loaded in parts (later parts may be late, never early). */
const MAX_LOADED_ENTRIES = 1_000_000;

export interface TimerMessageServiceOptions {
  store: MessageStore;
  wheel: WheelGeometry;
  cursors: TimerCursorTable;
  /** ms between cursor writes (timerFlushIntervalMs). */
  persistIntervalMs: number;
  logger: Logger;
  /** Clock, for specs. */
  now?: () => number;
}

/** A slot queue whose bucket is open: what was read of it and what is still to deliver. */
interface OpenSlot {
  slot: number;
  bucket: number;
  /** Next logical offset to read. */
  readCursor: number;
  /** Read and not yet delivered, in offset order (insertion order of a Set). */
  undelivered: Set<number>;
  /** The unit at readCursor belongs to a later round: nothing more of this bucket can follow. */
  reachedNextRound: boolean;
}

/**
 * Delivers timer messages (5.x TimerMessageStore's role) from the persisted wheel of timer-wheel.ts.
 * Each tick it reads the slot queues of the buckets due within LOOKAHEAD_MS from their cursors into
 * a min-heap, re-stores every entry whose time has come to REAL_TOPIC / REAL_QID, and closes buckets
 * that are over and fully delivered. Work per tick is O(new entries + due entries · log heap):
 * buckets further ahead are never read, and a slot that reached its next round is not re-read.
 */
export class TimerMessageService {
  /** Messages delivered since start. */
  delivered = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private persistTimer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private readonly heap = new DueHeap();
  private readonly openSlots = new Map<number, OpenSlot>();
  private wheelPos = 0;
  private failing = false;
  private readonly now: () => number;

  constructor(private readonly o: TimerMessageServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  get wheel(): WheelGeometry {
    return this.o.wheel;
  }

  /** Read the saved position (config/timerWheel.json). */
  load(): void {
    this.o.cursors.load();
  }

  /**
   * Start turning. Without a saved position the wheel starts a full ring back, so entries already
   * held (a lost file) are found again: delivered twice rather than never.
   */
  start(): void {
    if (this.running) return;
    this.open();
    this.schedule(0);
    this.persistTimer = setInterval(() => {
      this.persist().catch((err: Error) =>
        this.o.logger.error('persisting timer cursors failed', { error: err }),
      );
    }, this.o.persistIntervalMs);
    this.persistTimer.unref();
  }

  /** Take the saved position without turning (start; specs turn the wheel with `tick`). */
  open(): void {
    this.running = true;
    this.wheelPos = this.o.cursors.wheelPos ?? bucketOf(this.o.wheel, this.now()) - this.o.wheel.slots + 1;
    this.o.cursors.setWheelPos(this.wheelPos);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.persistTimer) clearInterval(this.persistTimer);
    await this.pass;
    await this.persist(true);
  }

  /** Save the position; the commit log is synced first so no saved cursor passes an unsynced delivery. */
  persist(force = false): Promise<void> {
    this.snapshotCursors();
    return this.o.cursors.persist({ force, beforeWrite: () => this.o.store.flushCommitLog() });
  }

  /** One turn of the wheel: load what is due soon, deliver what is due, close finished buckets. */
  async tick(): Promise<void> {
    this.loadDue(this.now());
    await this.deliverDue();
    this.closeFinished(this.now());
  }

  /** Timer messages held and not yet delivered. */
  pending(): number {
    let n = 0;
    for (let slot = 0; slot < this.o.wheel.slots; slot++) {
      const cq = this.o.store.queues.find(SystemTopic.TIMER, slot);
      if (!cq) continue;
      const st = this.openSlots.get(slot);
      n += st
        ? cq.maxOffset - st.readCursor + st.undelivered.size
        : cq.maxOffset - Math.max(this.o.cursors.get(slot), cq.minOffset);
    }
    return n;
  }

  /** Entries read into memory and waiting for their time. */
  get loaded(): number {
    return this.heap.size;
  }

  runtimeInfo(): Record<string, string> {
    return {
      timerPendingMessages: String(this.pending()),
      timerDeliveredTotal: String(this.delivered),
      timerWheelPosition: String(this.wheelPos),
    };
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.pass = this.tick().then(
        () => this.schedule(TICK_MS),
        (err: Error) => {
          this.o.logger.error('delivering timer messages failed', { error: err });
          this.schedule(ERROR_BACKOFF_MS);
        },
      );
    }, ms);
    this.timer.unref();
  }

  private loadDue(now: number): void {
    const g = this.o.wheel;
    const target = bucketOf(g, now + LOOKAHEAD_MS);
    // Behind by a whole ring (a broker down for days): each slot once, for its latest due bucket;
    // entries of every earlier round in it are loaded too (bucket ≤ the open one).
    if (target - this.wheelPos >= g.slots) this.wheelPos = target - g.slots + 1;
    for (let b = this.wheelPos; b <= target; b++) {
      const slot = slotOfBucket(g, b);
      let st = this.openSlots.get(slot);
      if (!st) {
        st = {
          slot,
          bucket: b,
          readCursor: this.o.cursors.get(slot),
          undelivered: new Set(),
          reachedNextRound: false,
        };
        this.openSlots.set(slot, st);
      } else if (st.bucket < b) {
        st.bucket = b;
        st.reachedNextRound = false;
      }
      this.read(st);
    }
  }

  /** Read the open slot from its read cursor up to the first unit of a later round. */
  private read(st: OpenSlot): void {
    if (st.reachedNextRound) return;
    const cq = this.o.store.queues.find(SystemTopic.TIMER, st.slot);
    if (!cq) return;
    // Units deleted by retention are gone with their records.
    if (st.readCursor < cq.minOffset) st.readCursor = cq.minOffset;
    const g = this.o.wheel;
    while (st.readCursor < cq.maxOffset && this.heap.size < MAX_LOADED_ENTRIES) {
      const units = cq.readUnits(st.readCursor, UNITS_PER_READ);
      if (units.length === 0) return;
      for (let pos = 0; pos < units.length; pos += CQ_UNIT_SIZE) {
        if (!isValidUnit(units, pos)) {
          st.readCursor++;
          continue;
        }
        const due = readLong(units, pos + 12);
        if (bucketOf(g, due) > st.bucket) {
          st.reachedNextRound = true;
          return;
        }
        this.heap.push({ due, slot: st.slot, offset: st.readCursor, phy: readLong(units, pos) });
        st.undelivered.add(st.readCursor);
        st.readCursor++;
      }
    }
  }

  /** Put every due entry, in due order, a batch at a time; a failed put stays for the next tick. */
  private async deliverDue(): Promise<void> {
    while (this.running) {
      const now = this.now();
      const batch: DueEntry[] = [];
      while (batch.length < DELIVER_BATCH && (this.heap.peek()?.due ?? Infinity) <= now)
        batch.push(this.heap.pop() as DueEntry);
      if (batch.length === 0) return;
      const results = await Promise.all(batch.map((e) => this.deliver(e)));
      if (results.includes(false)) return;
    }
  }

  private async deliver(e: DueEntry): Promise<boolean> {
    const msg = this.timeUp(e.phy);
    if (msg) {
      const r = await this.o.store.putMessage(msg);
      if (r.status !== PutMessageStatus.PUT_OK) {
        if (!this.failing) {
          this.failing = true;
          this.o.logger.warn('delivering a timer message failed; will retry', {
            slot: e.slot,
            offset: e.offset,
            status: r.status,
            remark: r.remark,
          });
        }
        this.heap.push(e);
        return false;
      }
      this.failing = false;
      this.delivered++;
    }
    this.openSlots.get(e.slot)?.undelivered.delete(e.offset);
    return true;
  }

  /** Close buckets that ended CLOSE_GRACE_MS ago, were read to their end and are fully delivered. */
  private closeFinished(now: number): void {
    const g = this.o.wheel;
    while (bucketEnd(g, this.wheelPos) + CLOSE_GRACE_MS <= now) {
      const slot = slotOfBucket(g, this.wheelPos);
      const st = this.openSlots.get(slot);
      if (st && st.bucket === this.wheelPos) {
        const cq = this.o.store.queues.find(SystemTopic.TIMER, slot);
        const readAll = !cq || st.reachedNextRound || st.readCursor >= cq.maxOffset;
        if (!readAll || st.undelivered.size > 0) break;
        this.o.cursors.set(slot, st.readCursor);
        this.openSlots.delete(slot);
      }
      this.wheelPos++;
      this.o.cursors.setWheelPos(this.wheelPos);
    }
  }

  /** Open slots' cursors: the first offset not delivered (deliveries within a bucket are out of order). */
  private snapshotCursors(): void {
    for (const st of this.openSlots.values()) {
      const first = st.undelivered.values().next();
      this.o.cursors.set(st.slot, first.done ? st.readCursor : first.value);
    }
  }

  /** The copy to deliver for the record at `phy`, or undefined to skip the entry. */
  private timeUp(phy: number): MessageInner | undefined {
    return messageTimeUp(this.o.store, phy, TIMER_PROPERTIES, 'timer', this.o.logger);
  }
}
