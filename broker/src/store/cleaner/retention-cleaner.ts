import type { Logger } from '@rocketts/client';
import type { CommitLog } from '../commit-log/commit-log';
import type { ConsumeQueueTable } from '../consume-queue/consume-queue-table';
import type { IndexService } from '../index/index-service';

export interface RetentionOptions {
  /** Hours a segment is kept after its last write. */
  fileReservedTimeHours: number;
  /** Hours of the day when expired segments are deleted, e.g. [4]. */
  deleteWhenHours: number[];
  /** Percent of disk use that deletes expired segments at any hour. */
  diskMaxUsedSpaceRatio: number;
  /** Fraction of disk use that deletes the oldest segments even if not expired. */
  cleanForciblyRatio: number;
  /** Fraction of disk use above which writes are refused. */
  warningLevelRatio: number;
  intervalMs: number;
  /** Segments deleted per round at most, so one round never stalls the broker. */
  maxDeletePerRound?: number;
}

/**
 * Retention and disk guard (DefaultMessageStore.CleanCommitLogService + CleanConsumeQueueService):
 * deletes expired commit-log segments at `deleteWhen` or when the disk fills, then the consume-queue
 * and index files that only point at deleted data; flags the disk full above the warning level so
 * the store refuses writes, and clears the flag when space returns.
 */
export class RetentionCleaner {
  private timer: NodeJS.Timeout | undefined;
  private diskFull = false;
  private manualDelete = false;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly index: IndexService,
    private readonly diskUsed: () => number,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {}

  get isDiskFull(): boolean {
    return this.diskFull;
  }

  start(): void {
    this.timer = setInterval(() => this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Delete expired files at the next round regardless of the hour (TRIGGER_DELETE_FILES). */
  triggerDelete(): void {
    this.manualDelete = true;
  }

  runOnce(now = Date.now()): { deleted: number; usedRatio: number } {
    let used = 0;
    try {
      used = this.diskUsed();
    } catch (err) {
      this.logger.warn('cannot read disk usage', { error: err as Error });
    }
    this.updateDiskFull(used);
    const forcibly = used >= this.options.cleanForciblyRatio;
    const due =
      this.manualDelete ||
      forcibly ||
      used * 100 >= this.options.diskMaxUsedSpaceRatio ||
      this.options.deleteWhenHours.includes(new Date(now).getHours());
    this.manualDelete = false;
    if (!due) return { deleted: 0, usedRatio: used };
    const reservedMs = this.options.fileReservedTimeHours * 3600_000;
    const max = this.options.maxDeletePerRound ?? 10;
    let deleted = 0;
    const files = this.commitLog.files;
    while (deleted < max && files.all.length > 1) {
      const first = files.first;
      if (!first) break;
      const expired = now - first.lastModifiedMs() >= reservedMs;
      if (!expired && !forcibly) break;
      files.deleteFirst();
      deleted++;
      this.logger.info('deleted commit-log segment', {
        file: first.path,
        expired,
        forcibly,
        usedRatio: used,
      });
    }
    if (deleted > 0) {
      const min = this.commitLog.minOffset;
      this.queues.deleteExpired(min);
      this.index.deleteExpired(min);
      this.updateDiskFull(this.safeUsage(used));
    }
    return { deleted, usedRatio: used };
  }

  private safeUsage(fallback: number): number {
    try {
      return this.diskUsed();
    } catch {
      return fallback;
    }
  }

  private updateDiskFull(used: number): void {
    const full = used >= this.options.warningLevelRatio;
    if (full !== this.diskFull) {
      this.diskFull = full;
      if (full)
        this.logger.error('disk nearly full, refusing writes', {
          usedRatio: used,
          limit: this.options.warningLevelRatio,
        });
      else this.logger.info('disk space back below the limit, accepting writes', { usedRatio: used });
    }
  }
}
