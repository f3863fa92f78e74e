import { Perm, type BrokerData, type ClusterInfo, type TopicRouteData } from '@rocketts/protocol';

/** Enough about a (fake) broker to put it in a route. */
export interface FakeBrokerRef {
  brokerName: string;
  addr: string;
  clusterName?: string;
}

export interface FakeRouteOptions {
  /** Read and write queues per broker (default 4). */
  queueNums?: number;
  /** Queue permission (default read + write). */
  perm?: number;
  orderTopicConf?: string;
}

export const FAKE_CLUSTER = 'FakeCluster';

export function fakeBrokerData(b: FakeBrokerRef): BrokerData {
  return {
    cluster: b.clusterName ?? FAKE_CLUSTER,
    brokerName: b.brokerName,
    brokerAddrs: new Map([[0, b.addr]]),
  };
}

/** A route whose every broker is a master serving `queueNums` queues. */
export function fakeRoute(brokers: readonly FakeBrokerRef[], options: FakeRouteOptions = {}): TopicRouteData {
  const n = options.queueNums ?? 4;
  const route: TopicRouteData = {
    brokerDatas: brokers.map(fakeBrokerData),
    queueDatas: brokers.map((b) => ({
      brokerName: b.brokerName,
      perm: options.perm ?? Perm.READ | Perm.WRITE,
      readQueueNums: n,
      writeQueueNums: n,
      topicSysFlag: 0,
    })),
    filterServerTable: {},
  };
  if (options.orderTopicConf) route.orderTopicConf = options.orderTopicConf;
  return route;
}

export function fakeClusterInfo(brokers: readonly FakeBrokerRef[]): ClusterInfo {
  const brokerAddrTable = new Map<string, BrokerData>();
  const clusterAddrTable = new Map<string, string[]>();
  for (const b of brokers) {
    brokerAddrTable.set(b.brokerName, fakeBrokerData(b));
    const cluster = b.clusterName ?? FAKE_CLUSTER;
    clusterAddrTable.set(cluster, [...(clusterAddrTable.get(cluster) ?? []), b.brokerName]);
  }
  return { brokerAddrTable, clusterAddrTable };
}
