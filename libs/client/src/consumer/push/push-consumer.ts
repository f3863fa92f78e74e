import {
  compareMessageQueue,
  encodeHeartbeatData,
  StateError,
  type ConsumerRunningInfo,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import { BrokerHeartbeat } from '../../client/broker-heartbeat';
import { ClientInstance } from '../../client/client-instance';
import { ServiceState } from '../../client/service-state';
import type { Logger } from '../../logger';
import { nonNegativeInt } from '../../options/validate';
import type { Producer } from '../../producer/producer';
import { checkTopic } from '../../producer/validators';
import { REBALANCE_INTERVAL_MS } from '../rebalance/rebalance-push';
import { buildSubscriptionData, type SubExpression } from '../subscription';
import { checkClientInBrokers } from './check-client';
import { ConsumeStats, type ConsumerStatsSnapshot } from './consume-stats';
import { buildRunningInfo, consumeDirectly, CONSUME_PASSIVELY } from './introspection';
import { resolveListener, type MessageListener, type ResolvedListener } from './message-listener';
import {
  MessageModel,
  resolvePushConsumerOptions,
  type PushConsumerConfig,
  type PushConsumerOptions,
} from './push-consumer-options';
import {
  buildPushServices,
  createOffsetStore,
  settlesWithin,
  startInnerProducer,
  unregisterConsumer,
  type PushServices,
} from './push-services';
import { retryTopicOf } from './retry-topic';
import type { RetrySender } from './send-back';
import { registerConsumerProcessors, type ConsumerRequestTarget } from './server-requests';

/** Orderly clustering consumers renew their queue locks this often (rocketmq.client.rebalance.lockInterval). */
export const LOCK_RENEW_INTERVAL_MS = 20_000; // 20 s

/**
 * Consumer the broker feeds (DefaultMQPushConsumer / DefaultMQPushConsumerImpl): subscribe to topics,
 * register a listener, start. Clustering members of a group share its queues (rebalanced when members
 * come and go, offsets on the broker); broadcasting members each get every message (offsets in a local
 * file). Messages are handed to the listener concurrently or, per queue, in order; delivery is at least
 * once: the committed offset never passes a message whose handler has not finished.
 */
export class PushConsumer {
  private readonly config: PushConsumerConfig;
  private readonly instance: ClientInstance;
  private readonly state = new ServiceState('PushConsumer');
  private readonly logger: Logger;
  private readonly userSubscriptions = new Map<string, SubscriptionData>();
  private retrySubscription: SubscriptionData | undefined;
  private readonly consumeStats = new ConsumeStats();
  private readonly heartbeat: BrokerHeartbeat;
  private listener: ResolvedListener | undefined;
  private running: PushServices | undefined;
  private accepting = false;
  private startedAt = 0;
  private innerProducer: Promise<Producer> | undefined;

  constructor(options: PushConsumerOptions) {
    this.config = resolvePushConsumerOptions(options);
    this.instance = new ClientInstance(this.config.client);
    this.logger = this.config.client.logger;
    this.heartbeat = new BrokerHeartbeat(
      this.instance,
      () => this.heartbeatBody(),
      this.config.heartbeatBrokerIntervalMs,
    );
  }

  /** "ip@instanceName", as brokers list this member. */
  get clientId(): string {
    return this.instance.clientId;
  }

  get consumerGroup(): string {
    return this.config.consumerGroup;
  }

  get messageModel(): string {
    return this.config.messageModel;
  }

  /**
   * Subscribe to `topic` with a tag expression ("*", "TagA || TagB") or {type: 'SQL92', expression}. A
   * second call for a topic replaces its subscription; after start() the brokers are told at once.
   */
  subscribe(topic: string, expression: SubExpression = '*'): void {
    this.assertUsable();
    checkTopic(topic);
    this.userSubscriptions.set(topic, buildSubscriptionData(topic, expression, Date.now()));
    this.subscriptionChanged();
  }

  unsubscribe(topic: string): void {
    this.assertUsable();
    if (this.userSubscriptions.delete(topic)) this.subscriptionChanged();
  }

  /** `{consumeConcurrently}` or `{consumeOrderly}`; exactly once, before start(). */
  registerMessageListener(listener: MessageListener): void {
    if (this.state.value !== 'CREATE_JUST')
      throw new StateError('registerMessageListener must come before start()');
    if (this.listener) throw new StateError('a message listener is already registered');
    this.listener = resolveListener(listener);
  }

  async start(): Promise<void> {
    if (!this.listener) throw new StateError('registerMessageListener before start()');
    const listener = this.listener;
    this.state.beginStart();
    try {
      await this.startParts(listener);
    } catch (err) {
      this.state.startFailed();
      this.accepting = false;
      this.running?.scheduler.stop();
      this.heartbeat.stop();
      this.instance.shutdown();
      throw err;
    }
  }

  private async startParts(listener: ResolvedListener): Promise<void> {
    const cfg = this.config;
    const clustering = cfg.messageModel === MessageModel.CLUSTERING;
    if (clustering)
      this.retrySubscription = buildSubscriptionData(retryTopicOf(cfg.consumerGroup), '*', Date.now());
    const offsetStore = createOffsetStore(cfg, this.instance, clustering, this.logger.child('offsets'));
    await offsetStore.load();
    const services = buildPushServices({
      config: cfg,
      instance: this.instance,
      logger: this.logger,
      clientId: this.clientId,
      clustering,
      listener,
      offsetStore,
      stats: this.consumeStats,
      heartbeat: this.heartbeat,
      subscriptions: () => this.allSubscriptions(),
      isRunning: () => this.accepting,
      retrySender: () => this.retrySender(),
    });
    const { scheduler, rebalance, concurrently } = services;
    this.running = services;
    this.accepting = true;
    this.startedAt = Date.now();
    registerConsumerProcessors(this.instance.remoting, this.requestTarget(), this.logger);
    this.instance.startPolling();
    await checkClientInBrokers(this.instance, cfg.consumerGroup, this.allSubscriptions(), this.logger);
    await this.heartbeatFirst();
    this.heartbeat.start();
    const onError = (what: string) => (err: unknown) => this.warn(what, err);
    scheduler.every(REBALANCE_INTERVAL_MS, () => rebalance.rebalance(), onError('rebalance failed'));
    scheduler.every(
      cfg.persistConsumerOffsetIntervalMs,
      () => this.persistOffsets(),
      onError('persisting offsets failed'),
    );
    if (concurrently) {
      scheduler.every(
        cfg.consumeTimeoutMs,
        () => concurrently.cleanExpired(rebalance.held()),
        onError('handing back expired messages failed'),
      );
    }
    if (listener.orderly && clustering) {
      scheduler.every(
        LOCK_RENEW_INTERVAL_MS,
        () => rebalance.lockAll(),
        onError('renewing queue locks failed'),
      );
    }
    await rebalance.rebalance();
    this.logger.info('push consumer started', {
      group: cfg.consumerGroup,
      clientId: this.clientId,
      messageModel: cfg.messageModel,
      orderly: listener.orderly,
      topics: this.allSubscriptions().map((s) => s.topic),
      assigned: rebalance.assignment().length,
    });
  }

  /**
   * Stop pulling, let running handlers finish (up to awaitTerminationMillisWhenShutdown), commit offsets,
   * release queue locks, unregister from the brokers, close connections. Idempotent.
   */
  async shutdown(): Promise<void> {
    const wasRunning = this.state.value === 'RUNNING';
    if (!this.state.beginShutdown()) return;
    this.accepting = false;
    this.heartbeat.stop();
    const r = this.running;
    if (wasRunning && r) {
      r.scheduler.stop();
      r.executor.stop();
      const drained = await settlesWithin(
        Promise.all([r.executor.whenIdle(), r.rebalance.pendingReleases()]),
        this.config.awaitTerminationMs,
      );
      if (!drained)
        this.logger.warn('handlers still running at shutdown; their messages will be redelivered', {
          group: this.config.consumerGroup,
        });
      const held = r.rebalance.dropAll();
      await r.offsetStore.persistAll(held);
      if (r.ctx.listener.orderly && r.ctx.clustering) await r.rebalance.unlock(held, false);
      await unregisterConsumer(
        this.instance,
        this.heartbeat.trackedAddrs,
        this.config.consumerGroup,
        this.logger,
      );
    }
    const producer = this.innerProducer;
    this.innerProducer = undefined;
    await producer?.then((p) => p.shutdown()).catch(() => undefined);
    this.instance.shutdown();
    this.logger.info('push consumer shut down', {
      group: this.config.consumerGroup,
      clientId: this.clientId,
    });
  }

  /** Queues this member consumes now, sorted. */
  assignment(): MessageQueue[] {
    return this.running?.rebalance.assignment() ?? [];
  }

  /** Readable queues of a topic, from the name server. */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.state.assertRunning();
    return [...(await this.instance.routes.refresh(topic)).subscribeQueues].sort(compareMessageQueue);
  }

  /**
   * Move the group's offsets of queues of `topic`: held queues restart from their new offset at once
   * (what RESET_CONSUMER_CLIENT_OFFSET does); offsets of other queues are stored for whoever takes them.
   */
  async resetOffsets(topic: string, offsets: Iterable<[MessageQueue, number]>): Promise<void> {
    this.state.assertRunning();
    const r = this.running as PushServices;
    const list = [...offsets].filter(([mq]) => mq.topic === topic);
    for (const [mq, offset] of list) nonNegativeInt(offset, `offset of ${mq.brokerName}:${mq.queueId}`);
    const restarted = new Set(
      (await r.rebalance.resetOffsets(list)).map((mq) => `${mq.brokerName}@${mq.queueId}`),
    );
    for (const [mq, offset] of list) {
      if (restarted.has(`${mq.brokerName}@${mq.queueId}`)) continue;
      r.offsetStore.updateOffset(mq, offset, false);
      await r.offsetStore.persist(mq);
      if (r.ctx.clustering) r.offsetStore.removeOffset(mq);
    }
  }

  /** Consume `mq` from `offset` on (resetOffsets for one queue). */
  seek(mq: MessageQueue, offset: number): Promise<void> {
    return this.resetOffsets(mq.topic, [[mq, offset]]);
  }

  /** Messages consumed and failed since start, and rates over the last minute. */
  stats(): ConsumerStatsSnapshot {
    return this.consumeStats.snapshot();
  }

  /** What GET_CONSUMER_RUNNING_INFO answers. */
  runningInfo(): ConsumerRunningInfo {
    const r = this.running;
    return buildRunningInfo({
      config: this.config,
      orderly: this.listener?.orderly ?? false,
      startedAt: this.startedAt,
      subscriptions: this.allSubscriptions(),
      held: r?.rebalance.held() ?? [],
      commitOffsetOf: (mq) =>
        r?.offsetStore
          .offsetTable(mq.topic)
          .find(([q]) => q.brokerName === mq.brokerName && q.queueId === mq.queueId)?.[1] ?? -1,
      stats: this.consumeStats,
    });
  }

  private requestTarget(): ConsumerRequestTarget {
    return {
      group: this.config.consumerGroup,
      rebalanceNow: () => void this.running?.rebalance.rebalance(),
      resetHeldOffsets: async (_topic, offsets) => this.running?.rebalance.resetOffsets(offsets),
      runningInfo: () => this.runningInfo(),
      consumeDirectly: (msg, brokerName) =>
        consumeDirectly(
          this.listener as ResolvedListener,
          this.config.consumerGroup,
          msg,
          brokerName,
          this.config.suspendCurrentQueueTimeMillis,
        ),
    };
  }

  private allSubscriptions(): SubscriptionData[] {
    const subs = [...this.userSubscriptions.values()];
    if (this.retrySubscription) subs.push(this.retrySubscription);
    return subs;
  }

  private heartbeatBody(): Buffer {
    const c = this.config;
    return encodeHeartbeatData({
      clientID: this.clientId,
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: c.consumerGroup,
          consumeType: CONSUME_PASSIVELY,
          messageModel: c.messageModel,
          consumeFromWhere: c.consumeFromWhere,
          subscriptionDataSet: this.allSubscriptions(),
          unitMode: false,
        },
      ],
    });
  }

  /** Routes of every subscribed topic, then a heartbeat to each of their brokers, before the first pull. */
  private async heartbeatFirst(): Promise<void> {
    await Promise.all(
      this.allSubscriptions().map(async (s) => {
        try {
          const entry = await this.instance.routes.get(s.topic);
          for (const bd of entry.route.brokerDatas)
            for (const addr of bd.brokerAddrs.values()) this.heartbeat.track(addr);
        } catch (err) {
          this.logger.debug('no route yet for a subscribed topic', { topic: s.topic, error: err });
        }
      }),
    );
    await this.heartbeat.beatAll();
  }

  /** A subscription changed after start: tell every broker, then rebalance. */
  private subscriptionChanged(): void {
    const r = this.running;
    if (!r || !this.accepting) return;
    void this.heartbeatFirst()
      .then(() => r.rebalance.rebalance())
      .catch((err: unknown) => this.warn('applying a subscription change failed', err));
  }

  private async persistOffsets(): Promise<void> {
    const r = this.running;
    if (r) await r.offsetStore.persistAll(r.rebalance.assignment());
  }

  /** The producer of the send-back fallback (Java's CLIENT_INNER_PRODUCER), started on first use. */
  private retrySender(): Promise<RetrySender> {
    if (!this.innerProducer) {
      const started = startInnerProducer(this.config, this.logger.child('inner-producer'));
      started.catch(() => {
        if (this.innerProducer === started) this.innerProducer = undefined;
      });
      this.innerProducer = started;
    }
    return this.innerProducer;
  }

  private assertUsable(): void {
    const s = this.state.value;
    if (s !== 'CREATE_JUST' && s !== 'RUNNING')
      throw new StateError(`PushConsumer is not usable (state ${s})`);
  }

  private warn(msg: string, err: unknown): void {
    this.logger.warn(msg, { group: this.config.consumerGroup, error: err });
  }
}
