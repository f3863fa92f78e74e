import type { MappedFileQueue } from '../mapped-file/mapped-file-queue';

interface FlushWaiter {
  endOffset: number;
  deadline: number;
  resolve(flushed: boolean): void;
}

/** Group-commit rounds allowed to overlap (each an fdatasync of the segments written since the last). */
const MAX_ROUNDS_IN_FLIGHT = 2;
/** How often waiters are checked against their deadline. */
const TIMEOUT_SCAN_MS = 100;

/**
 * SYNC_FLUSH group commit (CommitLog.GroupCommitService): a send is acknowledged only when an
 * fdatasync that started after its bytes were written has finished. While one fdatasync runs, new
 * writes queue up and the next one covers them all, so one sync serves many messages.
 */
export class GroupCommitService {
  private waiters: FlushWaiter[] = [];
  /** fdatasync rounds under way, and the log's end when the last one started (what it covers). */
  private inFlight = 0;
  private covering = 0;
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
   * Start a round unless one under way covers every byte written; a second may start while the
   * first runs (bytes written since it started need their own), a third waits for a completion.
   */
  private kick(): void {
    if (this.stopped || this.waiters.length === 0) return;
    const written = this.files.maxOffset;
    if (this.inFlight > 0 && this.covering >= written) return;
    if (this.inFlight >= MAX_ROUNDS_IN_FLIGHT) return;
    this.inFlight++;
    this.covering = written;
    this.files.flush().then(
      (flushed) => {
        this.inFlight--;
        this.release(flushed);
        this.kick();
      },
      (err: Error) => {
        this.inFlight--;
        this.onError(err);
      },
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
