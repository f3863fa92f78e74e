/*
 * Broker avoidance after slow or failed sends (MQFaultStrategy + LatencyFaultToleranceImpl, 4.x tables).
 * Each attempt's latency maps to a window during which the broker is passed over when choosing a queue;
 * a failed attempt counts as ISOLATION_LATENCY_MS. When every broker is avoided, sends go anywhere.
 */

/** Latency thresholds, ms (MQFaultStrategy.latencyMax, 4.x). */
export const LATENCY_MAX_MS: readonly number[] = [50, 100, 550, 1000, 2000, 3000, 15_000];
/** How long a broker is avoided after an attempt at least as slow as the threshold at the same index, ms. */
export const NOT_AVAILABLE_DURATION_MS: readonly number[] = [0, 0, 30_000, 60_000, 120_000, 180_000, 600_000];
/** Latency charged for a failed attempt (updateFaultItem with isolation, 4.x): 10 minutes of avoidance. */
export const ISOLATION_LATENCY_MS = 30_000;

/** How long a broker is avoided after an attempt that took `latencyMs` (computeNotAvailableDuration). */
export function notAvailableDurationMs(latencyMs: number): number {
  for (let i = LATENCY_MAX_MS.length - 1; i >= 0; i--) {
    if (latencyMs >= (LATENCY_MAX_MS[i] as number)) return NOT_AVAILABLE_DURATION_MS[i] as number;
  }
  return 0;
}

export interface FaultItem {
  readonly brokerName: string;
  /** Latency of the last attempt, ms (ISOLATION_LATENCY_MS after a failure). */
  readonly latencyMs: number;
  /** Epoch ms from which the broker is chosen again. */
  readonly availableFrom: number;
}

/** Broker name → when it may be chosen again (LatencyFaultToleranceImpl.faultItemTable). */
export class LatencyFaultTolerance {
  private readonly items = new Map<string, FaultItem>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Record an attempt on `brokerName`: it took `latencyMs`, or failed (`isolation`). */
  update(brokerName: string, latencyMs: number, isolation: boolean): void {
    const latency = isolation ? ISOLATION_LATENCY_MS : latencyMs;
    const duration = notAvailableDurationMs(latency);
    // A fast answer ends any avoidance; keeping only avoided brokers lets healthy sends skip the table.
    if (duration === 0) this.items.delete(brokerName);
    else this.items.set(brokerName, { brokerName, latencyMs: latency, availableFrom: this.now() + duration });
  }

  /** No broker is (or was, without a fast answer since) avoided. */
  get empty(): boolean {
    return this.items.size === 0;
  }

  isAvailable(brokerName: string): boolean {
    const item = this.items.get(brokerName);
    return item === undefined || this.now() >= item.availableFrom;
  }

  remove(brokerName: string): void {
    this.items.delete(brokerName);
  }

  /** The entry of `brokerName`, if one was recorded. */
  get(brokerName: string): FaultItem | undefined {
    return this.items.get(brokerName);
  }
}
