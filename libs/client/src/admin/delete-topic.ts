import { DeleteTopicFromNamesrvRequestHeader, RequestCode, TopicRequestHeader } from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { checkTopic } from '../producer/validators';
import { clusterAddrs } from './brokers';

/**
 * Delete a topic from a cluster (DefaultMQAdminExtImpl.deleteTopic): DELETE_TOPIC_IN_BROKER to every
 * broker of the cluster, masters and slaves — config, consume queues and every group's offsets go —
 * then DELETE_TOPIC_IN_NAMESRV (for this cluster) to every name server, which keep their own routes.
 * The brokers go first so none re-registers the topic afterwards. Returns the brokers it was deleted on.
 */
export async function deleteTopic(
  instance: ClientInstance,
  topicName: string,
  clusterName: string,
): Promise<string[]> {
  const topic = checkTopic(topicName);
  const addrs = await clusterAddrs(instance, clusterName);
  const brokerHeader = TopicRequestHeader.encode({ topic });
  for (const addr of addrs)
    await instance.invoke(addr, instance.request(RequestCode.DELETE_TOPIC_IN_BROKER, brokerHeader));
  const nsHeader = DeleteTopicFromNamesrvRequestHeader.encode({ topic, clusterName });
  for (const addr of instance.namesrv.addresses)
    await instance.invoke(addr, instance.request(RequestCode.DELETE_TOPIC_IN_NAMESRV, nsHeader));
  return addrs;
}
