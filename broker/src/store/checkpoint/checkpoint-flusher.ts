import type { Logger } from '@rocketts/client';
import type { CommitLog } from '../commit-log/commit-log';
import type { ConsumeQueueTable } from '../consume-queue/consume-queue-table';
import type { ReputService } from '../dispatch/reput-service';
import type { IndexService } from '../index/index-service';
import type { StoreCheckpoint } from './store-checkpoint';

/**
 * Every `intervalMs`: fdatasync consume queues and the index, then record in the checkpoint the
 * commit-log offset they now cover (FlushConsumeQueueService). Recovery after a crash re-dispatches
 * only what follows it.
 */
export class CheckpointFlusher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly index: IndexService,
    private readonly reput: ReputService,
    private readonly checkpoint: StoreCheckpoint,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flushOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  flushOnce(): Promise<void> {
    if (this.running) return this.running;
    const covered = this.reput.dispatchedOffset;
    this.running = (async () => {
      try {
        await this.queues.flushAll();
        await this.index.flush();
        await this.checkpoint.write({
          physicOffset: this.commitLog.flushedOffset,
          logicsOffset: covered,
          indexOffset: covered,
          savedAt: Date.now(),
        });
      } catch (err) {
        this.logger.error('consume queue / index flush failed', { error: err as Error });
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
