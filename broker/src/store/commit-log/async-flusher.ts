import type { MappedFileQueue } from '../mapped-file/mapped-file-queue';

/**
 * ASYNC_FLUSH background sync (CommitLog.FlushRealTimeService): acknowledged bytes are already in
 * the kernel, which survives a process crash; this bounds what a power loss can take to
 * `flushIntervalCommitLog` ms of writes.
 */
export class AsyncFlusher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly files: MappedFileQueue,
    private readonly intervalMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.running || this.files.flushedOffset >= this.files.maxOffset) return;
    this.running = true;
    this.files
      .flush()
      .catch((err: Error) => this.onError(err))
      .finally(() => (this.running = false));
  }
}
