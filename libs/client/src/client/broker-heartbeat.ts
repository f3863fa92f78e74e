import { RequestCode } from '@rocketts/protocol';
import type { ClientInstance } from './client-instance';

/**
 * HEART_BEAT to a set of broker addresses: at once when an address is first tracked, then every
 * `intervalMs` (MQClientInstance.sendHeartbeatToAllBrokerWithLock). Failures are logged, never thrown:
 * the next round tries again.
 */
export class BrokerHeartbeat {
  private readonly addrs = new Set<string>();
  /** The first heartbeat to each tracked address, for callers that must wait until the broker knows us. */
  private readonly first = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly instance: ClientInstance,
    /** The HeartbeatData body (§6.3), built per round so it reflects current groups. */
    private readonly body: () => Buffer,
    private readonly intervalMs: number,
  ) {}

  /** Addresses heartbeated so far (the brokers to unregister from at shutdown). */
  get trackedAddrs(): string[] {
    return [...this.addrs];
  }

  track(addr: string): void {
    if (this.addrs.has(addr)) return;
    this.addrs.add(addr);
    if (this.timer) this.first.set(addr, this.beat(addr));
  }

  /**
   * Track `addrs` and resolve once each has answered its first heartbeat (or failed it, logged): the
   * brokers then know this client's id, e.g. to push replies to it (sendHeartbeatToAllBrokerWithLock).
   */
  async ensure(addrs: readonly string[]): Promise<void> {
    await Promise.all(
      addrs.map((addr) => {
        if (!this.first.has(addr)) {
          this.addrs.add(addr);
          this.first.set(addr, this.beat(addr));
        }
        return this.first.get(addr);
      }),
    );
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beatAll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async beatAll(): Promise<void> {
    await Promise.all(this.trackedAddrs.map((addr) => this.beat(addr)));
  }

  private async beat(addr: string): Promise<void> {
    try {
      await this.instance.invoke(addr, this.instance.request(RequestCode.HEART_BEAT, undefined, this.body()));
    } catch (err) {
      this.instance.logger.warn('heartbeat to broker failed', { addr, error: err });
    }
  }
}
