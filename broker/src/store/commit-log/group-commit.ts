import type { MappedFileQueue } from '../mapped-file/mapped-file-queue';

interface FlushWaiter {
  endOffset: number;
  deadline: number;
  resolve(flushed: boolean): void;
}

/** How often waiters are checked against their deadline. */
const TIMEOUT_SCAN_MS = 100;

/**
 * SYNC_FLUSH group commit (CommitLog.GroupCommitService): a send is acknowledged only when an
 * fdatasync that started after its bytes were written has finished. One sync serves every send
 * written before it started; sends written while it runs get the next, which may start alongside it.
 */
export class GroupCommitService {
  private waiters: FlushWaiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly files: MappedFileQueue,
    private readonly timeoutMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Resolves true once every byte before `endOffset` is on disk, false after the timeout. */
  waitFlushed(endOffset: number): Promise<boolean> {
    if (this.files.flushedOffset >= endOffset) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiters.push({ endOffset, deadline: Date.now() + this.timeoutMs, resolve });
      if (!this.timer) {
        this.timer = setInterval(() => this.expire(), TIMEOUT_SCAN_MS);
        this.timer.unref();
      }
      this.kick();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.resolve(false);
  }

  /**
   * Ask the segments for an fdatasync covering every byte written so far. MappedFile.flush decides
   * whether one under way already does, a new one starts alongside it or waits: see there.
   */
  private kick(): void {
    if (this.stopped) return;
    this.files.flush().then(
      (flushed) => this.release(flushed),
      (err: Error) => this.onError(err),
    );
  }

  private release(flushed: number): void {
    const still: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (w.endOffset <= flushed) w.resolve(true);
      else still.push(w);
    }
    this.waiters = still;
    if (still.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private expire(): void {
    const now = Date.now();
    const still: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (w.deadline <= now) w.resolve(false);
      else still.push(w);
    }
    this.waiters = still;
  }
}
