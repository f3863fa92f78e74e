/**
 * Runs consume tasks with at most `concurrency` at once, in submission order (the consumer's thread pool,
 * consumeThreadMax).
 */
export class ConsumeExecutor {
  /** FIFO from `head`; compacted as it drains (tasks can number in the tens of thousands). */
  private queue: ConsumeTask[] = [];
  private head = 0;
  private running = 0;
  private accepting = true;
  private draining = false;
  private drainScheduled = false;
  private readonly scheduledDrain = (): void => {
    this.drainScheduled = false;
    this.drain();
  };
  private idleWaiters: (() => void)[] = [];
  private readonly onSettled = (): void => {
    this.settle();
    this.drain();
  };
  private readonly onRejected = (err: unknown): void => {
    this.onError(err);
    this.onSettled();
  };

  constructor(
    private readonly concurrency: number,
    /** A task that throws or rejects (a bug: tasks handle their own failures) is reported here. */
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

  /**
   * Queue a task. A task that finishes synchronously (a synchronous handler on the success path) frees its
   * slot at once, without a promise per message; an asynchronous one holds it until it settles.
   */
  submit(task: ConsumeTask): void {
    if (!this.accepting) return;
    this.queue.push(task);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      // After the I/O callbacks of this turn: the pulls they schedule go out before the handlers run.
      setImmediate(this.scheduledDrain);
    }
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
    // A synchronous task may submit more (an orderly loop): the outer loop picks them up.
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.running < this.concurrency && this.head < this.queue.length) {
        const task = this.dequeue();
        this.running++;
        let r: void | Promise<void>;
        try {
          r = task();
        } catch (err) {
          this.onError(err);
          r = undefined;
        }
        if (r !== undefined) r.then(this.onSettled, this.onRejected);
        else this.settle();
      }
    } finally {
      this.draining = false;
    }
  }

  private dequeue(): ConsumeTask {
    const task = this.queue[this.head] as ConsumeTask;
    this.queue[this.head++] = NOOP;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return task;
  }

  private settle(): void {
    this.running--;
    if (this.running === 0 && this.queued === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

/** A consume call: returns nothing when it finished synchronously, else a promise of its end. */
export type ConsumeTask = () => void | Promise<void>;

const NOOP: ConsumeTask = () => undefined;
