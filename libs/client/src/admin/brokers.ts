import type { BrokerData, ClusterInfo, TopicRouteData } from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import { MASTER_ID } from '../route/topic-publish-info';

/*
 * Which brokers an admin request goes to (CommandUtil.fetchMasterAddrByClusterName,
 * fetchMasterAndSlaveAddrByClusterName, BrokerData.selectBrokerAddr).
 */

export interface BrokerTarget {
  brokerName: string;
  addr: string;
}

/** The master, else any address (BrokerData.selectBrokerAddr without the random pick). */
export function selectBrokerAddr(bd: BrokerData): string | undefined {
  return bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0];
}

/** One address per broker name of a route, sorted by broker name. */
export function routeBrokers(route: TopicRouteData): BrokerTarget[] {
  return route.brokerDatas
    .map((bd) => ({ brokerName: bd.brokerName, addr: selectBrokerAddr(bd) }))
    .filter((b): b is BrokerTarget => b.addr !== undefined)
    .sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
}

function clusterNames(info: ClusterInfo, clusterName: string): string[] {
  const names = info.clusterAddrTable.get(clusterName);
  if (!names)
    throw new MQClientError(
      MQClientErrorCode.CLUSTER_NOT_FOUND,
      `cluster ${clusterName} is not known to the name server`,
    );
  return [...names].sort();
}

/** Masters of a cluster, by broker name; a cluster without one is an error. */
export async function clusterMasters(instance: ClientInstance, clusterName: string): Promise<BrokerTarget[]> {
  const info = await instance.namesrv.getBrokerClusterInfo();
  const out: BrokerTarget[] = [];
  for (const brokerName of clusterNames(info, clusterName)) {
    const addr = info.brokerAddrTable.get(brokerName)?.brokerAddrs.get(MASTER_ID);
    if (addr) out.push({ brokerName, addr });
  }
  if (out.length === 0)
    throw new MQClientError(MQClientErrorCode.BROKER_NOT_FOUND, `cluster ${clusterName} has no master`);
  return out;
}

/** Every address (masters and slaves) of a cluster: a deleted topic must go from all of them. */
export async function clusterAddrs(instance: ClientInstance, clusterName: string): Promise<string[]> {
  const info = await instance.namesrv.getBrokerClusterInfo();
  const out: string[] = [];
  for (const brokerName of clusterNames(info, clusterName)) {
    const addrs = info.brokerAddrTable.get(brokerName)?.brokerAddrs ?? new Map<number, string>();
    for (const id of [...addrs.keys()].sort((a, b) => a - b)) out.push(addrs.get(id) as string);
  }
  return out;
}

/** One address per broker name of every cluster the name server knows: where a group's state may live. */
export async function allBrokers(instance: ClientInstance): Promise<BrokerTarget[]> {
  const info = await instance.namesrv.getBrokerClusterInfo();
  const out: BrokerTarget[] = [];
  for (const [brokerName, bd] of info.brokerAddrTable) {
    const addr = selectBrokerAddr(bd);
    if (addr) out.push({ brokerName, addr });
  }
  return out.sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
}
