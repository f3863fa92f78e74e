import { stringifyJavaJson } from '../json/java-json';
import { arr, bool, num, obj, optObj, parseBody, str } from './body-reader';

/** QueueData: how many queues one broker serves for a topic. */
export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

/** BrokerData: one broker name (master + slaves). `brokerAddrs` maps brokerId → "ip:port"; 0 = master. */
export interface BrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
  enableActingMaster?: boolean;
  zoneName?: string;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  filterServerTable: Record<string, string[]>;
}

/**
 * Encode a route as the name server does: fastjson style (bare numeric keys) for clients older than
 * 4.9.4, standard JSON for newer ones or when they ask with acceptStandardJsonOnly.
 */
export function encodeTopicRouteData(route: TopicRouteData, standard: boolean): Buffer {
  return Buffer.from(stringifyJavaJson(route, { standard }), 'utf8');
}

export function decodeTopicRouteData(body: Buffer | undefined): TopicRouteData {
  const j = parseBody(body, 'TopicRouteData');
  const route: TopicRouteData = {
    queueDatas: arr(j.queueDatas, 'queueDatas').map((q) => decodeQueueData(q)),
    brokerDatas: arr(j.brokerDatas, 'brokerDatas').map((b) => decodeBrokerData(b)),
    filterServerTable: optObj(j.filterServerTable, 'filterServerTable') as Record<string, string[]>,
  };
  if (typeof j.orderTopicConf === 'string' && j.orderTopicConf.length > 0)
    route.orderTopicConf = j.orderTopicConf;
  return route;
}

function decodeQueueData(v: unknown): QueueData {
  const q = obj(v, 'QueueData');
  return {
    brokerName: str(q.brokerName, 'QueueData.brokerName'),
    readQueueNums: num(q.readQueueNums, 'QueueData.readQueueNums'),
    writeQueueNums: num(q.writeQueueNums, 'QueueData.writeQueueNums'),
    perm: num(q.perm, 'QueueData.perm'),
    // RocketMQ ≤ 4.8 spells it topicSynFlag.
    topicSysFlag: num(q.topicSysFlag ?? q.topicSynFlag, 'QueueData.topicSysFlag', 0),
  };
}

export function decodeBrokerData(v: unknown): BrokerData {
  const b = obj(v, 'BrokerData');
  const addrs = new Map<number, string>();
  for (const [id, addr] of Object.entries(optObj(b.brokerAddrs, 'brokerAddrs'))) {
    addrs.set(Number(id), str(addr, 'brokerAddrs value'));
  }
  const out: BrokerData = {
    cluster: str(b.cluster, 'BrokerData.cluster', ''),
    brokerName: str(b.brokerName, 'BrokerData.brokerName'),
    brokerAddrs: addrs,
  };
  if (b.enableActingMaster !== undefined) out.enableActingMaster = bool(b.enableActingMaster);
  if (typeof b.zoneName === 'string') out.zoneName = b.zoneName;
  return out;
}

/** ClusterInfo (GET_BROKER_CLUSTER_INFO), always written with bare numeric keys. */
export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, string[]>;
}

export function encodeClusterInfo(info: ClusterInfo): Buffer {
  return Buffer.from(stringifyJavaJson(info), 'utf8');
}

export function decodeClusterInfo(body: Buffer | undefined): ClusterInfo {
  const j = parseBody(body, 'ClusterInfo');
  const brokerAddrTable = new Map<string, BrokerData>();
  for (const [name, bd] of Object.entries(optObj(j.brokerAddrTable, 'brokerAddrTable'))) {
    brokerAddrTable.set(name, decodeBrokerData(bd));
  }
  const clusterAddrTable = new Map<string, string[]>();
  for (const [name, list] of Object.entries(optObj(j.clusterAddrTable, 'clusterAddrTable'))) {
    clusterAddrTable.set(
      name,
      arr(list, 'clusterAddrTable value').map((x) => str(x, 'broker name')),
    );
  }
  return { brokerAddrTable, clusterAddrTable };
}
