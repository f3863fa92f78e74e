import type { Logger, RemotingChannel } from '@rocketts/client';
import {
  ConsumerGroupRequestHeader,
  createRequest,
  RequestCode,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { ClientChannelInfo } from './client-channel-info';

export interface ConsumerGroupInfo {
  groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  channels: Map<number, ClientChannelInfo>;
  /** topic → subscription, replaced by newer subVersions. */
  subscriptions: Map<string, SubscriptionData>;
  lastUpdate: number;
}

export interface ConsumerRegistration {
  group: string;
  client: ClientChannelInfo;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptions: SubscriptionData[];
  /** Whether NOTIFY_CONSUMER_IDS_CHANGED is sent when membership changes (group config). */
  notifyOnChange: boolean;
}

/**
 * Consumer groups and their live connections (ConsumerManager.java). Membership changes — a
 * heartbeat from a new client, an unregister, a closed or silent connection — are announced to
 * every member with a one-way NOTIFY_CONSUMER_IDS_CHANGED so they rebalance at once.
 */
export class ConsumerManager {
  private readonly groups = new Map<string, ConsumerGroupInfo>();
  private readonly notifyEnabled = new Map<string, boolean>();

  constructor(private readonly logger: Logger) {}

  get(group: string): ConsumerGroupInfo | undefined {
    return this.groups.get(group);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Heartbeat: returns whether the member set changed. */
  register(r: ConsumerRegistration): boolean {
    let g = this.groups.get(r.group);
    if (!g) {
      g = {
        groupName: r.group,
        consumeType: r.consumeType,
        messageModel: r.messageModel,
        consumeFromWhere: r.consumeFromWhere,
        channels: new Map(),
        subscriptions: new Map(),
        lastUpdate: Date.now(),
      };
      this.groups.set(r.group, g);
    }
    this.notifyEnabled.set(r.group, r.notifyOnChange);
    g.consumeType = r.consumeType;
    g.messageModel = r.messageModel;
    g.consumeFromWhere = r.consumeFromWhere;
    g.lastUpdate = r.client.lastUpdate;
    const prev = g.channels.get(r.client.channel.id);
    g.channels.set(r.client.channel.id, r.client);
    this.updateSubscriptions(g, r.subscriptions);
    const changed = !prev || prev.clientId !== r.client.clientId;
    if (changed) {
      this.logger.info('consumer joined group', {
        group: r.group,
        clientId: r.client.clientId,
        remote: r.client.channel.remoteAddress,
      });
      this.notify(g);
    }
    return changed;
  }

  unregister(group: string, channel: RemotingChannel): void {
    const g = this.groups.get(group);
    if (g && g.channels.delete(channel.id)) this.afterRemoval(g, 'unregistered');
  }

  /** A connection closed: drop it from every group. */
  onChannelClose(channel: RemotingChannel): void {
    for (const g of this.groups.values()) {
      if (g.channels.delete(channel.id)) this.afterRemoval(g, 'connection closed');
    }
  }

  /** Drop members silent for longer than `expiredMs` (ClientHousekeepingService). */
  scanExpired(expiredMs: number, now = Date.now()): number {
    let removed = 0;
    for (const g of this.groups.values()) {
      let changed = false;
      for (const [id, c] of g.channels) {
        if (now - c.lastUpdate > expiredMs) {
          g.channels.delete(id);
          c.channel.close('client heartbeat expired');
          changed = true;
          removed++;
        }
      }
      if (changed) this.afterRemoval(g, 'heartbeat expired');
    }
    return removed;
  }

  /** The live connection a member registered under `clientId` (ConsumerManager.findChannel), for relayed admin calls. */
  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    for (const c of g.channels.values()) if (c.clientId === clientId) return c;
    return undefined;
  }

  /** Client ids of the group's live members, sorted. */
  consumerIds(group: string): string[] {
    const g = this.groups.get(group);
    if (!g) return [];
    return [...new Set([...g.channels.values()].map((c) => c.clientId))].sort();
  }

  private updateSubscriptions(g: ConsumerGroupInfo, subs: SubscriptionData[]): void {
    const topics = new Set<string>();
    for (const s of subs) {
      topics.add(s.topic);
      const old = g.subscriptions.get(s.topic);
      if (!old || s.subVersion > old.subVersion) g.subscriptions.set(s.topic, s);
    }
    for (const t of [...g.subscriptions.keys()]) if (!topics.has(t)) g.subscriptions.delete(t);
  }

  private afterRemoval(g: ConsumerGroupInfo, reason: string): void {
    this.logger.info('consumer left group', { group: g.groupName, reason, remaining: g.channels.size });
    if (g.channels.size === 0) {
      this.groups.delete(g.groupName);
      return;
    }
    this.notify(g);
  }

  private notify(g: ConsumerGroupInfo): void {
    if (this.notifyEnabled.get(g.groupName) === false) return;
    for (const c of g.channels.values()) {
      const cmd = createRequest(
        RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        ConsumerGroupRequestHeader.encode({ consumerGroup: g.groupName }),
      );
      // ali-ons cannot read binary headers: speak JSON to every client.
      c.channel.sendOneway(cmd);
    }
  }
}
