import {
  encodeHeartbeatData,
  InvalidArgumentError,
  sendHeaderV2Json,
  SerializeType,
  RequestCode,
  SendMessageRequestHeaderV2,
  UniqKeyGenerator,
  UnregisterClientRequestHeader,
  type MessageQueue,
  type RemotingCommand,
  type SendMessageRequestHeader,
} from '@rocketts/protocol';
import type { Logger } from '../logger';
import { BrokerHeartbeat } from '../client/broker-heartbeat';
import { ClientInstance } from '../client/client-instance';
import { ServiceState } from '../client/service-state';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import { positiveInt } from '../options/validate';
import type { DefaultTopicFallback } from '../route/topic-route-cache';
import type { BatchSendResult, Message, SendCallback, SendOptions, SendResult } from './message';
import { prepareBatch, prepareMessage, type PrepareContext, type PreparedMessage } from './prepare-message';
import { resolveProducerOptions, type ProducerConfig, type ProducerOptions } from './producer-options';
import { processSendResponse } from './send-response';
import { isRetriableSendError } from './send-retry';

/** Time UNREGISTER_CLIENT may take per broker at shutdown. */
const UNREGISTER_TIMEOUT_MS = 3000; // as MQClientAPIImpl.unregisterClient callers

/**
 * Sends messages (DefaultMQProducer / DefaultMQProducerImpl.sendDefaultImpl): validates locally, finds the
 * route, picks a queue round-robin and sends SEND_MESSAGE_V2; retriable failures are retried on another
 * broker within the send timeout. Sends of one producer share one connection per broker and pipeline.
 */
export class Producer {
  private readonly config: ProducerConfig;
  private readonly instance: ClientInstance;
  private readonly state = new ServiceState('Producer');
  private readonly logger: Logger;
  private readonly heartbeat: BrokerHeartbeat;
  private readonly prepareContext: PrepareContext;
  private readonly fallback: DefaultTopicFallback;

  constructor(options: ProducerOptions) {
    this.config = resolveProducerOptions(options);
    this.instance = new ClientInstance(this.config.client);
    this.logger = this.config.client.logger;
    this.prepareContext = {
      maxMessageSize: this.config.maxMessageSize,
      compressOverBytes: this.config.compressMsgBodyOverHowmuch,
      uniqKeys: new UniqKeyGenerator(this.config.client.clientIP),
    };
    this.fallback = { topic: this.config.createTopicKey, queueNums: this.config.defaultTopicQueueNums };
    const heartbeatBody = encodeHeartbeatData({
      clientID: this.instance.clientId,
      producerDataSet: [{ groupName: this.config.producerGroup }],
      consumerDataSet: [],
    });
    this.heartbeat = new BrokerHeartbeat(
      this.instance,
      () => heartbeatBody,
      this.config.heartbeatBrokerIntervalMs,
    );
  }

  /** "ip@instanceName", as brokers see this producer. */
  get clientId(): string {
    return this.instance.clientId;
  }

  get producerGroup(): string {
    return this.config.producerGroup;
  }

  async start(): Promise<void> {
    this.state.beginStart();
    this.instance.startPolling();
    this.heartbeat.start();
    this.logger.info('producer started', { group: this.config.producerGroup, clientId: this.clientId });
  }

  /** Unregister from every broker used, stop timers, close connections. Idempotent. */
  async shutdown(): Promise<void> {
    if (!this.state.beginShutdown()) return;
    this.heartbeat.stop();
    const header = UnregisterClientRequestHeader.encode({
      clientID: this.clientId,
      producerGroup: this.config.producerGroup,
    });
    await Promise.all(
      this.heartbeat.trackedAddrs.map((addr) =>
        this.instance
          .invoke(addr, this.instance.request(RequestCode.UNREGISTER_CLIENT, header), UNREGISTER_TIMEOUT_MS)
          .catch((err: unknown) => this.logger.warn('unregister from broker failed', { addr, error: err })),
      ),
    );
    this.instance.shutdown();
    this.logger.info('producer shut down', { group: this.config.producerGroup });
  }

  /** Send one message and wait until the broker stored it. */
  async send(msg: Message, options: SendOptions = {}): Promise<SendResult> {
    this.state.assertRunning();
    const timeoutMs = this.timeoutOf(options);
    const prepared = prepareMessage(msg, this.prepareContext);
    return this.dispatch(prepared, RequestCode.SEND_MESSAGE_V2, options.queue, timeoutMs);
  }

  /**
   * `send` with a Node-style callback instead of a promise (as send(msg, SendCallback)): same retries; every
   * outcome, validation errors included, reaches the callback. Many calls in flight pipeline on one connection.
   */
  sendAsync(msg: Message, callback: SendCallback, options: SendOptions = {}): void {
    if (typeof callback !== 'function') throw new InvalidArgumentError('callback', 'must be a function');
    const done = (err: Error | null, result?: SendResult): void => {
      try {
        callback(err, result);
      } catch (cbErr) {
        this.logger.error('send callback threw', { error: cbErr });
      }
    };
    this.send(msg, options).then(
      (r) => done(null, r),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /** Write the message on a one-way frame: no result, no retry; resolves once handed to the connection. */
  async sendOneway(msg: Message, options: Pick<SendOptions, 'queue'> = {}): Promise<void> {
    this.state.assertRunning();
    const prepared = prepareMessage(msg, this.prepareContext);
    const mq = options.queue ?? (await this.selectQueue(prepared.topic));
    const addr = await this.masterAddrOf(prepared.topic, this.checkQueue(prepared, mq));
    await this.instance.remoting.invokeOneway(
      addr,
      this.buildRequest(prepared, RequestCode.SEND_MESSAGE_V2, mq),
    );
  }

  /** Send messages of one topic as one SEND_BATCH_MESSAGE: stored together in one queue, one result. */
  async sendBatch(msgs: readonly Message[], options: SendOptions = {}): Promise<BatchSendResult> {
    this.state.assertRunning();
    const timeoutMs = this.timeoutOf(options);
    const prepared = prepareBatch(msgs, this.prepareContext);
    return (await this.dispatch(
      prepared,
      RequestCode.SEND_BATCH_MESSAGE,
      options.queue,
      timeoutMs,
    )) as BatchSendResult;
  }

  /** The queues `send` chooses from, in route order (DefaultMQProducer.fetchPublishMessageQueues). */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.state.assertRunning();
    const entry = await this.instance.routes.getForPublish(topic, this.fallback);
    return [...entry.publishInfo.messageQueues];
  }

  private dispatch(
    prepared: PreparedMessage,
    code: number,
    queue: MessageQueue | undefined,
    timeoutMs: number,
  ): Promise<SendResult> {
    if (queue) return this.sendToQueue(prepared, code, this.checkQueue(prepared, queue), timeoutMs);
    return this.sendWithRetries(prepared, code, timeoutMs);
  }

  /** DefaultMQProducerImpl.sendDefaultImpl: 1 + retryTimesWhenSendFailed attempts, all within `timeoutMs`. */
  private async sendWithRetries(
    prepared: PreparedMessage,
    code: number,
    timeoutMs: number,
  ): Promise<SendResult> {
    const deadline = Date.now() + timeoutMs;
    const routes = this.instance.routes;
    const cached = routes.peek(prepared.topic);
    const entry =
      cached && cached.publishInfo.ok ? cached : await routes.getForPublish(prepared.topic, this.fallback);
    if (!entry.publishInfo.ok) {
      throw new MQClientError(
        MQClientErrorCode.NO_WRITABLE_QUEUE,
        `topic ${prepared.topic} has no writable queue on a broker with a master`,
      );
    }
    const attempts = 1 + this.config.retryTimesWhenSendFailed;
    let lastBrokerName: string | undefined;
    let lastErr: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const mq = entry.publishInfo.selectOneMessageQueue(lastBrokerName) as MessageQueue;
      try {
        const addr = routes.findMasterAddr(mq.brokerName) ?? (await this.masterAddrOf(prepared.topic, mq));
        return await this.sendKernel(prepared, code, mq, addr, deadline - Date.now());
      } catch (err) {
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
    throw (
      lastErr ??
      new MQClientError(
        MQClientErrorCode.SEND_TIMEOUT,
        `send to ${prepared.topic} timed out after ${timeoutMs} ms before an attempt`,
      )
    );
  }

  /** A send to one given queue: no retry elsewhere, so per-queue order holds (as send(msg, mq)). */
  private async sendToQueue(
    prepared: PreparedMessage,
    code: number,
    mq: MessageQueue,
    timeoutMs: number,
  ): Promise<SendResult> {
    const begin = Date.now();
    const addr = await this.masterAddrOf(prepared.topic, mq);
    const remaining = timeoutMs - (Date.now() - begin);
    if (remaining <= 0)
      throw new MQClientError(
        MQClientErrorCode.SEND_TIMEOUT,
        `send to ${mq.topic} timed out after ${timeoutMs} ms before an attempt`,
      );
    return this.sendKernel(prepared, code, mq, addr, remaining);
  }

  private sendKernel(
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

  /** SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE with the one-letter header a…n (MQClientAPIImpl.sendMessage). */
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

  private async selectQueue(topic: string): Promise<MessageQueue> {
    const entry = await this.instance.routes.getForPublish(topic, this.fallback);
    const mq = entry.publishInfo.selectOneMessageQueue();
    if (!mq)
      throw new MQClientError(
        MQClientErrorCode.NO_WRITABLE_QUEUE,
        `topic ${topic} has no writable queue on a broker with a master`,
      );
    return mq;
  }

  /** Master of the queue's broker, reading the route again once if unknown (findBrokerAddressInPublish). */
  private masterAddrOf(topic: string, mq: MessageQueue): Promise<string> {
    const routes = this.instance.routes;
    return routes.resolveAddr(
      topic,
      mq.brokerName,
      () => routes.findMasterAddr(mq.brokerName),
      'master',
      this.fallback,
    );
  }

  private checkQueue(prepared: PreparedMessage, mq: MessageQueue): MessageQueue {
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

  private timeoutOf(options: SendOptions): number {
    return options.timeoutMs === undefined
      ? this.config.sendMsgTimeoutMs
      : positiveInt(options.timeoutMs, 'timeoutMs');
  }
}
