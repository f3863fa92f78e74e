/**
 * Timers of one consumer, all cancelled by `stop()` (the consumer's scheduled executors in Java). Timers
 * never keep the process alive on their own. A task that fails goes to its `onError`, else to the
 * scheduler's own (which logs): a failure never becomes an unhandled rejection.
 */
export class Scheduler {
  constructor(private readonly defaultOnError: (err: unknown) => void) {}

  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** Run `fn` once after `ms`; errors are passed to `onError`. */
  later(ms: number, fn: () => unknown, onError?: (err: unknown) => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      Promise.resolve()
        .then(fn)
        .catch(onError ?? this.defaultOnError);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Run `fn` every `ms`; a run that is still going when the next is due is not overlapped. */
  every(ms: number, fn: () => unknown, onError?: (err: unknown) => void): void {
    if (this.stopped) return;
    let busy = false;
    const t = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      Promise.resolve()
        .then(fn)
        .catch(onError ?? this.defaultOnError)
        .finally(() => (busy = false));
    }, ms);
    t.unref();
    this.intervals.add(t);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const t of this.intervals) clearInterval(t);
    this.timers.clear();
    this.intervals.clear();
  }
}
