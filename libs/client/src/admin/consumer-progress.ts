import {
  compareMessageQueue,
  decodeConsumeStats,
  GetConsumeStatsRequestHeader,
  RequestCode,
  type MessageQueue,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { allBrokers } from './brokers';

/** One queue's consumption as a broker reports it (OffsetWrapper), with the derived figures. */
export interface QueueProgress {
  messageQueue: MessageQueue;
  /** Next offset the broker will write. */
  brokerOffset: number;
  /** The group's committed offset (next to consume), 0 when it has none. */
  consumerOffset: number;
  /** Furthest offset the group has pulled. */
  pullOffset: number;
  /** Messages not yet consumed: brokerOffset − consumerOffset ("#Diff"). */
  lag: number;
  /** Pulled but not yet committed: pullOffset − consumerOffset ("#Inflight"). */
  inflight: number;
  /** Store time (ms) of the last consumed message, 0 when unknown. */
  lastTimestamp: number;
}

export interface ConsumerProgress {
  consumerGroup: string;
  /** Sorted by topic, broker name and queue id (MessageQueue.compareTo). */
  queues: QueueProgress[];
  totalLag: number;
  totalInflight: number;
  /** Sum of the brokers' consume TPS figures. */
  consumeTps: number;
}

/**
 * GET_CONSUME_STATS to one address of every broker name the name server knows, merged
 * (DefaultMQAdminExtImpl.examineConsumeStats asks the brokers of %RETRY%<group>; asking all finds
 * offsets on brokers the group no longer heartbeats to). Without `topic`, each broker reports the
 * topics the group has offsets for or subscribes to, plus %RETRY%<group>. A broker that fails fails the
 * call: a partial lag would mislead.
 */
export async function consumerProgress(
  instance: ClientInstance,
  consumerGroup: string,
  topic?: string,
): Promise<ConsumerProgress> {
  const header = GetConsumeStatsRequestHeader.encode({ consumerGroup, ...(topic ? { topic } : {}) });
  const brokers = await allBrokers(instance);
  const perBroker = await Promise.all(
    brokers.map(async (b) => {
      const resp = await instance.invoke(
        b.addr,
        instance.request(RequestCode.GET_CONSUME_STATS, header),
        // As examineConsumeStats: three times the admin timeout, a broker walks every queue.
        instance.config.requestTimeoutMs * 3,
      );
      return decodeConsumeStats(resp.body);
    }),
  );
  const queues: QueueProgress[] = [];
  let consumeTps = 0;
  for (const stats of perBroker) {
    consumeTps += stats.consumeTps;
    for (const [messageQueue, o] of stats.offsetTable) {
      queues.push({
        messageQueue,
        brokerOffset: o.brokerOffset,
        consumerOffset: o.consumerOffset,
        pullOffset: o.pullOffset,
        lag: Math.max(0, o.brokerOffset - o.consumerOffset),
        inflight: Math.max(0, o.pullOffset - o.consumerOffset),
        lastTimestamp: o.lastTimestamp,
      });
    }
  }
  queues.sort((a, b) => compareMessageQueue(a.messageQueue, b.messageQueue));
  return {
    consumerGroup,
    queues,
    totalLag: queues.reduce((n, q) => n + q.lag, 0),
    totalInflight: queues.reduce((n, q) => n + q.inflight, 0),
    consumeTps,
  };
}
