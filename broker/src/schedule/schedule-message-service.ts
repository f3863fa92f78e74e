import type { Logger } from '@rocketts/client';
import { MessageProperty, readLong, SystemTopic } from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import { CQ_UNIT_SIZE } from '../store/consume-queue/cq-unit';
import type { ConsumeQueue } from '../store/consume-queue/consume-queue';
import type { MessageStore } from '../store/message-store';
import { PutMessageStatus } from '../store/statuses';
import { messageTimeUp } from './message-time-up';
import type { DelayLevelTable } from './delay-levels';
import type { DelayOffsetTable } from './delay-offset-table';
import { delayLevelToQueueId } from './delay-put-hook';

/** Timings of ScheduleMessageService (5.x). */
const FIRST_DELAY_MS = 1_000; // first look at every level, after start
const DELAY_FOR_A_WHILE_MS = 100; // re-check of a level with nothing due, or after a failed put
const DELAY_FOR_A_PERIOD_MS = 10_000; // re-check after an unexpected error
/** Consume-queue units read per pass step (20 bytes each). */
const UNITS_PER_READ = 32;

/** Properties a delivered copy loses (messageTimeUp): it must not be delayed again. */
const DROPPED_ON_DELIVERY = [
  MessageProperty.DELAY,
  MessageProperty.TIMER_DELIVER_MS,
  MessageProperty.TIMER_DELAY_SEC,
] as const;

export interface ScheduleMessageServiceOptions {
  store: MessageStore;
  levels: DelayLevelTable;
  offsets: DelayOffsetTable;
  /** ms between cursor writes (flushDelayOffsetInterval). */
  persistIntervalMs: number;
  logger: Logger;
}

/** Where one level stands: its cursor and the end of its queue (runtime info, metrics). */
export interface LevelProgress {
  level: number;
  /** Next logical offset to deliver. */
  offset: number;
  /** Logical offsets stored so far in SCHEDULE_TOPIC_XXXX queue level − 1. */
  maxOffset: number;
}

/**
 * Delivers delayed messages when they are due (ScheduleMessageService): one cursor per level walks
 * SCHEDULE_TOPIC_XXXX queue level − 1, whose units carry the delivery time as tagsCode. A due entry
 * is re-stored to its REAL_TOPIC / REAL_QID as a new message, and the cursor moves past it only
 * once that put succeeded, so a delivery may repeat after a crash but is never skipped.
 */
export class ScheduleMessageService {
  /** Messages delivered since start. */
  delivered = 0;
  private running = false;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly passes = new Set<Promise<void>>();
  private persistTimer: NodeJS.Timeout | undefined;
  /** Levels whose last put failed: logged once per failure streak. */
  private readonly failing = new Set<number>();

  constructor(private readonly o: ScheduleMessageServiceOptions) {}

  get levels(): DelayLevelTable {
    return this.o.levels;
  }

  /** Read the saved cursors (delayOffset.json). */
  load(): void {
    this.o.offsets.load();
  }

  /** Body of GET_ALL_DELAY_OFFSET (45): `{"offsetTable":{1:…,2:…}}`. */
  encodeOffsets(): Buffer {
    return this.o.offsets.encode();
  }

  /** Correct cursors against the queues, then look at every level 1 s from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const level of this.o.levels.levels()) {
      const cq = this.queueOf(level);
      if (cq && this.o.offsets.has(level)) this.correctCursor(level, cq);
      this.schedule(level, FIRST_DELAY_MS);
    }
    this.persistTimer = setInterval(() => {
      this.persist().catch((err: Error) =>
        this.o.logger.error('persisting delay offsets failed', { error: err }),
      );
    }, this.o.persistIntervalMs);
    this.persistTimer.unref();
  }

  /** Stop delivering, let a put in flight finish, and save the cursors. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.persistTimer) clearInterval(this.persistTimer);
    await Promise.all([...this.passes]);
    await this.persist(true);
  }

  /** Save the cursors; the commit log is synced first so no saved cursor passes an unsynced delivery. */
  persist(force = false): Promise<void> {
    return this.o.offsets.persist({ force, beforeWrite: () => this.o.store.flushCommitLog() });
  }

  /** Every level of the table with its cursor and queue end. */
  progress(): LevelProgress[] {
    return this.o.levels.levels().map((level) => ({
      level,
      offset: this.o.offsets.get(level),
      maxOffset: this.queueOf(level)?.maxOffset ?? 0,
    }));
  }

  /** `scheduleMessageOffset_<level>` = "<cursor>,<max offset>" for the levels seen, as RocketMQ's runtime info. */
  runtimeInfo(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [level, offset] of this.o.offsets.entries()) {
      out[`scheduleMessageOffset_${level}`] = `${offset},${this.queueOf(level)?.maxOffset ?? 0}`;
    }
    return out;
  }

  private queueOf(level: number): ConsumeQueue | undefined {
    return this.o.store.queues.find(SystemTopic.SCHEDULE, delayLevelToQueueId(level));
  }

  /** A cursor outside the queue (files deleted, queue rebuilt shorter) moves to its nearest end (correctDelayOffset). */
  private correctCursor(level: number, cq: ConsumeQueue): number {
    const cursor = this.o.offsets.get(level);
    const corrected = Math.min(Math.max(cursor, cq.minOffset), cq.maxOffset);
    if (corrected !== cursor) {
      this.o.logger.warn('delay offset outside its queue, corrected', {
        level,
        from: cursor,
        to: corrected,
        minOffset: cq.minOffset,
        maxOffset: cq.maxOffset,
      });
      this.o.offsets.set(level, corrected);
    }
    return corrected;
  }

  private schedule(level: number, ms: number): void {
    if (!this.running) return;
    const t = setTimeout(() => this.runPass(level), ms);
    t.unref();
    this.timers.set(level, t);
  }

  private runPass(level: number): void {
    this.timers.delete(level);
    const pass = this.deliverDue(level).then(
      (nextMs) => this.schedule(level, nextMs),
      (err: Error) => {
        this.o.logger.error('delivering delayed messages failed', { level, error: err });
        this.schedule(level, DELAY_FOR_A_PERIOD_MS);
      },
    );
    this.passes.add(pass);
    void pass.finally(() => this.passes.delete(pass));
  }

  /**
   * Deliver every due entry of `level` from its cursor (DeliverDelayedMessageTimerTask.executeOnTimeUp);
   * resolves with the ms until the next pass.
   */
  private async deliverDue(level: number): Promise<number> {
    const cq = this.queueOf(level);
    if (!cq) return DELAY_FOR_A_WHILE_MS;
    let cursor = this.correctCursor(level, cq);
    while (this.running && cursor < cq.maxOffset) {
      const units = cq.readUnits(cursor, UNITS_PER_READ);
      if (units.length === 0) break;
      for (let pos = 0; pos < units.length && this.running; pos += CQ_UNIT_SIZE) {
        const now = Date.now();
        if (this.deliverAt(level, readLong(units, pos + 12), now) > now) {
          this.o.offsets.set(level, cursor);
          return DELAY_FOR_A_WHILE_MS;
        }
        const phy = readLong(units, pos);
        const msg = this.timeUp(phy);
        if (msg) {
          const r = await this.o.store.putMessage(msg);
          if (r.status !== PutMessageStatus.PUT_OK) {
            if (!this.failing.has(level)) {
              this.failing.add(level);
              this.o.logger.warn('delivering a delayed message failed; will retry', {
                level,
                offset: cursor,
                status: r.status,
                remark: r.remark,
              });
            }
            return DELAY_FOR_A_WHILE_MS;
          }
          this.failing.delete(level);
          this.delivered++;
        }
        cursor++;
        this.o.offsets.set(level, cursor);
      }
    }
    return DELAY_FOR_A_WHILE_MS;
  }

  /** A unit's delivery time, pulled in when it lies further ahead than its level allows (correctDeliverTimestamp: clock set back). */
  private deliverAt(level: number, tagsCode: number, now: number): number {
    return tagsCode > now + (this.o.levels.delayMs(level) ?? 0) ? now : tagsCode;
  }

  /** The copy to deliver for the record at `phy`, or undefined to skip the entry. */
  private timeUp(phy: number): MessageInner | undefined {
    return messageTimeUp(this.o.store, phy, DROPPED_ON_DELIVERY, 'delayed', this.o.logger);
  }
}
