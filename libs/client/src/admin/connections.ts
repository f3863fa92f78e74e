import {
  ConsumerGroupRequestHeader,
  decodeConsumerConnection,
  decodeProducerConnection,
  GetProducerConnectionListRequestHeader,
  RequestCode,
  type Connection,
  type ConsumerConnection,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { allBrokers, routeBrokers, type BrokerTarget } from './brokers';

/** Connections seen by several brokers, once each (a client connects to each broker it uses). */
function distinct(connections: Iterable<Connection>): Connection[] {
  const seen = new Map<string, Connection>();
  for (const c of connections) seen.set(`${c.clientId}\u0000${c.clientAddr}`, c);
  return [...seen.values()].sort((a, b) =>
    a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : a.clientAddr < b.clientAddr ? -1 : 1,
  );
}

/**
 * Ask each broker; keep the answers, and if none succeeded throw the first error (for a consumer group
 * every broker answering CONSUMER_NOT_ONLINE means exactly that).
 */
async function fromEach<T>(brokers: BrokerTarget[], ask: (addr: string) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(brokers.map((b) => ask(b.addr)));
  const ok = settled.filter((s): s is PromiseFulfilledResult<Awaited<T>> => s.status === 'fulfilled');
  if (ok.length === 0) {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return ok.map((s) => s.value);
}

/**
 * GET_CONSUMER_CONNECTION_LIST to every broker, merged: the group's clients with their address,
 * language and version, its subscriptions and consume settings (examineConsumerConnectionInfo asks one
 * broker at random; asking all shows clients connected to only some). No broker knowing the group →
 * the brokers' CONSUMER_NOT_ONLINE error.
 */
export async function consumerConnection(
  instance: ClientInstance,
  consumerGroup: string,
): Promise<ConsumerConnection> {
  const header = ConsumerGroupRequestHeader.encode({ consumerGroup });
  const answers = await fromEach(await allBrokers(instance), async (addr) => {
    const resp = await instance.invoke(
      addr,
      instance.request(RequestCode.GET_CONSUMER_CONNECTION_LIST, header),
    );
    return decodeConsumerConnection(resp.body);
  });
  const [first] = answers;
  return {
    connectionSet: distinct(answers.flatMap((a) => a.connectionSet)),
    consumeType: first?.consumeType ?? '',
    messageModel: first?.messageModel ?? '',
    consumeFromWhere: first?.consumeFromWhere ?? '',
    subscriptionTable: Object.assign({}, ...answers.map((a) => a.subscriptionTable)),
  };
}

/**
 * GET_PRODUCER_CONNECTION_LIST to every broker serving `topic` (examineProducerConnectionInfo asks one),
 * merged. No broker knowing the group → the brokers' SYSTEM_ERROR "the producer group[…] not exist".
 */
export async function producerConnection(
  instance: ClientInstance,
  producerGroup: string,
  topic: string,
): Promise<Connection[]> {
  const route = await instance.namesrv.getTopicRouteInfo(topic);
  const header = GetProducerConnectionListRequestHeader.encode({ producerGroup });
  const answers = await fromEach(routeBrokers(route), async (addr) => {
    const resp = await instance.invoke(
      addr,
      instance.request(RequestCode.GET_PRODUCER_CONNECTION_LIST, header),
    );
    return decodeProducerConnection(resp.body);
  });
  return distinct(answers.flat());
}
