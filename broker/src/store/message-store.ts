import { join } from 'node:path';
import type { Logger } from '@rocketts/client';
import { BLANK_MAGIC, readLong, storeTimestampPos } from '@rocketts/protocol';
import type { StoreConfig } from '../config/store-config';
import { AbortMarker } from './checkpoint/abort-marker';
import { CheckpointFlusher } from './checkpoint/checkpoint-flusher';
import { StoreCheckpoint } from './checkpoint/store-checkpoint';
import { diskUsedRatio } from './cleaner/disk-usage';
import { RetentionCleaner } from './cleaner/retention-cleaner';
import {
  CommitLog,
  type AppendCallback,
  type AppendResult,
  type MessageInner,
} from './commit-log/commit-log';
import { CommitLogReadCache } from './commit-log/read-cache';
import { ConsumeQueueTable } from './consume-queue/consume-queue-table';
import { CQ_UNIT_SIZE } from './consume-queue/cq-unit';
import type { DispatchRequest } from './dispatch/dispatch-request';
import { ReputService, type ScheduleDeliverTime } from './dispatch/reput-service';
import { getMessage, type GetMessageResult } from './get-message';
import { IndexService } from './index/index-service';
import type { MessageFilter } from './message-filter';
import { PutMessageStatus } from './statuses';
import { recoverStore, type RecoveryReport } from './store-recovery';

export interface MessageStoreOptions {
  config: StoreConfig;
  logger: Logger;
  /** Bytes of commit log kept in memory for pulls. */
  readCacheBytes?: number;
  /** Disk use fraction of the store's partition; injectable for tests. */
  diskUsed?: () => number;
  /** Delivery time of delayed records (the schedule service's level table); without it their tagsCode is kept. */
  scheduleDeliverTime?: ScheduleDeliverTime;
}

export interface QueryMessageResult {
  records: Buffer[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/**
 * The message store (DefaultMessageStore's role, without its size): wires the commit log, dispatch,
 * consume queues, index, checkpoint and cleaner, and answers the broker's questions. Knows nothing
 * of remoting.
 */
export class MessageStore {
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly index: IndexService;
  private readonly reput: ReputService;
  private readonly cache: CommitLogReadCache;
  private readonly checkpoint: StoreCheckpoint;
  private readonly abort: AbortMarker;
  private readonly flusher: CheckpointFlusher;
  private readonly cleaner: RetentionCleaner;
  private readonly diskUsed: () => number;
  private running = false;
  private fatal: Error | undefined;
  lastRecovery: RecoveryReport | undefined;
  /** Messages stored since start. */
  putCount = 0;

  constructor(private readonly options: MessageStoreOptions) {
    const c = options.config;
    const root = c.storePathRootDir;
    this.queues = new ConsumeQueueTable(join(root, 'consumequeue'), c.mappedFileSizeConsumeQueue);
    this.index = new IndexService(
      join(root, 'index'),
      c.maxHashSlotNum,
      c.maxIndexNum,
      c.messageIndexEnable,
      (err) => options.logger.error('index file seal failed', { error: err }),
    );
    this.reput = new ReputService(this.queues, this.index, options.scheduleDeliverTime);
    this.commitLog = new CommitLog({
      dir: c.commitLogDir,
      fileSize: c.mappedFileSizeCommitLog,
      maxMessageSize: c.maxMessageSize,
      flushDiskType: c.flushDiskType as 'ASYNC_FLUSH' | 'SYNC_FLUSH',
      syncFlushTimeoutMs: c.syncFlushTimeout,
      flushIntervalMs: c.flushIntervalCommitLog,
      onAppended: (batch) => this.reput.dispatchBatch(batch),
      onBytesWritten: (file, position, src, srcOffset, len) =>
        this.cache.populate(file, position, src, srcOffset, len),
      stagingLender: {
        lend: (file, position, bytes) => this.cache.lend(file, position, bytes),
        settle: (written) => this.cache.settle(written),
      },
      onFatal: (err) => {
        this.fatal = err;
        options.logger.error('commit log write failed; store no longer accepts writes', { error: err });
      },
    });
    this.cache = new CommitLogReadCache(this.commitLog.files, options.readCacheBytes ?? c.readCacheSize);
    this.checkpoint = new StoreCheckpoint(join(root, 'checkpoint'));
    this.abort = new AbortMarker(join(root, 'abort'));
    this.flusher = new CheckpointFlusher(
      this.commitLog,
      this.queues,
      this.index,
      this.reput,
      this.checkpoint,
      c.flushIntervalConsumeQueue,
      options.logger,
    );
    this.diskUsed = options.diskUsed ?? (() => diskUsedRatio(root));
    this.cleaner = new RetentionCleaner(
      this.commitLog,
      this.queues,
      this.index,
      this.diskUsed,
      {
        fileReservedTimeHours: c.fileReservedTime,
        deleteWhenHours: c.deleteWhen.split(';').map(Number),
        diskMaxUsedSpaceRatio: c.diskMaxUsedSpaceRatio,
        cleanForciblyRatio: c.diskSpaceCleanForciblyRatio,
        warningLevelRatio: c.diskSpaceWarningLevelRatio,
        intervalMs: c.cleanResourceInterval,
      },
      options.logger,
    );
  }

  /** Recover from disk and start the background services. */
  async start(): Promise<RecoveryReport> {
    this.lastRecovery = recoverStore({
      commitLog: this.commitLog,
      queues: this.queues,
      index: this.index,
      reput: this.reput,
      checkpoint: this.checkpoint,
      abort: this.abort,
      logger: this.options.logger,
    });
    await this.commitLog.files.flush();
    this.abort.create();
    this.commitLog.start();
    this.flusher.start();
    this.cleaner.runOnce();
    this.cleaner.start();
    this.running = true;
    return this.lastRecovery;
  }

  /** Flush everything, write the checkpoint and remove the abort marker. */
  async shutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cleaner.stop();
    await this.commitLog.shutdown();
    await this.flusher.stop();
    await this.flusher.flushOnce();
    this.commitLog.files.close();
    this.queues.close();
    this.index.close();
    if (!this.fatal) this.abort.remove();
  }

  onMessageArrived(listener: (req: DispatchRequest) => void): void {
    this.reput.onMessageArrived(listener);
  }

  /** Why writes are refused right now, or undefined. */
  writeBlocker():
    | {
        status: typeof PutMessageStatus.SERVICE_NOT_AVAILABLE | typeof PutMessageStatus.DISK_FULL;
        remark: string;
      }
    | undefined {
    if (!this.running)
      return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, remark: 'message store is not running' };
    if (this.fatal)
      return {
        status: PutMessageStatus.SERVICE_NOT_AVAILABLE,
        remark: `message store write failed: ${this.fatal.message}`,
      };
    if (this.cleaner.isDiskFull) {
      return {
        status: PutMessageStatus.DISK_FULL,
        remark: 'service not available now: the disk is full, writes resume when space is freed',
      };
    }
    return undefined;
  }

  putMessage(msg: MessageInner): Promise<AppendResult> {
    return this.putMessages([msg]);
  }

  putMessages(msgs: readonly MessageInner[]): Promise<AppendResult> {
    return new Promise((resolve) => this.appendMessages(msgs, resolve));
  }

  /** Callback form of putMessages, for the send hot path. */
  appendMessages(msgs: readonly MessageInner[], done: AppendCallback): void {
    const blocked = this.writeBlocker();
    if (blocked) {
      return done({
        ...blocked,
        wroteOffset: -1,
        wroteBytes: 0,
        queueOffset: -1,
        storeTimestamp: 0,
        msgIds: [],
      });
    }
    this.putCount += msgs.length;
    this.commitLog.putAll(msgs, done);
  }

  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    filter: MessageFilter,
    maxBytes?: number,
  ): GetMessageResult {
    const c = this.options.config;
    return getMessage(this.queues, this.cache, topic, queueId, offset, filter, {
      maxMsgNums: Math.min(maxMsgNums, c.maxTransferCountOnMessageInMemory),
      maxTransferBytes: Math.min(maxBytes ?? Number.MAX_SAFE_INTEGER, c.maxTransferBytesOnMessageInMemory),
      maxFilterBytes: c.maxFilterMessageSize,
      minCommitLogOffset: this.commitLog.minOffset,
    });
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.maxOffset ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.minOffset ?? 0;
  }

  /** Store time of the message at logical `offset`, or -1. */
  getMessageStoreTimestamp(topic: string, queueId: number, offset: number): number {
    const u = this.queues.find(topic, queueId)?.readUnits(offset, 1);
    if (!u || u.length < CQ_UNIT_SIZE) return -1;
    const rec = this.cache.read(readLong(u, 0), Math.min(u.readInt32BE(8), 128));
    return rec ? readLong(rec, storeTimestampPos(rec.readInt32BE(36))) : -1;
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    return this.getMessageStoreTimestamp(topic, queueId, this.getMinOffsetInQueue(topic, queueId));
  }

  /**
   * Logical offset for a time (5.x boundary semantics): 'lower' = first message stored at or after
   * `timestamp` (the max offset if all are earlier); 'upper' = last stored at or before it.
   */
  getOffsetInQueueByTime(
    topic: string,
    queueId: number,
    timestamp: number,
    boundary: 'lower' | 'upper' = 'lower',
  ): number {
    const min = this.getMinOffsetInQueue(topic, queueId);
    const max = this.getMaxOffsetInQueue(topic, queueId);
    let lo = min;
    let hi = max;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = this.getMessageStoreTimestamp(topic, queueId, mid);
      if (boundary === 'lower' ? t >= timestamp : t > timestamp) hi = mid;
      else lo = mid + 1;
    }
    return boundary === 'lower' ? lo : Math.max(min, lo - 1);
  }

  /** fdatasync the commit log; resolves with the offset now on disk (the schedule service saves cursors after it). */
  flushCommitLog(): Promise<number> {
    return this.commitLog.files.flush();
  }

  /** The stored record at a commit-log offset (VIEW_MESSAGE_BY_ID, send-back, transactions). */
  /**
   * The record stored at `commitLogOffset`, through the read cache: the callers on hot paths (END_TRANSACTION,
   * send-back, schedule and timer delivery) look up records written moments ago, which the cache holds.
   */
  lookMessageByOffset(commitLogOffset: number): Buffer | undefined {
    if (commitLogOffset < this.commitLog.minOffset) return undefined;
    const head = this.cache.read(commitLogOffset, 8);
    if (!head) return undefined;
    const size = head.readInt32BE(0);
    if (size < 8 || head.readInt32BE(4) === BLANK_MAGIC) return undefined;
    const rec = this.cache.read(commitLogOffset, size);
    // PHYSICALOFFSET (bytes 28–35) names where the record was written: anything else is not a record start.
    // A copy: callers keep records across turns, while the cache reuses its blocks.
    return rec && readLong(rec, 28) === commitLogOffset ? Buffer.from(rec) : undefined;
  }

  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
    const r = this.index.query(topic, key, maxNum, begin, end);
    const records: Buffer[] = [];
    for (const off of r.phyOffsets) {
      const rec = this.lookMessageByOffset(off);
      if (rec) records.push(rec);
    }
    return {
      records,
      indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
    };
  }

  deleteTopics(topics: Iterable<string>): void {
    for (const t of topics) {
      this.queues.deleteTopic(t);
      this.commitLog.removeTopicOffsets(t);
    }
  }

  /** Run a retention round now, deleting expired files regardless of `deleteWhen`. */
  cleanExpiredFilesNow(now?: number): { deleted: number; usedRatio: number } {
    this.cleaner.triggerDelete();
    return this.cleaner.runOnce(now);
  }

  /** Re-read disk usage (tests and the cleaner's timer call this). */
  checkDiskSpace(): { deleted: number; usedRatio: number } {
    return this.cleaner.runOnce();
  }

  runtimeInfo(): Record<string, string> {
    return {
      commitLogMinOffset: String(this.commitLog.minOffset),
      commitLogMaxOffset: String(this.commitLog.maxOffset),
      commitLogFlushedOffset: String(this.commitLog.flushedOffset),
      dispatchBehindBytes: String(Math.max(0, this.commitLog.maxOffset - this.reput.dispatchedOffset)),
      putMessageTotalTimes: String(this.putCount),
      commitLogDiskRatio: diskRatioText(this.diskUsed),
      diskFull: String(this.cleaner.isDiskFull),
    };
  }
}

function diskRatioText(fn: () => number): string {
  try {
    return fn().toFixed(4);
  } catch {
    return 'unknown';
  }
}
