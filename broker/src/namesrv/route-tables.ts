import type { BrokerData, ClusterInfo, QueueData, TopicConfig, TopicRouteData } from '@rocketts/protocol';

/** brokerId of a master (MixAll.MASTER_ID); slaves are ≥ 1. */
export const MASTER_ID = 0;

/** What an eviction removed; `brokerName` is set when that address was still mapped. */
export interface RemovedBroker {
  brokerAddr: string;
  brokerName?: string;
  /** The address was the last one of its brokerName: BrokerData and all its QueueData are gone. */
  brokerNameRemoved: boolean;
  /** Topics that had no queue data left and were dropped. */
  topicsRemoved: string[];
}

/**
 * The route half of RouteInfoManager (4.9.x), without liveness:
 *   clusterAddrTable  clusterName → {brokerName}
 *   brokerAddrTable   brokerName  → BrokerData {cluster, brokerName, brokerAddrs: brokerId → addr}
 *   topicQueueTable   topic       → brokerName → QueueData
 *   filterServerTable brokerAddr  → ["ip:port"]
 * Every read returns copies, so encoding an answer cannot race a later registration.
 */
export class RouteTables {
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  private readonly brokerAddrTable = new Map<string, BrokerData>();
  private readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  private readonly filterServerTable = new Map<string, string[]>();

  /**
   * As the first half of RouteInfoManager.registerBroker. Returns Java's `registerFirst`: the
   * brokerName or this brokerId had no address before.
   */
  addBrokerAddr(clusterName: string, brokerName: string, brokerId: number, brokerAddr: string): boolean {
    getOrCreate(this.clusterAddrTable, clusterName, () => new Set<string>()).add(brokerName);
    let brokerData = this.brokerAddrTable.get(brokerName);
    const newName = brokerData === undefined;
    if (!brokerData) {
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.brokerAddrTable.set(brokerName, brokerData);
    }
    // Slave → master switch: one address has one id, so drop its old id before adding the new one.
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId);
    brokerData.brokerAddrs.set(brokerId, brokerAddr);
    return newName || oldAddr === undefined;
  }

  masterAddrOf(brokerName: string): string | undefined {
    return this.brokerAddrTable.get(brokerName)?.brokerAddrs.get(MASTER_ID);
  }

  /** As createAndUpdateQueueData. */
  upsertQueueData(brokerName: string, tc: TopicConfig): void {
    const { readQueueNums, writeQueueNums, perm, topicSysFlag } = tc;
    const queueDataMap = getOrCreate(this.topicQueueTable, tc.topicName, () => new Map<string, QueueData>());
    queueDataMap.set(brokerName, { brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag });
  }

  setFilterServers(brokerAddr: string, servers: readonly string[]): void {
    if (servers.length === 0) this.filterServerTable.delete(brokerAddr);
    else this.filterServerTable.set(brokerAddr, [...servers]);
  }

  /**
   * As the route half of unRegisterBroker. Only the id still mapped to `brokerAddr` is removed (as 5.x),
   * so a late unregister of a replaced broker cannot drop its successor.
   */
  removeBrokerId(
    clusterName: string,
    brokerName: string,
    brokerId: number,
    brokerAddr: string,
  ): RemovedBroker {
    this.filterServerTable.delete(brokerAddr);
    const removed: RemovedBroker = { brokerAddr, brokerNameRemoved: false, topicsRemoved: [] };
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData || brokerData.brokerAddrs.get(brokerId) !== brokerAddr) return removed;
    brokerData.brokerAddrs.delete(brokerId);
    removed.brokerName = brokerName;
    if (brokerData.brokerAddrs.size === 0) this.removeBrokerName(brokerName, clusterName, removed);
    return removed;
  }

  /**
   * As the route half of onChannelDestroy: the address leaves every BrokerData that maps it (Java
   * stops at the first; a broker renamed at the same address could be in two). A brokerName left with
   * no address takes its QueueData with it.
   */
  removeBrokerAddr(brokerAddr: string): RemovedBroker {
    this.filterServerTable.delete(brokerAddr);
    const removed: RemovedBroker = { brokerAddr, brokerNameRemoved: false, topicsRemoved: [] };
    for (const [name, bd] of [...this.brokerAddrTable]) {
      const ids = [...bd.brokerAddrs].filter(([, addr]) => addr === brokerAddr).map(([id]) => id);
      if (ids.length === 0) continue;
      for (const id of ids) bd.brokerAddrs.delete(id);
      removed.brokerName = name;
      if (bd.brokerAddrs.size === 0) this.removeBrokerName(name, bd.cluster, removed);
    }
    return removed;
  }

  /** As pickupTopicRouteData: a route iff the topic has queue data and one of its brokers a BrokerData. */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const queueDataMap = this.topicQueueTable.get(topic);
    if (!queueDataMap) return undefined;
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, string[]> = {};
    for (const brokerName of queueDataMap.keys()) {
      const bd = this.brokerAddrTable.get(brokerName);
      if (!bd) continue;
      brokerDatas.push(cloneBrokerData(bd));
      for (const addr of bd.brokerAddrs.values()) {
        const servers = this.filterServerTable.get(addr);
        if (servers) filterServerTable[addr] = [...servers];
      }
    }
    if (brokerDatas.length === 0) return undefined;
    return { brokerDatas, queueDatas: [...queueDataMap.values()].map((q) => ({ ...q })), filterServerTable };
  }

  /** As getAllClusterInfo. */
  getClusterInfo(): ClusterInfo {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, bd] of this.brokerAddrTable) brokerAddrTable.set(name, cloneBrokerData(bd));
    const clusterAddrTable = new Map<string, string[]>();
    for (const [cluster, names] of this.clusterAddrTable) clusterAddrTable.set(cluster, [...names]);
    return { brokerAddrTable, clusterAddrTable };
  }

  getAllTopicList(): string[] {
    return [...this.topicQueueTable.keys()];
  }

  /** As getTopicsByCluster: topics with queue data on any broker of the cluster; unknown cluster → none. */
  getTopicsByCluster(cluster: string): string[] {
    const brokerNames = [...(this.clusterAddrTable.get(cluster) ?? [])];
    return [...this.topicQueueTable]
      .filter(([, queueDataMap]) => brokerNames.some((name) => queueDataMap.has(name)))
      .map(([topic]) => topic);
  }

  /**
   * As getSystemTopicList: every cluster name and broker name (each is a system topic on its brokers),
   * plus the address of one broker so an admin tool can ask it for the rest.
   */
  getSystemTopicList(): { topics: string[]; brokerAddr?: string } {
    const topics = new Set<string>();
    for (const [cluster, names] of this.clusterAddrTable) {
      topics.add(cluster);
      for (const n of names) topics.add(n);
    }
    for (const bd of this.brokerAddrTable.values()) {
      const first = bd.brokerAddrs.values().next();
      if (!first.done) return { topics: [...topics], brokerAddr: first.value };
    }
    return { topics: [...topics] };
  }

  /** Topics whose first QueueData's topicSysFlag passes `test` (as getUnitTopics and its siblings). */
  getTopicsBySysFlag(test: (topicSysFlag: number) => boolean): string[] {
    const out: string[] = [];
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      const first = queueDataMap.values().next();
      if (!first.done && test(first.value.topicSysFlag)) out.push(topic);
    }
    return out;
  }

  /** As deleteTopic: everywhere, or only on the brokers of `clusterName`. */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined || clusterName === '') {
      this.topicQueueTable.delete(topic);
      return;
    }
    const queueDataMap = this.topicQueueTable.get(topic);
    const names = this.clusterAddrTable.get(clusterName);
    if (!queueDataMap || !names) return;
    for (const name of names) queueDataMap.delete(name);
    if (queueDataMap.size === 0) this.topicQueueTable.delete(topic);
  }

  /** As operateWritePermOfBroker: rewrites the perm of every QueueData of the broker; returns the topic count. */
  updatePermOfBroker(brokerName: string, update: (perm: number) => number): number {
    let count = 0;
    for (const queueDataMap of this.topicQueueTable.values()) {
      const qd = queueDataMap.get(brokerName);
      if (!qd) continue;
      qd.perm = update(qd.perm);
      count++;
    }
    return count;
  }

  counts(): { clusters: number; brokerNames: number; topics: number } {
    return {
      clusters: this.clusterAddrTable.size,
      brokerNames: this.brokerAddrTable.size,
      topics: this.topicQueueTable.size,
    };
  }

  private removeBrokerName(brokerName: string, clusterName: string, removed: RemovedBroker): void {
    this.brokerAddrTable.delete(brokerName);
    // The BrokerData's cluster is where it was first registered; look everywhere in case it moved.
    for (const [cluster, names] of [...this.clusterAddrTable]) {
      if (cluster !== clusterName && !names.has(brokerName)) continue;
      names.delete(brokerName);
      if (names.size === 0) this.clusterAddrTable.delete(cluster);
    }
    // As removeTopicByBrokerName: topics left with no queue data are dropped.
    for (const [topic, queueDataMap] of [...this.topicQueueTable]) {
      queueDataMap.delete(brokerName);
      if (queueDataMap.size > 0) continue;
      this.topicQueueTable.delete(topic);
      removed.topicsRemoved.push(topic);
    }
    removed.brokerNameRemoved = true;
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    map.set(key, v);
  }
  return v;
}

function cloneBrokerData(bd: BrokerData): BrokerData {
  return { cluster: bd.cluster, brokerName: bd.brokerName, brokerAddrs: new Map(bd.brokerAddrs) };
}
