/** Throughput and latency bookkeeping shared by every scenario, ours and the peers'. */
export interface ScenarioResult {
  name: string;
  system: 'rocketts' | 'rabbitmq' | 'nats';
  messages: number;
  seconds: number;
  msgPerSec: number;
  mibPerSec: number;
  note?: string;
  /** Latency percentiles in ms, for latency scenarios. */
  p50?: number;
  p99?: number;
}

export const MESSAGE_SIZE = 1024; // 1 KiB bodies everywhere
export const IN_FLIGHT = 256; // one producer, 256 unacknowledged sends

/**
 * Messages each system first produces and consumes unmeasured (JIT, connections, first-touch memory
 * of new processes): a quarter of the measured count, at most 50,000.
 */
export const warmUpCount = (messages: number): number => Math.min(50_000, Math.ceil(messages / 4));

export function result(
  name: string,
  system: ScenarioResult['system'],
  messages: number,
  startNs: bigint,
  note?: string,
): ScenarioResult {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  const r: ScenarioResult = {
    name,
    system,
    messages,
    seconds,
    msgPerSec: messages / seconds,
    mibPerSec: (messages * MESSAGE_SIZE) / seconds / (1024 * 1024),
  };
  if (note) r.note = note;
  return r;
}

/** Prints "name: done/total (rate msg/s)" once a second on stderr while work runs. */
export function progress(name: string, total: number, done: () => number): () => void {
  const t0 = Date.now();
  const timer = setInterval(() => {
    const n = done();
    const s = (Date.now() - t0) / 1000;
    process.stderr.write(`  ${name}: ${n}/${total} (${Math.round(n / s)} msg/s)\n`);
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * Keep `inFlight` operations outstanding until `total` are done: the closed-loop load of one
 * producer with a bounded window.
 */
export async function windowed(
  total: number,
  inFlight: number,
  op: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < total && failed === undefined) {
      const i = next++;
      try {
        await op(i);
      } catch (err) {
        failed = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  if (failed !== undefined) throw failed;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Open-loop load: `rate` sends per second for `seconds`, each stamped with the time it was due
 * (not when it went out), so a stalled system shows up as latency rather than as a slower sender
 * (no coordinated omission). Ticks every millisecond and sends whatever is due.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  send: (dueMs: number, i: number) => void,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000));
      while (sent < due) {
        send(t0 + (sent * 1000) / rate, sent);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  return total;
}

/** Latency samples in ms → p50/p99 (sorted in place). */
export function latencyPercentiles(samples: number[]): { p50: number; p99: number } {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}
