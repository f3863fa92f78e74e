import type { RemotingChannel } from '@rocketts/client';
import type { ClientChannelInfo } from './client-channel-info';

/** Producer groups and their connections (ProducerManager.java), for transaction check-backs and replies. */
export class ProducerManager {
  private readonly groups = new Map<string, Map<number, ClientChannelInfo>>();

  register(group: string, client: ClientChannelInfo): void {
    let m = this.groups.get(group);
    if (!m) {
      m = new Map();
      this.groups.set(group, m);
    }
    m.set(client.channel.id, client);
  }

  unregister(group: string, channel: RemotingChannel): void {
    const m = this.groups.get(group);
    if (!m) return;
    m.delete(channel.id);
    if (m.size === 0) this.groups.delete(group);
  }

  onChannelClose(channel: RemotingChannel): void {
    for (const [group, m] of this.groups) {
      m.delete(channel.id);
      if (m.size === 0) this.groups.delete(group);
    }
  }

  scanExpired(expiredMs: number, now = Date.now()): number {
    let removed = 0;
    for (const [group, m] of this.groups) {
      for (const [id, c] of m) {
        if (now - c.lastUpdate > expiredMs) {
          m.delete(id);
          removed++;
        }
      }
      if (m.size === 0) this.groups.delete(group);
    }
    return removed;
  }

  /**
   * The connection of the producer with this client id, preferring a live one (ProducerManager.findChannel):
   * where request-reply pushes replies. A scan, not an index: producer connections are few.
   */
  findChannel(clientId: string): RemotingChannel | undefined {
    let found: RemotingChannel | undefined;
    for (const m of this.groups.values()) {
      for (const c of m.values()) {
        if (c.clientId !== clientId) continue;
        if (c.channel.isActive()) return c.channel;
        found ??= c.channel;
      }
    }
    return found;
  }

  channels(group: string): ClientChannelInfo[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }
}
