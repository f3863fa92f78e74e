import type { RemotingChannel } from '@rocketts/client';
import {
  Perm,
  sameDataVersion,
  type ClusterInfo,
  type DataVersion,
  type TopicConfigSerializeWrapper,
  type TopicRouteData,
} from '@rocketts/protocol';
import { BrokerLiveTable } from './broker-live-table';
import { MASTER_ID, RouteTables, type RemovedBroker } from './route-tables';

export { MASTER_ID, type RemovedBroker } from './route-tables';

export interface BrokerRegistration {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
  channel: RemotingChannel;
  /** ms; the broker's own liveness timeout (5.x header heartbeatTimeoutMillis), else the name server's. */
  heartbeatTimeoutMillis?: number | undefined;
}

export interface RegisterBrokerResult {
  /** Set only for a slave whose master is registered and live (as RegisterBrokerResult). */
  masterAddr?: string;
  haServerAddr?: string;
  /** No live entry existed for this address: a new broker, not a keep-alive. */
  newBroker: boolean;
  /** The topic configs of the body were applied (master, and first registration or DataVersion changed). */
  topicsApplied: boolean;
}

export interface RouteInfoManagerOptions {
  /** ms without registration before a broker is evicted, unless it sends its own timeout. */
  brokerExpiredMillis: number | (() => number);
  /** Clock in ms since epoch; injectable for tests. */
  now?: () => number;
}

/**
 * The name server's state (as RouteInfoManager, 4.9.x): the route tables (RouteTables) and the
 * brokerLiveTable (BrokerLiveTable), kept consistent through registration, unregistration, expiry
 * and connection loss. Node runs one request at a time, so Java's read/write lock has no counterpart.
 */
export class RouteInfoManager {
  private readonly tables = new RouteTables();
  private readonly liveTable = new BrokerLiveTable();
  private readonly now: () => number;
  private readonly expiredMillis: () => number;

  constructor(options: RouteInfoManagerOptions) {
    this.now = options.now ?? Date.now;
    const expired = options.brokerExpiredMillis;
    this.expiredMillis = typeof expired === 'function' ? expired : () => expired;
  }

  /** As RouteInfoManager.registerBroker (§3.2): registration and keep-alive are the same request. */
  registerBroker(reg: BrokerRegistration): RegisterBrokerResult {
    const { clusterName, brokerAddr, brokerName, brokerId } = reg;
    const registerFirst = this.tables.addBrokerAddr(clusterName, brokerName, brokerId, brokerAddr);

    // Only a master's topics make routes; they are re-read only when its DataVersion moved.
    const dataVersion = reg.topicConfigWrapper.dataVersion;
    const topicsApplied =
      brokerId === MASTER_ID && (registerFirst || this.isBrokerTopicConfigChanged(brokerAddr, dataVersion));
    if (topicsApplied) {
      for (const tc of Object.values(reg.topicConfigWrapper.topicConfigTable))
        this.tables.upsertQueueData(brokerName, tc);
    }

    const prev = this.liveTable.put(brokerAddr, {
      lastUpdateTimestamp: this.now(),
      heartbeatTimeoutMillis: reg.heartbeatTimeoutMillis ?? this.expiredMillis(),
      dataVersion: { ...dataVersion },
      channel: reg.channel,
      haServerAddr: reg.haServerAddr,
    });
    this.tables.setFilterServers(brokerAddr, reg.filterServerList);

    const result: RegisterBrokerResult = { newBroker: prev === undefined, topicsApplied };
    if (brokerId !== MASTER_ID) {
      const masterAddr = this.tables.masterAddrOf(brokerName);
      const master = masterAddr === undefined ? undefined : this.liveTable.get(masterAddr);
      if (masterAddr !== undefined && master) {
        result.masterAddr = masterAddr;
        result.haServerAddr = master.haServerAddr;
      }
    }
    return result;
  }

  /** As RouteInfoManager.isBrokerTopicConfigChanged: unknown broker or different DataVersion. */
  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    return !sameDataVersion(this.liveTable.get(brokerAddr)?.dataVersion, dataVersion);
  }

  /** The DataVersion the broker last registered with (as queryBrokerTopicConfig). */
  queryBrokerDataVersion(brokerAddr: string): DataVersion | undefined {
    const dv = this.liveTable.get(brokerAddr)?.dataVersion;
    return dv ? { ...dv } : undefined;
  }

  /** Refresh liveness without a full registration (QUERY_DATA_VERSION with no change). */
  touchBroker(brokerAddr: string): void {
    this.liveTable.touch(brokerAddr, this.now());
  }

  /** As RouteInfoManager.unRegisterBroker (see RouteTables.removeBrokerId). */
  unregisterBroker(
    clusterName: string,
    brokerAddr: string,
    brokerName: string,
    brokerId: number,
  ): RemovedBroker {
    this.liveTable.remove(brokerAddr);
    return this.tables.removeBrokerId(clusterName, brokerName, brokerId, brokerAddr);
  }

  /**
   * As scanNotActiveBroker: evict every broker whose last update is older than its timeout at `now`.
   * Its connection is closed unless another live broker still registers on it.
   */
  scanNotActiveBroker(now: number = this.now()): RemovedBroker[] {
    const removed: RemovedBroker[] = [];
    for (const addr of this.liveTable.expired(now)) {
      const info = this.liveTable.remove(addr);
      removed.push(this.tables.removeBrokerAddr(addr));
      if (info && !this.liveTable.isChannelInUse(info.channel))
        info.channel.close('broker registration expired');
    }
    return removed;
  }

  /**
   * As onChannelDestroy: the brokers registered on a closed connection are evicted at once. Only the
   * live entries bound to that very connection count, so a broker that re-registered on a new
   * connection survives the close of its old one.
   */
  onChannelDestroy(channel: RemotingChannel): RemovedBroker[] {
    return this.liveTable.addressesOn(channel).map((addr) => {
      this.liveTable.remove(addr);
      return this.tables.removeBrokerAddr(addr);
    });
  }

  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    return this.tables.pickupTopicRouteData(topic);
  }

  getClusterInfo(): ClusterInfo {
    return this.tables.getClusterInfo();
  }

  getAllTopicList(): string[] {
    return this.tables.getAllTopicList();
  }

  getTopicsByCluster(cluster: string): string[] {
    return this.tables.getTopicsByCluster(cluster);
  }

  getSystemTopicList(): { topics: string[]; brokerAddr?: string } {
    return this.tables.getSystemTopicList();
  }

  getTopicsBySysFlag(test: (topicSysFlag: number) => boolean): string[] {
    return this.tables.getTopicsBySysFlag(test);
  }

  deleteTopic(topic: string, clusterName?: string): void {
    this.tables.deleteTopic(topic, clusterName);
  }

  /** As wipeWritePermOfBrokerByLock: clears PERM_WRITE on every topic of the broker; returns the topic count. */
  wipeWritePermOfBroker(brokerName: string): number {
    return this.tables.updatePermOfBroker(brokerName, (perm) => perm & ~Perm.WRITE);
  }

  /** As addWritePermOfBrokerByLock: sets perm to READ|WRITE (Java's choice, not perm | WRITE). */
  addWritePermOfBroker(brokerName: string): number {
    return this.tables.updatePermOfBroker(brokerName, () => Perm.READ | Perm.WRITE);
  }

  counts(): { clusters: number; brokerNames: number; brokers: number; topics: number } {
    const { clusters, brokerNames, topics } = this.tables.counts();
    return { clusters, brokerNames, brokers: this.liveTable.size, topics };
  }
}
