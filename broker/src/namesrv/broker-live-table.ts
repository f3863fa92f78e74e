import type { RemotingChannel } from '@rocketts/client';
import type { DataVersion } from '@rocketts/protocol';

/** Liveness of one registered broker address (as RouteInfoManager.BrokerLiveInfo). */
export interface BrokerLiveInfo {
  /** ms since epoch of the last REGISTER_BROKER, or of a QUERY_DATA_VERSION that found no change. */
  lastUpdateTimestamp: number;
  /** ms without an update before the broker is evicted (5.x heartbeatTimeoutMillis, else brokerExpiredMillis). */
  heartbeatTimeoutMillis: number;
  /** DataVersion of the topic configs the broker last sent; a different one means its topics changed. */
  dataVersion: DataVersion;
  /** The connection the broker registered on; its close evicts the broker at once. */
  channel: RemotingChannel;
  /** "ip:haPort" handed to slaves of this broker when it is their master. */
  haServerAddr: string;
}

/**
 * brokerAddr → BrokerLiveInfo (RouteInfoManager.brokerLiveTable, keyed by address as in 4.x). Knows
 * nothing of routes: RouteInfoManager decides what an expiry removes.
 */
export class BrokerLiveTable {
  private readonly table = new Map<string, BrokerLiveInfo>();

  get size(): number {
    return this.table.size;
  }

  get(brokerAddr: string): BrokerLiveInfo | undefined {
    return this.table.get(brokerAddr);
  }

  /** Replace the entry; returns the previous one, undefined for a new broker. */
  put(brokerAddr: string, info: BrokerLiveInfo): BrokerLiveInfo | undefined {
    const prev = this.table.get(brokerAddr);
    this.table.set(brokerAddr, info);
    return prev;
  }

  remove(brokerAddr: string): BrokerLiveInfo | undefined {
    const prev = this.table.get(brokerAddr);
    this.table.delete(brokerAddr);
    return prev;
  }

  /** As RouteInfoManager.updateBrokerInfoUpdateTimestamp. */
  touch(brokerAddr: string, now: number): void {
    const info = this.table.get(brokerAddr);
    if (info) info.lastUpdateTimestamp = now;
  }

  /** Addresses whose last update is older than their timeout at `now` (as scanNotActiveBroker). */
  expired(now: number): string[] {
    const out: string[] = [];
    for (const [addr, info] of this.table) {
      if (info.lastUpdateTimestamp + info.heartbeatTimeoutMillis < now) out.push(addr);
    }
    return out;
  }

  /** Every address registered on `channel` (one connection may carry several brokers of one process). */
  addressesOn(channel: RemotingChannel): string[] {
    const out: string[] = [];
    for (const [addr, info] of this.table) if (info.channel === channel) out.push(addr);
    return out;
  }

  /** Whether any broker still counts on `channel`. */
  isChannelInUse(channel: RemotingChannel): boolean {
    for (const info of this.table.values()) if (info.channel === channel) return true;
    return false;
  }
}
