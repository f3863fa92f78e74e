import {
  buildPullSysFlag,
  InvalidArgumentError,
  messageQueueKey,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import { ClientInstance } from '../client/client-instance';
import { ServiceState } from '../client/service-state';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import type { Logger } from '../logger';
import { nonNegativeInt, positiveInt } from '../options/validate';
import { MASTER_ID } from '../route/topic-publish-info';
import {
  getEarliestMsgStoreTime,
  getMaxOffset,
  getMinOffset,
  queryConsumerOffset,
  searchOffset,
  updateConsumerOffset,
} from './offset-requests';
import {
  DEFAULT_PULL_BATCH_SIZE,
  LONG_POLL_TIMEOUT_MARGIN_MS,
  resolvePullConsumerOptions,
  type PullConsumerConfig,
  type PullConsumerOptions,
} from './pull-consumer-options';
import { processPullResponse, type ProcessedPull, type PullResult } from './pull-result';
import { buildSubscriptionData, type SubExpression } from './subscription';

export interface PullOptions {
  /** Logical queue offset to read from. */
  offset: number;
  /** Most messages to return (the broker may return fewer). */
  maxNums?: number;
  /** Tag expression ("*" by default) or {type: 'SQL92', expression}. */
  subExpression?: SubExpression;
  /** Let the broker hold the pull this long when nothing is there yet (long polling). */
  suspendTimeoutMs?: number;
  /** Socket timeout; must exceed suspendTimeoutMs. */
  timeoutMs?: number;
}

const PULL_ACCEPTED_CODES: readonly number[] = [
  ResponseCode.SUCCESS,
  ResponseCode.PULL_NOT_FOUND,
  ResponseCode.PULL_RETRY_IMMEDIATELY,
  ResponseCode.PULL_OFFSET_MOVED,
];
/** Distinct expressions whose SubscriptionData is cached (each keeps its subVersion). */
const MAX_CACHED_SUBSCRIPTIONS = 1024;

/**
 * Pulls from queues the caller chooses and manages offsets explicitly (DefaultMQPullConsumer). Every pull
 * carries its subscription (PullSysFlag SUBSCRIPTION), so no heartbeat is needed before pulling.
 */
export class PullConsumer {
  private readonly config: PullConsumerConfig;
  private readonly instance: ClientInstance;
  private readonly state = new ServiceState('PullConsumer');
  private readonly logger: Logger;
  private readonly subscriptions = new Map<string, SubscriptionData>();
  /** Broker id each queue should be pulled from next, as suggested by the broker (pullFromWhichNodeTable). */
  private readonly pullFromWhichNode = new Map<string, number>();

  constructor(options: PullConsumerOptions) {
    this.config = resolvePullConsumerOptions(options);
    this.instance = new ClientInstance(this.config.client);
    this.logger = this.config.client.logger;
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  get consumerGroup(): string {
    return this.config.consumerGroup;
  }

  async start(): Promise<void> {
    this.state.beginStart();
    this.instance.startPolling();
    this.logger.info('pull consumer started', { group: this.config.consumerGroup, clientId: this.clientId });
  }

  async shutdown(): Promise<void> {
    if (!this.state.beginShutdown()) return;
    this.instance.shutdown();
    this.logger.info('pull consumer shut down', { group: this.config.consumerGroup });
  }

  /** Readable queues of `topic`, read fresh from the name server, sorted as MessageQueue.compareTo. */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.state.assertRunning();
    const entry = await this.instance.routes.refresh(topic);
    if (entry.subscribeQueues.length === 0) {
      throw new MQClientError(MQClientErrorCode.NO_READABLE_QUEUE, `topic ${topic} has no readable queue`);
    }
    return [...entry.subscribeQueues];
  }

  /** One PULL_MESSAGE (DefaultMQPullConsumerImpl.pullSyncImpl); see PullStatus for the outcomes. */
  async pull(mq: MessageQueue, options: PullOptions): Promise<PullResult> {
    this.state.assertRunning();
    checkQueue(mq);
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', 'must be an object with offset');
    const offset = nonNegativeInt(options.offset, 'offset');
    const maxNums = positiveInt(options.maxNums ?? DEFAULT_PULL_BATCH_SIZE, 'maxNums');
    const suspend = options.suspendTimeoutMs !== undefined;
    const suspendTimeoutMs = suspend ? positiveInt(options.suspendTimeoutMs, 'suspendTimeoutMs') : 0;
    const timeoutMs = positiveInt(
      options.timeoutMs ??
        (suspend ? suspendTimeoutMs + LONG_POLL_TIMEOUT_MARGIN_MS : this.config.consumerPullTimeoutMs),
      'timeoutMs',
    );
    if (suspend && timeoutMs <= suspendTimeoutMs) {
      throw new InvalidArgumentError(
        'timeoutMs',
        `must exceed suspendTimeoutMs (${suspendTimeoutMs} ms) so the broker can answer`,
      );
    }
    const sub = this.subscriptionOf(mq.topic, options.subExpression);
    const found = this.pullAddrOf(mq);
    const addr = typeof found === 'string' ? found : await found;
    const header = PullMessageRequestHeader.encode({
      consumerGroup: this.config.consumerGroup,
      topic: mq.topic,
      queueId: mq.queueId,
      queueOffset: offset,
      maxMsgNums: maxNums,
      sysFlag: buildPullSysFlag(false, suspend, true, false),
      commitOffset: 0,
      suspendTimeoutMillis: suspendTimeoutMs,
      subscription: sub.subString,
      subVersion: sub.subVersion,
      expressionType: sub.expressionType,
    });
    let processed: ProcessedPull;
    try {
      const resp = await this.instance.invoke(
        addr,
        this.instance.request(RequestCode.PULL_MESSAGE, header),
        timeoutMs,
        PULL_ACCEPTED_CODES,
      );
      processed = processPullResponse(resp, addr, sub);
    } catch (err) {
      // After a failure the next pull goes to the master until a broker suggests otherwise again.
      this.pullFromWhichNode.delete(messageQueueKey(mq));
      throw err;
    }
    this.pullFromWhichNode.set(messageQueueKey(mq), processed.suggestWhichBrokerId);
    return processed.result;
  }

  /** Store the group's offset for `mq` on its broker (UPDATE_CONSUMER_OFFSET, waiting for the answer). */
  async commitOffset(mq: MessageQueue, offset: number): Promise<void> {
    this.state.assertRunning();
    checkQueue(mq);
    const commit = nonNegativeInt(offset, 'offset');
    await updateConsumerOffset(
      this.instance,
      await this.addrOf(mq, false),
      this.config.consumerGroup,
      mq,
      commit,
    );
  }

  /** The group's committed offset for `mq`, or −1 when it has none (QUERY_CONSUMER_OFFSET). */
  async fetchConsumeOffset(mq: MessageQueue): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    return queryConsumerOffset(this.instance, await this.addrOf(mq, false), this.config.consumerGroup, mq);
  }

  async maxOffset(mq: MessageQueue): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    return getMaxOffset(this.instance, await this.addrOf(mq, true), mq);
  }

  async minOffset(mq: MessageQueue): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    return getMinOffset(this.instance, await this.addrOf(mq, true), mq);
  }

  /** Offset of the message stored at about `timestamp` (ms); see SEARCH_OFFSET_BY_TIMESTAMP. */
  async searchOffset(mq: MessageQueue, timestamp: number): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    const ts = nonNegativeInt(timestamp, 'timestamp');
    return searchOffset(this.instance, await this.addrOf(mq, true), mq, ts);
  }

  async earliestMsgStoreTime(mq: MessageQueue): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    return getEarliestMsgStoreTime(this.instance, await this.addrOf(mq, true), mq);
  }

  private subscriptionOf(topic: string, expr: SubExpression | undefined): SubscriptionData {
    const key =
      typeof expr === 'object' && expr !== null
        ? `${topic}\u0000${expr.type}\u0000${expr.expression}`
        : `${topic}\u0000TAG\u0000${expr ?? '*'}`;
    let sub = this.subscriptions.get(key);
    if (!sub) {
      sub = buildSubscriptionData(topic, expr, Date.now());
      if (this.subscriptions.size >= MAX_CACHED_SUBSCRIPTIONS) this.subscriptions.clear();
      this.subscriptions.set(key, sub);
    }
    return sub;
  }

  /** The broker the next pull of `mq` goes to: the suggested one if known, else the master, else any. */
  private pullAddrOf(mq: MessageQueue): string | Promise<string> {
    const routes = this.instance.routes;
    const wanted = this.pullFromWhichNode.get(messageQueueKey(mq)) ?? MASTER_ID;
    const find = (): string | undefined =>
      routes.findBrokerAddr(mq.brokerName, wanted) ?? routes.findAnyAddr(mq.brokerName);
    // Known brokers are answered without a promise hop: this runs once per pull.
    return find() ?? routes.resolveAddr(mq.topic, mq.brokerName, find, 'address');
  }

  /**
   * Address for offset requests: the master (`masterOnly`, as findBrokerAddressInPublish) or the master else a
   * slave (as findBrokerAddressInSubscribe); the route is read again once when the broker is unknown.
   */
  private addrOf(mq: MessageQueue, masterOnly: boolean): Promise<string> {
    const routes = this.instance.routes;
    const find = (): string | undefined =>
      masterOnly ? routes.findMasterAddr(mq.brokerName) : routes.findAnyAddr(mq.brokerName);
    return routes.resolveAddr(mq.topic, mq.brokerName, find, masterOnly ? 'master' : 'address');
  }
}

function checkQueue(mq: MessageQueue): void {
  if (
    typeof mq !== 'object' ||
    mq === null ||
    typeof mq.topic !== 'string' ||
    typeof mq.brokerName !== 'string' ||
    !Number.isInteger(mq.queueId) ||
    mq.queueId < 0
  ) {
    throw new InvalidArgumentError('mq', 'must be a MessageQueue {topic, brokerName, queueId}');
  }
}
