import {
  InvalidArgumentError,
  sendHeaderV2Json,
  SerializeType,
  SendMessageRequestHeaderV2,
  type MessageQueue,
  type RemotingCommand,
  type SendMessageRequestHeader,
} from '@rocketts/protocol';
import type { BrokerHeartbeat } from '../client/broker-heartbeat';
import type { ClientInstance } from '../client/client-instance';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import type { Logger } from '../logger';
import type { TopicPublishInfo } from '../route/topic-publish-info';
import type { DefaultTopicFallback, TopicRouteEntry } from '../route/topic-route-cache';
import { LatencyFaultTolerance } from './latency-fault-tolerance';
import type { Message, SendResult } from './message';
import type { PreparedMessage } from './prepare-message';
import type { ProducerConfig } from './producer-options';
import { chooseQueue } from './queue-choice';
import type { MessageQueueSelector } from './selectors';
import { shardingKeyQueueId } from './selectors';
import { processSendResponse } from './send-response';
import { isRetriableSendError } from './send-retry';

/**
 * The send path of a Producer (DefaultMQProducerImpl.sendDefaultImpl / sendSelectImpl / sendKernelImpl):
 * route lookup, queue choice with latency fault avoidance, the attempts, the wire request.
 */
export class Sender {
  /** Undefined when sendLatencyFaultEnable is off. */
  readonly faults: LatencyFaultTolerance | undefined;
  readonly fallback: DefaultTopicFallback;
  private readonly logger: Logger;

  constructor(
    private readonly config: ProducerConfig,
    private readonly instance: ClientInstance,
    private readonly heartbeat: BrokerHeartbeat,
  ) {
    this.faults = config.sendLatencyFaultEnable ? new LatencyFaultTolerance() : undefined;
    this.fallback = { topic: config.createTopicKey, queueNums: config.defaultTopicQueueNums };
    this.logger = config.client.logger;
  }

  /**
   * The route entry to publish `topic` with (tryToFindTopicPublishInfo): the cached one when usable, read
   * inline so a send to a known topic takes no promise hop; otherwise a fresh lookup.
   */
  publishEntry(topic: string): TopicRouteEntry | Promise<TopicRouteEntry> {
    const cached = this.instance.routes.peek(topic);
    if (cached && cached.publishInfo.ok) return cached;
    return this.instance.routes.getForPublish(topic, this.fallback).then((entry) => {
      if (!entry.publishInfo.ok) {
        throw new MQClientError(
          MQClientErrorCode.NO_WRITABLE_QUEUE,
          `topic ${topic} has no writable queue on a broker with a master`,
        );
      }
      return entry;
    });
  }

  async publishQueues(topic: string): Promise<readonly MessageQueue[]> {
    return (await this.publishEntry(topic)).publishInfo.messageQueues;
  }

  /** 1 + retryTimesWhenSendFailed attempts, each preferably on another broker, all within `timeoutMs`. */
  async sendWithRetries(prepared: PreparedMessage, code: number, timeoutMs: number): Promise<SendResult> {
    const deadline = Date.now() + timeoutMs;
    const found = this.publishEntry(prepared.topic);
    const info = (found instanceof Promise ? await found : found).publishInfo;
    const queueId = this.shardingQueueId(prepared, info);
    const attempts = 1 + this.config.retryTimesWhenSendFailed;
    let lastBrokerName: string | undefined;
    let lastErr: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (deadline - Date.now() <= 0) break;
      const mq = chooseQueue(info, lastBrokerName, this.faults, queueId) as MessageQueue;
      const begin = Date.now();
      try {
        const routes = this.instance.routes;
        const addr = routes.findMasterAddr(mq.brokerName) ?? (await this.masterAddrOf(prepared.topic, mq));
        const result = await this.attempt(prepared, code, mq, addr, deadline - Date.now());
        this.recordLatency(mq, begin, undefined);
        return result;
      } catch (err) {
        this.recordLatency(mq, begin, err);
        lastErr = err;
        lastBrokerName = mq.brokerName;
        if (!isRetriableSendError(err)) throw err;
        if (attempt < attempts) {
          this.logger.warn('send attempt failed, retrying', {
            topic: prepared.topic,
            broker: mq.brokerName,
            attempt,
            error: err,
          });
        }
      }
    }
    throw lastErr ?? timeoutBeforeAttempt(prepared.topic, timeoutMs);
  }

  /** A send to one given queue: no retry elsewhere, so per-queue order holds (as send(msg, mq)). */
  async sendToQueue(
    prepared: PreparedMessage,
    code: number,
    mq: MessageQueue,
    timeoutMs: number,
    begin = Date.now(),
  ): Promise<SendResult> {
    const addr = await this.masterAddrOf(prepared.topic, mq);
    const remaining = timeoutMs - (Date.now() - begin);
    if (remaining <= 0) throw timeoutBeforeAttempt(mq.topic, timeoutMs);
    const attemptBegin = Date.now();
    try {
      const result = await this.attempt(prepared, code, mq, addr, remaining);
      this.recordLatency(mq, attemptBegin, undefined);
      return result;
    } catch (err) {
      this.recordLatency(mq, attemptBegin, err);
      throw err;
    }
  }

  /** Ordered send (sendSelectImpl): the selector picks among the publish queues; no retry on another queue. */
  async sendSelected(
    prepared: PreparedMessage,
    code: number,
    msg: Message,
    selector: MessageQueueSelector,
    arg: unknown,
    timeoutMs: number,
  ): Promise<SendResult> {
    const begin = Date.now();
    const mq = await this.select(prepared, msg, selector, arg);
    return this.sendToQueue(prepared, code, mq, timeoutMs, begin);
  }

  /** The queue `selector` picks for `prepared`, checked to be one of the topic's publish queues. */
  async select(
    prepared: PreparedMessage,
    msg: Message,
    selector: MessageQueueSelector,
    arg: unknown,
  ): Promise<MessageQueue> {
    if (typeof selector !== 'function') throw new InvalidArgumentError('selector', 'must be a function');
    const mqs = await this.publishQueues(prepared.topic);
    const mq = selector(mqs, msg, arg) as MessageQueue | undefined;
    if (!mq || !mqs.some((q) => q.brokerName === mq.brokerName && q.queueId === mq.queueId)) {
      throw new InvalidArgumentError(
        'selector',
        `returned ${JSON.stringify(mq)}, not a publish queue of the topic`,
      );
    }
    return this.checkQueue(prepared, mq);
  }

  /** The queue a one-way send goes to: round-robin (sharding key and fault avoidance honoured). */
  async nextQueue(prepared: PreparedMessage): Promise<MessageQueue> {
    const info = (await this.publishEntry(prepared.topic)).publishInfo;
    return chooseQueue(info, undefined, this.faults, this.shardingQueueId(prepared, info)) as MessageQueue;
  }

  async sendOneway(prepared: PreparedMessage, code: number, mq: MessageQueue): Promise<void> {
    const addr = await this.masterAddrOf(prepared.topic, this.checkQueue(prepared, mq));
    await this.instance.remoting.invokeOneway(addr, this.buildRequest(prepared, code, mq));
  }

  checkQueue(prepared: PreparedMessage, mq: MessageQueue): MessageQueue {
    if (
      typeof mq !== 'object' ||
      mq === null ||
      typeof mq.brokerName !== 'string' ||
      !Number.isInteger(mq.queueId) ||
      mq.queueId < 0
    ) {
      throw new InvalidArgumentError('queue', 'must be a MessageQueue {topic, brokerName, queueId}');
    }
    if (mq.topic !== prepared.topic)
      throw new InvalidArgumentError(
        'queue',
        `queue topic ${mq.topic} is not the message topic ${prepared.topic}`,
      );
    return mq;
  }

  /** Master of the queue's broker, reading the route again once if unknown (findBrokerAddressInPublish). */
  masterAddrOf(topic: string, mq: MessageQueue): Promise<string> {
    const routes = this.instance.routes;
    return routes.resolveAddr(
      topic,
      mq.brokerName,
      () => routes.findMasterAddr(mq.brokerName),
      'master',
      this.fallback,
    );
  }

  /** One attempt on one broker (sendKernelImpl). */
  private attempt(
    prepared: PreparedMessage,
    code: number,
    mq: MessageQueue,
    addr: string,
    timeoutMs: number,
  ): Promise<SendResult> {
    this.heartbeat.track(addr);
    return this.instance.remoting
      .invoke(addr, this.buildRequest(prepared, code, mq), timeoutMs)
      .then((resp) => processSendResponse(resp, addr, code, mq, prepared));
  }

  /**
   * Feed fault avoidance (updateFaultItem): a failure another broker might not have (transport, retry-set
   * answer) isolates the broker; any other outcome records the attempt's latency. Java also isolates on
   * answers like MESSAGE_ILLEGAL, which say nothing about the broker.
   */
  private recordLatency(mq: MessageQueue, begin: number, err: unknown): void {
    if (!this.faults) return;
    const isolation = err !== undefined && isRetriableSendError(err);
    this.faults.update(mq.brokerName, Date.now() - begin, isolation);
  }

  private shardingQueueId(prepared: PreparedMessage, info: TopicPublishInfo): number | undefined {
    return prepared.shardingKey === undefined
      ? undefined
      : shardingKeyQueueId(prepared.shardingKey, info.messageQueues);
  }

  /** SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE / SEND_REPLY_MESSAGE_V2 with the one-letter header a…n. */
  private buildRequest(prepared: PreparedMessage, code: number, mq: MessageQueue): RemotingCommand {
    const header: SendMessageRequestHeader = {
      producerGroup: this.config.producerGroup,
      topic: prepared.topic,
      defaultTopic: this.config.createTopicKey,
      defaultTopicQueueNums: this.config.defaultTopicQueueNums,
      queueId: mq.queueId,
      sysFlag: prepared.sysFlag,
      bornTimestamp: Date.now(),
      flag: prepared.flag,
      properties: prepared.properties,
      reconsumeTimes: prepared.reconsumeTimes ?? 0,
      unitMode: false,
      maxReconsumeTimes: prepared.maxReconsumeTimes,
      batch: prepared.batch,
      brokerName: mq.brokerName,
    };
    const cmd = this.instance.request(code, undefined, prepared.body);
    if (cmd.serializeType === SerializeType.JSON) cmd.extFieldsJson = sendHeaderV2Json(header);
    else cmd.extFields = SendMessageRequestHeaderV2.encode(header);
    return cmd;
  }
}

function timeoutBeforeAttempt(topic: string, timeoutMs: number): MQClientError {
  return new MQClientError(
    MQClientErrorCode.SEND_TIMEOUT,
    `send to ${topic} timed out after ${timeoutMs} ms before an attempt`,
  );
}
