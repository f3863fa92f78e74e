/**
 * Sleep that ends early when notified: pollers wait on it for new batches, prefetch loops for room in the
 * cache or a resume.
 */
export class WakeSignal {
  private readonly waiters = new Set<() => void>();

  /**
   * Resolves after `ms`, or at the next notify(), whichever comes first. Background loops pass
   * `keepAlive` false so they never hold the process open; a caller's poll() keeps it.
   */
  wait(ms: number, keepAlive = false): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      if (!keepAlive) timer.unref();
      this.waiters.add(done);
    });
  }

  /** Wake every current waiter. */
  notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
