import {
  decodeKvTable,
  decodeMessageRecords,
  decodeOffsetMsgId,
  decodeTopicConfigWrapper,
  InvalidArgumentError,
  parseBody,
  RequestCode,
  TopicRequestHeader,
  ViewMessageRequestHeader,
  compareMessageQueue,
  type ClusterInfo,
  type Connection,
  type ConsumeMessageDirectlyResult,
  type ConsumerConnection,
  type ConsumerRunningInfo,
  type MessageExt,
  type SubscriptionGroupConfig,
  type TopicConfigSerializeWrapper,
  type TopicRouteData,
} from '@rocketts/protocol';
import { ClientInstance } from '../client/client-instance';
import { ServiceState } from '../client/service-state';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import { nonEmptyString, nonNegativeInt, positiveInt } from '../options/validate';
import { checkTopic } from '../producer/validators';
import { MASTER_ID } from '../route/topic-publish-info';
import { resolveAdminOptions, type AdminOptions } from './admin-options';
import { consumeMessageDirectly, getConsumerRunningInfo } from './consumer-calls';
import { consumerProgress, type ConsumerProgress } from './consumer-progress';
import { consumerConnection, producerConnection } from './connections';
import { createTopic, type CreateTopicOptions } from './create-topic';
import { deleteTopic } from './delete-topic';
import { resendDlq, type ResendDlqOptions, type ResendDlqResult } from './resend-dlq';
import { resetOffsetByTime, type ResetQueueOffset } from './reset-offset';
import { deleteSubGroup, updateSubGroup, type GroupTarget, type SubGroupInput } from './sub-group';
import {
  DEFAULT_QUERY_MAX_NUM,
  queryMessage,
  type QueryMessageOptions,
  type QueryResult,
} from './query-message';
import { decodeTopicStatsTable, type TopicQueueStatus } from './topic-stats';

/**
 * Cluster administration and message lookup (DefaultMQAdminExt / MQAdminImpl): topics, routes, stats,
 * cluster info, messages by id or key, broker runtime info, consumer groups, their progress, clients and
 * offsets, dead-letter replay. Every call reads fresh data.
 */
export class Admin {
  private readonly instance: ClientInstance;
  private readonly state = new ServiceState('Admin');

  constructor(private readonly options: AdminOptions) {
    this.instance = new ClientInstance(resolveAdminOptions(options));
  }

  async start(): Promise<void> {
    this.state.beginStart();
  }

  async shutdown(): Promise<void> {
    if (!this.state.beginShutdown()) return;
    this.instance.shutdown();
  }

  /** Create or update a topic on every master of a cluster or on one broker; returns the brokers updated. */
  async createTopic(options: CreateTopicOptions): Promise<string[]> {
    this.state.assertRunning();
    return createTopic(this.instance, options);
  }

  /** Every topic the name servers know (GET_ALL_TOPIC_LIST_FROM_NAMESERVER). */
  async topicList(): Promise<string[]> {
    this.state.assertRunning();
    return this.instance.namesrv.getAllTopicList();
  }

  /** The topic's route as the name server has it now; TOPIC_NOT_EXIST is a ResponseError. */
  async topicRoute(topic: string): Promise<TopicRouteData> {
    this.state.assertRunning();
    return this.instance.namesrv.getTopicRouteInfo(checkTopic(topic));
  }

  /** Min/max offset and last store time of every queue of the topic, from GET_TOPIC_STATS_INFO to each broker. */
  async topicStatus(topic: string): Promise<TopicQueueStatus[]> {
    this.state.assertRunning();
    const route = await this.instance.namesrv.getTopicRouteInfo(checkTopic(topic));
    const header = TopicRequestHeader.encode({ topic });
    const perBroker = await Promise.all(
      route.brokerDatas.map(async (bd) => {
        const addr = bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0];
        if (!addr) return [];
        const resp = await this.instance.invoke(
          addr,
          this.instance.request(RequestCode.GET_TOPIC_STATS_INFO, header),
        );
        return decodeTopicStatsTable(resp.body);
      }),
    );
    return perBroker.flat().sort((a, b) => compareMessageQueue(a.messageQueue, b.messageQueue));
  }

  /** Brokers per cluster and addresses per broker name (GET_BROKER_CLUSTER_INFO). */
  async clusterInfo(): Promise<ClusterInfo> {
    this.state.assertRunning();
    return this.instance.namesrv.getBrokerClusterInfo();
  }

  /** One message by its offset message id, from the broker encoded in the id (VIEW_MESSAGE_BY_ID). */
  async viewMessage(offsetMsgId: string): Promise<MessageExt> {
    this.state.assertRunning();
    let decoded;
    try {
      decoded = decodeOffsetMsgId(nonEmptyString(offsetMsgId, 'offsetMsgId'));
    } catch (err) {
      throw new InvalidArgumentError('offsetMsgId', (err as Error).message);
    }
    const header = ViewMessageRequestHeader.encode({ offset: decoded.offset });
    const resp = await this.instance.invoke(
      decoded.addr,
      this.instance.request(RequestCode.VIEW_MESSAGE_BY_ID, header),
    );
    const [msg] = resp.body ? decodeMessageRecords(resp.body, { inflate: true }) : [];
    if (!msg)
      throw new MQClientError(
        MQClientErrorCode.EMPTY_RESPONSE,
        `${decoded.addr} returned no message for ${offsetMsgId}`,
      );
    return msg;
  }

  /** Messages of the topic whose KEYS hold `key`, from every broker of the topic (QUERY_MESSAGE). */
  async queryMessageByKey(
    topic: string,
    key: string,
    options: QueryMessageOptions = {},
  ): Promise<QueryResult> {
    this.state.assertRunning();
    return this.query(topic, nonEmptyString(key, 'key'), false, options);
  }

  /** The message with this UNIQ_KEY (the msgId of a SendResult), oldest stored copy; undefined if none. */
  async queryMessageByUniqKey(topic: string, uniqKey: string): Promise<MessageExt | undefined> {
    this.state.assertRunning();
    const result = await this.query(topic, nonEmptyString(uniqKey, 'uniqKey'), true, {});
    return result.messages[0];
  }

  /** The broker's runtime KV table (GET_BROKER_RUNTIME_INFO): versions, offsets, TPS, queue sizes… */
  async brokerRuntimeInfo(brokerAddr: string): Promise<Record<string, string>> {
    this.state.assertRunning();
    const resp = await this.instance.invoke(
      nonEmptyString(brokerAddr, 'brokerAddr'),
      this.instance.request(RequestCode.GET_BROKER_RUNTIME_INFO),
    );
    return decodeKvTable(resp.body);
  }

  /** mqadmin brokerStatus: the broker's runtime KV table (same as brokerRuntimeInfo). */
  async brokerStatus(brokerAddr: string): Promise<Record<string, string>> {
    return this.brokerRuntimeInfo(brokerAddr);
  }

  /** Delete a topic from every broker of a cluster, then from every name server; returns the brokers. */
  async deleteTopic(topic: string, clusterName: string): Promise<string[]> {
    this.state.assertRunning();
    return deleteTopic(this.instance, topic, nonEmptyString(clusterName, 'clusterName'));
  }

  /** Lag of a consumer group per queue and in total, on every broker (GET_CONSUME_STATS). */
  async consumerProgress(consumerGroup: string, topic?: string): Promise<ConsumerProgress> {
    this.state.assertRunning();
    return consumerProgress(
      this.instance,
      nonEmptyString(consumerGroup, 'consumerGroup'),
      topic === undefined ? undefined : checkTopic(topic),
    );
  }

  /** The group's online clients, subscriptions and settings; CONSUMER_NOT_ONLINE when none is connected. */
  async consumerConnection(consumerGroup: string): Promise<ConsumerConnection> {
    this.state.assertRunning();
    return consumerConnection(this.instance, nonEmptyString(consumerGroup, 'consumerGroup'));
  }

  /** The producer group's clients connected to the brokers of `topic`. */
  async producerConnection(producerGroup: string, topic: string): Promise<Connection[]> {
    this.state.assertRunning();
    return producerConnection(
      this.instance,
      nonEmptyString(producerGroup, 'producerGroup'),
      checkTopic(topic),
    );
  }

  /**
   * Move the group's offsets on `topic` to the first message stored at or after `timestamp` (ms; −1 = the
   * end) on every broker of the topic; without `force` offsets only move back. Online clients are told.
   */
  async resetOffsetByTime(
    consumerGroup: string,
    topic: string,
    timestamp: number,
    force = true,
  ): Promise<ResetQueueOffset[]> {
    this.state.assertRunning();
    if (!Number.isSafeInteger(timestamp) || timestamp < -1)
      throw new InvalidArgumentError(
        'timestamp',
        'must be ms since the epoch, or -1 for the end of each queue',
      );
    return resetOffsetByTime(
      this.instance,
      nonEmptyString(consumerGroup, 'consumerGroup'),
      checkTopic(topic),
      timestamp,
      force === true,
    );
  }

  /** Create or replace a subscription group's config on one broker or a cluster's masters. */
  async updateSubGroup(
    config: SubGroupInput,
    target: GroupTarget,
  ): Promise<{ config: SubscriptionGroupConfig; brokerAddrs: string[] }> {
    this.state.assertRunning();
    return updateSubGroup(this.instance, config, target);
  }

  /** Delete a subscription group (and with `cleanOffset` its offsets); see deleteSubGroup for clusters. */
  async deleteSubGroup(groupName: string, target: GroupTarget, cleanOffset = false): Promise<string[]> {
    this.state.assertRunning();
    return deleteSubGroup(this.instance, groupName, target, cleanOffset === true);
  }

  /** What one client of the group reports about itself (GET_CONSUMER_RUNNING_INFO, relayed by a broker). */
  async getConsumerRunningInfo(
    consumerGroup: string,
    clientId: string,
    jstack = false,
  ): Promise<ConsumerRunningInfo> {
    this.state.assertRunning();
    return getConsumerRunningInfo(
      this.instance,
      nonEmptyString(consumerGroup, 'consumerGroup'),
      nonEmptyString(clientId, 'clientId'),
      jstack === true,
    );
  }

  /** Have one client of the group consume the message with this offset id now (CONSUME_MESSAGE_DIRECTLY). */
  async consumeMessageDirectly(
    consumerGroup: string,
    clientId: string,
    offsetMsgId: string,
    topic?: string,
  ): Promise<ConsumeMessageDirectlyResult> {
    this.state.assertRunning();
    return consumeMessageDirectly(
      this.instance,
      nonEmptyString(consumerGroup, 'consumerGroup'),
      nonEmptyString(clientId, 'clientId'),
      nonEmptyString(offsetMsgId, 'msgId'),
      topic,
    );
  }

  /** Send the dead letters of %DLQ%<group> back to their original topics, from a checkpoint; see resendDlq. */
  async resendDlq(consumerGroup: string, options: ResendDlqOptions = {}): Promise<ResendDlqResult> {
    this.state.assertRunning();
    return resendDlq(this.options, consumerGroup, options);
  }

  /** Every topic config of one broker and its data version (GET_ALL_TOPIC_CONFIG). */
  async getAllTopicConfig(brokerAddr: string): Promise<TopicConfigSerializeWrapper> {
    this.state.assertRunning();
    const resp = await this.instance.invoke(
      nonEmptyString(brokerAddr, 'brokerAddr'),
      this.instance.request(RequestCode.GET_ALL_TOPIC_CONFIG),
    );
    return decodeTopicConfigWrapper(parseBody(resp.body, 'TopicConfigSerializeWrapper'));
  }

  private async query(
    topic: string,
    key: string,
    uniqKey: boolean,
    options: QueryMessageOptions,
  ): Promise<QueryResult> {
    const resolved: Required<QueryMessageOptions> = {
      maxNum: positiveInt(options.maxNum ?? DEFAULT_QUERY_MAX_NUM, 'maxNum'),
      begin: nonNegativeInt(options.begin ?? 0, 'begin'),
      end: nonNegativeInt(options.end ?? Number.MAX_SAFE_INTEGER, 'end'),
    };
    const route = await this.instance.namesrv.getTopicRouteInfo(checkTopic(topic));
    return queryMessage(
      this.instance,
      route,
      topic,
      key,
      uniqKey,
      resolved,
      this.instance.config.requestTimeoutMs,
    );
  }
}
