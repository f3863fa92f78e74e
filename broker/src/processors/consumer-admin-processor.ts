import {
  ConsumerGroupRequestHeader,
  createResponse,
  encodeConsumerConnection,
  encodeConsumeStats,
  encodeProducerConnection,
  GetConsumeStatsRequestHeader,
  GetProducerConnectionListRequestHeader,
  RequestCode,
  ResponseCode,
  type Connection,
  type MessageQueue,
  type OffsetWrapper,
  type RemotingCommand,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { ClientChannelInfo } from '../client-manager/client-channel-info';
import type { RequestProcessor } from '../remoting/request-processor';
import { ConsumeTpsSampler } from '../stats/consume-tps-sampler';
import { retryTopicOf } from '../topics/topic-validator';

/**
 * GET_CONSUME_STATS, GET_CONSUMER_CONNECTION_LIST, GET_PRODUCER_CONNECTION_LIST: how far a group has
 * consumed and who is connected (AdminBrokerProcessor.getConsumeStats, getConsumerConnectionList,
 * getProducerConnectionList).
 */
export class ConsumerAdminProcessor {
  static readonly codes = [
    RequestCode.GET_CONSUME_STATS,
    RequestCode.GET_CONSUMER_CONNECTION_LIST,
    RequestCode.GET_PRODUCER_CONNECTION_LIST,
  ];

  private readonly tps = new ConsumeTpsSampler();

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    switch (cmd.code) {
      case RequestCode.GET_CONSUME_STATS:
        return this.consumeStats(cmd);
      case RequestCode.GET_CONSUMER_CONNECTION_LIST:
        return this.consumerConnections(cmd);
      default:
        return this.producerConnections(cmd);
    }
  };

  /**
   * One OffsetWrapper per readable queue of each topic asked about. brokerOffset is the queue's max
   * offset, consumerOffset the committed one (0 when none), pullOffset the furthest pulled (at least the
   * committed one), lastTimestamp the store time of the last consumed message (0 when unknown).
   */
  private consumeStats(cmd: RemotingCommand): RemotingCommand {
    const h = GetConsumeStatsRequestHeader.decode(cmd.extFields);
    const group = h.consumerGroup;
    const { store, offsets, config } = this.ctx;
    const table: [MessageQueue, OffsetWrapper][] = [];
    let consumeTps = 0;
    for (const topic of this.topicsOf(group, h.topic, h.topicList)) {
      const tc = this.ctx.topics.get(topic);
      if (!tc) continue;
      let committedTotal = 0;
      for (let queueId = 0; queueId < tc.readQueueNums; queueId++) {
        const committed = offsets.query(group, topic, queueId);
        const consumerOffset = Math.max(0, committed);
        committedTotal += consumerOffset;
        const lastTs =
          consumerOffset > 0 ? store.getMessageStoreTimestamp(topic, queueId, consumerOffset - 1) : 0;
        table.push([
          { topic, brokerName: config.brokerName, queueId },
          {
            brokerOffset: Math.max(0, store.getMaxOffsetInQueue(topic, queueId)),
            consumerOffset,
            pullOffset: Math.max(consumerOffset, offsets.queryPullOffset(group, topic, queueId)),
            lastTimestamp: Math.max(0, lastTs),
          },
        ]);
      }
      consumeTps += this.tps.sample(`${topic}@${group}`, committedTotal);
    }
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      undefined,
      encodeConsumeStats({ consumeTps, offsetTable: table }),
    );
  }

  /**
   * The topics of GET_CONSUME_STATS (as getTopicsForCollectingConsumeStats): a 5.x topicList as given;
   * else the one topic, or every topic the group committed offsets for or subscribes to now. While the
   * group is online, topics it does not subscribe are left out — except its %RETRY% topic, which always
   * counts (clustering consumers read it implicitly).
   */
  private topicsOf(group: string, topic: string | undefined, topicList: string | undefined): string[] {
    const listed = (topicList ?? '')
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean);
    if (listed.length > 0) return [...new Set(listed)];
    const retry = retryTopicOf(group);
    const subs = this.ctx.consumers.get(group)?.subscriptions ?? new Map<string, SubscriptionData>();
    const candidates = topic ? [topic] : [...this.ctx.offsets.topicsOf(group), ...subs.keys(), retry];
    return [...new Set(candidates)].filter((t) => t === retry || subs.size === 0 || subs.has(t)).sort();
  }

  private consumerConnections(cmd: RemotingCommand): RemotingCommand {
    const { consumerGroup } = ConsumerGroupRequestHeader.decode(cmd.extFields);
    const g = this.ctx.consumers.get(consumerGroup);
    if (!g || g.channels.size === 0)
      return createResponse(
        cmd,
        ResponseCode.CONSUMER_NOT_ONLINE,
        `the consumer group[${consumerGroup}] not online`,
      );
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      undefined,
      encodeConsumerConnection({
        connectionSet: [...g.channels.values()].map(connectionOf),
        consumeType: g.consumeType,
        messageModel: g.messageModel,
        consumeFromWhere: g.consumeFromWhere,
        subscriptionTable: Object.fromEntries(g.subscriptions),
      }),
    );
  }

  private producerConnections(cmd: RemotingCommand): RemotingCommand {
    const { producerGroup } = GetProducerConnectionListRequestHeader.decode(cmd.extFields);
    const channels = this.ctx.producers.channels(producerGroup);
    if (channels.length === 0)
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, `the producer group[${producerGroup}] not exist`);
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      undefined,
      encodeProducerConnection(channels.map(connectionOf)),
    );
  }
}

function connectionOf(c: ClientChannelInfo): Connection {
  return {
    clientId: c.clientId,
    clientAddr: c.channel.remoteAddress,
    language: c.language,
    version: c.version,
  };
}
