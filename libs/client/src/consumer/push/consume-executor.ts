/**
 * Runs consume tasks with at most `concurrency` at once, in submission order (the consumer's thread pool,
 * consumeThreadMax).
 */
export class ConsumeExecutor {
  /** FIFO from `head`; compacted as it drains (tasks can number in the tens of thousands). */
  private queue: (() => Promise<void>)[] = [];
  private head = 0;
  private running = 0;
  private accepting = true;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    /** A task that rejects (a bug: tasks handle their own failures) is reported here. */
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  submit(task: () => Promise<void>): void {
    if (!this.accepting) return;
    this.queue.push(task);
    this.drain();
  }

  /**
   * Stop taking tasks and forget the queued ones (their messages stay in their process queues, so their
   * offsets are never committed); running tasks finish.
   */
  stop(): void {
    this.accepting = false;
    this.queue = [];
    this.head = 0;
  }

  /** Resolves when no task is running (or at once). */
  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (this.running < this.concurrency && this.head < this.queue.length) {
      const task = this.queue[this.head] as () => Promise<void>;
      this.queue[this.head++] = NOOP;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.running++;
      Promise.resolve()
        .then(task)
        .catch(this.onError)
        .finally(() => {
          this.running--;
          if (this.running === 0 && this.queued === 0) {
            for (const w of this.idleWaiters.splice(0)) w();
          }
          this.drain();
        });
    }
  }
}

const NOOP = (): Promise<void> => Promise.resolve();
