import { randomUUID } from 'node:crypto';
import {
  encodeHeartbeatData,
  InvalidArgumentError,
  RequestCode,
  StateError,
  UniqKeyGenerator,
  UnregisterClientRequestHeader,
  type MessageQueue,
} from '@rocketts/protocol';
import type { Logger } from '../logger';
import { BrokerHeartbeat } from '../client/broker-heartbeat';
import { ClientInstance } from '../client/client-instance';
import { ServiceState } from '../client/service-state';
import { positiveInt } from '../options/validate';
import type { BatchSendResult, Message, SendCallback, SendOptions, SendResult } from './message';
import { prepareBatch, prepareMessage, type PrepareContext, type PreparedMessage } from './prepare-message';
import { resolveProducerOptions, type ProducerConfig, type ProducerOptions } from './producer-options';
import { checkReplyMessage, withRequestProperties, type ReplyMessage } from './reply-message';
import { Requester } from './requester';
import { Sender } from './sender';

/** Time UNREGISTER_CLIENT may take per broker at shutdown. */
const UNREGISTER_TIMEOUT_MS = 3000; // as MQClientAPIImpl.unregisterClient callers

/**
 * Sends messages (DefaultMQProducer): validates locally, then hands the send to the Sender (route, queue
 * choice with fault avoidance, retries on another broker, ordered sends) and request-reply to the Requester.
 * Sends of one producer share one connection per broker and pipeline.
 */
export class Producer {
  // Protected for TransactionProducer (as TransactionMQProducer extends DefaultMQProducer).
  protected readonly config: ProducerConfig;
  protected readonly instance: ClientInstance;
  protected readonly state: ServiceState;
  protected readonly logger: Logger;
  protected readonly heartbeat: BrokerHeartbeat;
  protected readonly prepareContext: PrepareContext;
  protected readonly sender: Sender;
  private readonly requester: Requester;

  constructor(options: ProducerOptions, what = 'Producer') {
    this.state = new ServiceState(what);
    this.config = resolveProducerOptions(options);
    this.instance = new ClientInstance(this.config.client);
    this.logger = this.config.client.logger;
    this.prepareContext = {
      maxMessageSize: this.config.maxMessageSize,
      compressOverBytes: this.config.compressMsgBodyOverHowmuch,
      uniqKeys: new UniqKeyGenerator(this.config.client.clientIP),
    };
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
    this.sender = new Sender(this.config, this.instance, this.heartbeat);
    this.requester = new Requester(this.instance, this.heartbeat);
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
    this.requester.rejectAll(new StateError('producer shut down before the reply arrived'));
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

  /**
   * Send one message and wait until the broker stored it. Default: round-robin with retries on another
   * broker; `queue` or `selector` + `arg` send to one queue without retry (ordered messages); a message
   * `shardingKey` picks the queue id as ali-ons does.
   */
  async send(msg: Message, options: SendOptions = {}): Promise<SendResult> {
    this.state.assertRunning();
    const timeoutMs = this.timeoutOf(options);
    const prepared = prepareMessage(msg, this.prepareContext);
    return this.dispatch(prepared, codeOf(prepared), msg, options, timeoutMs);
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
  async sendOneway(
    msg: Message,
    options: Pick<SendOptions, 'queue' | 'selector' | 'arg'> = {},
  ): Promise<void> {
    this.state.assertRunning();
    const prepared = prepareMessage(msg, this.prepareContext);
    const mq =
      options.queue ??
      (options.selector
        ? await this.sender.select(prepared, msg, options.selector, options.arg)
        : await this.sender.nextQueue(prepared));
    await this.sender.sendOneway(prepared, codeOf(prepared), mq);
  }

  /** Send messages of one topic as one SEND_BATCH_MESSAGE: stored together in one queue, one result. */
  async sendBatch(msgs: readonly Message[], options: SendOptions = {}): Promise<BatchSendResult> {
    this.state.assertRunning();
    const timeoutMs = this.timeoutOf(options);
    const prepared = prepareBatch(msgs, this.prepareContext);
    const first = msgs[0] as Message;
    return (await this.dispatch(
      prepared,
      RequestCode.SEND_BATCH_MESSAGE,
      first,
      options,
      timeoutMs,
    )) as BatchSendResult;
  }

  /**
   * Send `msg` as a request and resolve with its reply (DefaultMQProducerImpl.request): CORRELATION_ID,
   * REPLY_TO_CLIENT (this client) and TTL (the timeout) are added, the brokers are heartbeated first so they
   * can push the reply here, and a RequestTimeoutError ends the wait after `timeoutMs` (the send included).
   * Queue options are those of `send`. The replier answers with `createReply` + `sendReply`.
   */
  async request(msg: Message, options: SendOptions = {}): Promise<ReplyMessage> {
    this.state.assertRunning();
    const timeoutMs = this.timeoutOf(options);
    const begin = Date.now();
    const correlationId = randomUUID();
    const prepared = prepareMessage(
      withRequestProperties(msg, correlationId, this.clientId, timeoutMs),
      this.prepareContext,
    );
    if (prepared.reply) throw new InvalidArgumentError('message', 'a reply cannot be sent as a request');
    await this.requester.ensureReachable(await this.sender.publishEntry(prepared.topic));
    const waitMs = timeoutMs - (Date.now() - begin);
    const awaited = this.requester.expect(correlationId, prepared.topic, timeoutMs, waitMs);
    try {
      await this.dispatch(prepared, RequestCode.SEND_MESSAGE_V2, msg, options, Math.max(1, waitMs));
    } catch (err) {
      awaited.fail(err);
    }
    return awaited.promise;
  }

  /**
   * Send a reply made by `createReply` (SEND_REPLY_MESSAGE_V2): the broker pushes it to the requester and
   * stores it. An offline requester is a ResponseError SYSTEM_ERROR "push reply message fail, channel of
   * <clientId> not found.".
   */
  async sendReply(reply: Message, options: Pick<SendOptions, 'timeoutMs'> = {}): Promise<SendResult> {
    this.state.assertRunning();
    checkReplyMessage(reply);
    return this.send(reply, { timeoutMs: options.timeoutMs });
  }

  /** The queues `send` chooses from, in route order (DefaultMQProducer.fetchPublishMessageQueues). */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.state.assertRunning();
    const entry = await this.instance.routes.getForPublish(topic, this.sender.fallback);
    return [...entry.publishInfo.messageQueues];
  }

  private dispatch(
    prepared: PreparedMessage,
    code: number,
    msg: Message,
    options: SendOptions,
    timeoutMs: number,
  ): Promise<SendResult> {
    if (options.queue)
      return this.sender.sendToQueue(
        prepared,
        code,
        this.sender.checkQueue(prepared, options.queue),
        timeoutMs,
      );
    if (options.selector !== undefined)
      return this.sender.sendSelected(prepared, code, msg, options.selector, options.arg, timeoutMs);
    return this.sender.sendWithRetries(prepared, code, timeoutMs);
  }

  private timeoutOf(options: SendOptions): number {
    return options.timeoutMs === undefined
      ? this.config.sendMsgTimeoutMs
      : positiveInt(options.timeoutMs, 'timeoutMs');
  }
}

/** Replies go with SEND_REPLY_MESSAGE_V2 so the broker pushes them to the requester (MQClientAPIImpl.sendMessage). */
function codeOf(prepared: PreparedMessage): number {
  return prepared.reply ? RequestCode.SEND_REPLY_MESSAGE_V2 : RequestCode.SEND_MESSAGE_V2;
}
