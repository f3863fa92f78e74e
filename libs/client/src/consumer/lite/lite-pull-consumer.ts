import {
  decodeResetOffsetBody,
  InvalidArgumentError,
  messageQueueKey,
  RequestCode,
  ResetOffsetRequestHeader,
  RETRY_GROUP_TOPIC_PREFIX,
  StateError,
  type MessageExt,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import { ClientInstance } from '../../client/client-instance';
import { ServiceState, ServiceStateName } from '../../client/service-state';
import { MQClientError, MQClientErrorCode } from '../../errors/mq-client-error';
import type { Logger } from '../../logger';
import { nonNegativeInt } from '../../options/validate';
import { checkTopic } from '../../producer/validators';
import {
  getMaxOffset,
  getMinOffset,
  queryConsumerOffset,
  searchOffset,
  updateConsumerOffset,
} from '../offset-requests';
import { buildSubscriptionData, type SubExpression } from '../subscription';
import { LitePuller } from './lite-pull';
import { ConsumeFromWhere } from '../consume-from-where';
import {
  resolveLitePullConsumerOptions,
  type LitePullConsumerConfig,
  type LitePullConsumerOptions,
} from './lite-pull-consumer-options';
import { LiteRebalance } from './lite-rebalance';
import { Prefetcher, type QueueState } from './prefetch';

type Mode = 'NONE' | 'SUBSCRIBE' | 'ASSIGN';

/**
 * Pull consumption with a poll loop (DefaultLitePullConsumer): queues come from `assign()` or, with
 * `subscribe()`, from the group's rebalance; a background prefetch long-polls every queue into a bounded
 * cache and `poll()` hands out one pulled batch at a time. Offsets: `commit()` (or auto-commit) stores,
 * per queue, the offset after the last batch poll() returned; `seek*` moves a queue; `pause`/`resume` stop
 * and restart a queue's delivery and prefetch.
 */
export class LitePullConsumer {
  private readonly config: LitePullConsumerConfig;
  private readonly instance: ClientInstance;
  private readonly state = new ServiceState('LitePullConsumer');
  private readonly logger: Logger;
  private readonly prefetch: Prefetcher;
  private readonly rebalance: LiteRebalance;
  private mode: Mode = 'NONE';
  /** subscribe(): topic → subscription. */
  private readonly subscriptions = new Map<string, SubscriptionData>();
  /** assign(): topic → expression set with setSubExpressionForAssign, as SubscriptionData once used. */
  private readonly assignExpressions = new Map<string, SubscriptionData>();
  private autoCommitTimer: NodeJS.Timeout | undefined;

  constructor(options: LitePullConsumerOptions) {
    this.config = resolveLitePullConsumerOptions(options);
    this.instance = new ClientInstance(this.config.client);
    this.logger = this.config.client.logger;
    this.prefetch = new Prefetcher({
      config: this.config,
      puller: new LitePuller(this.instance),
      logger: this.logger,
      subscriptionOf: (topic) => this.subscriptionOf(topic),
      startOffsetOf: (mq) => this.startOffsetOf(mq),
    });
    this.rebalance = new LiteRebalance({
      instance: this.instance,
      config: this.config,
      subscriptions: () => [...this.subscriptions.values()],
      assign: (topic, mqs) => this.replaceQueues(mqs, (q) => q.mq.topic === topic),
    });
    // An admin reset (resetOffsetByTime) has already stored the new offsets on the broker; held queues
    // move there too, or the next auto-commit would write the old position back over the reset. Java's
    // lite consumer ignores the request; subscribe-mode members get it (they heartbeat the group).
    this.instance.remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (cmd) => {
      const h = ResetOffsetRequestHeader.decode(cmd.extFields);
      if (h.group !== this.config.consumerGroup) return undefined;
      for (const [mq, offset] of decodeResetOffsetBody(cmd.body)) {
        const q = mq.topic === h.topic ? this.prefetch.get(mq) : undefined;
        if (q) this.prefetch.seek(q, offset);
      }
      this.logger.info('offsets reset by the broker', { group: h.group, topic: h.topic });
      return undefined;
    });
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
    this.prefetch.start();
    if (this.config.autoCommit) {
      this.autoCommitTimer = setInterval(() => void this.commitQuietly(), this.config.autoCommitIntervalMs);
      this.autoCommitTimer.unref();
    }
    if (this.mode === 'SUBSCRIBE') await this.rebalance.start();
    this.logger.info('lite pull consumer started', {
      group: this.config.consumerGroup,
      clientId: this.clientId,
    });
  }

  /** Stop prefetching, commit (with autoCommit), leave the group, close connections. Idempotent. */
  async shutdown(): Promise<void> {
    if (!this.state.beginShutdown()) return;
    if (this.autoCommitTimer) clearInterval(this.autoCommitTimer);
    this.prefetch.stop();
    await this.rebalance.stop(async () => {
      if (this.config.autoCommit) await this.commitQuietly();
    });
    this.instance.shutdown();
    this.logger.info('lite pull consumer shut down', { group: this.config.consumerGroup });
  }

  /**
   * Consume `topic` as a member of the group: its queues are divided among the group's consumers (before or
   * after start). Exclusive with assign().
   */
  async subscribe(topic: string, subExpression: SubExpression = '*'): Promise<void> {
    this.setMode('SUBSCRIBE');
    checkTopic(topic);
    this.subscriptions.set(topic, buildSubscriptionData(topic, subExpression, Date.now()));
    if (this.state.value !== ServiceStateName.RUNNING) return;
    if (this.rebalance.started) await this.rebalance.subscriptionsChanged();
    else await this.rebalance.start();
  }

  /**
   * Consume exactly these queues (replacing any earlier assignment), without group membership. A queue
   * starts at the group's committed offset, else where consumeFromWhere says. Exclusive with subscribe().
   */
  async assign(mqs: readonly MessageQueue[]): Promise<void> {
    if (!Array.isArray(mqs)) throw new InvalidArgumentError('mqs', 'must be an array of MessageQueue');
    mqs.forEach((mq) => checkQueue(mq));
    this.setMode('ASSIGN');
    await this.replaceQueues(mqs, () => true);
  }

  /** The filter for assigned queues of `topic` ("*" by default). */
  setSubExpressionForAssign(topic: string, subExpression: SubExpression): void {
    checkTopic(topic);
    this.assignExpressions.set(topic, buildSubscriptionData(topic, subExpression, Date.now()));
  }

  /** The queues this consumer currently holds. */
  assignment(): MessageQueue[] {
    return [...this.prefetch.queues.values()].map((q) => q.mq);
  }

  /** Readable queues of `topic` from the name server, in MessageQueue order (fetchMessageQueues). */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.state.assertRunning();
    const entry = await this.instance.routes.refresh(checkTopic(topic));
    if (entry.subscribeQueues.length === 0)
      throw new MQClientError(MQClientErrorCode.NO_READABLE_QUEUE, `topic ${topic} has no readable queue`);
    return [...entry.subscribeQueues];
  }

  /** The next prefetched batch (at most pullBatchSize messages of one queue), or [] after `timeoutMs`. */
  async poll(timeoutMs: number = this.config.pollTimeoutMs): Promise<MessageExt[]> {
    this.state.assertRunning();
    const deadline = Date.now() + nonNegativeInt(timeoutMs, 'timeoutMs');
    for (;;) {
      if (this.state.value !== ServiceStateName.RUNNING) return [];
      const batch = this.prefetch.take();
      if (batch) return batch;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.prefetch.waitForArrival(left);
    }
  }

  /** Continue `mq` from `offset` (between its min and max offset); batches already prefetched are dropped. */
  async seek(mq: MessageQueue, offset: number): Promise<void> {
    this.state.assertRunning();
    const q = this.assigned(mq);
    const target = nonNegativeInt(offset, 'offset');
    const addr = await this.addrOf(mq, true);
    const [min, max] = await Promise.all([
      getMinOffset(this.instance, addr, mq),
      getMaxOffset(this.instance, addr, mq),
    ]);
    if (target < min || target > max)
      throw new InvalidArgumentError(
        'offset',
        `seek offset ${target} is outside [${min}, ${max}] of ${describe(mq)}`,
      );
    if (this.prefetch.get(mq) !== q) throw new StateError(`${describe(mq)} was released while seeking`);
    this.prefetch.seek(q, target);
  }

  async seekToBegin(mq: MessageQueue): Promise<void> {
    this.state.assertRunning();
    this.assigned(mq);
    await this.seek(mq, await getMinOffset(this.instance, await this.addrOf(mq, true), mq));
  }

  async seekToEnd(mq: MessageQueue): Promise<void> {
    this.state.assertRunning();
    this.assigned(mq);
    await this.seek(mq, await getMaxOffset(this.instance, await this.addrOf(mq, true), mq));
  }

  /** Stop delivering and prefetching these queues (queues not assigned are ignored, as in Java). */
  pause(mqs: readonly MessageQueue[]): void {
    for (const mq of mqs) {
      const q = this.prefetch.get(mq);
      if (q) this.prefetch.setPaused(q, true);
    }
  }

  resume(mqs: readonly MessageQueue[]): void {
    for (const mq of mqs) {
      const q = this.prefetch.get(mq);
      if (q) this.prefetch.setPaused(q, false);
    }
  }

  isPaused(mq: MessageQueue): boolean {
    return this.prefetch.get(mq)?.paused ?? false;
  }

  /** Store, for every held queue, the offset after the last batch poll() returned (UPDATE_CONSUMER_OFFSET). */
  async commit(): Promise<void> {
    this.state.assertRunning();
    const failures = await this.commitQueues([...this.prefetch.queues.values()]);
    if (failures.length > 0) throw failures[0];
  }

  /** The group's committed offset of `mq`: this consumer's last commit, else the broker's, −1 if none. */
  async committed(mq: MessageQueue): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    const q = this.prefetch.get(mq);
    if (q && q.committedOffset >= 0) return q.committedOffset;
    return queryConsumerOffset(this.instance, await this.addrOf(mq, false), this.config.consumerGroup, mq);
  }

  /** Offset of the first message stored at or after `timestamp` (ms) in `mq` (offsetForTimestamp). */
  async offsetForTimestamp(mq: MessageQueue, timestamp: number): Promise<number> {
    this.state.assertRunning();
    checkQueue(mq);
    return searchOffset(
      this.instance,
      await this.addrOf(mq, true),
      mq,
      nonNegativeInt(timestamp, 'timestamp'),
    );
  }

  private setMode(mode: Mode): void {
    if (this.mode !== 'NONE' && this.mode !== mode)
      throw new StateError('subscribe() and assign() are mutually exclusive');
    if (this.state.value === ServiceStateName.SHUTDOWN_ALREADY) this.state.assertRunning();
    this.mode = mode;
  }

  /** Hold `mqs` among the queues `inScope` selects: others of the scope are committed (autoCommit) and released. */
  private async replaceQueues(
    mqs: readonly MessageQueue[],
    inScope: (q: QueueState) => boolean,
  ): Promise<void> {
    const wanted = new Set(mqs.map(messageQueueKey));
    const released = [...this.prefetch.queues.values()].filter((q) => inScope(q) && !wanted.has(q.key));
    for (const q of released) this.prefetch.remove(q);
    for (const mq of mqs) this.prefetch.add(mq);
    if (released.length > 0) {
      this.logger.info('queues released', {
        group: this.config.consumerGroup,
        queues: released.map((q) => q.mq),
      });
      if (this.config.autoCommit && this.state.value === ServiceStateName.RUNNING)
        await this.commitQueues(released);
    }
  }

  /** Commit each queue whose consume offset moved since its last commit; the failures are returned. */
  private async commitQueues(queues: readonly QueueState[]): Promise<unknown[]> {
    const failures: unknown[] = [];
    await Promise.all(
      queues.map(async (q) => {
        const offset = q.consumeOffset;
        if (offset < 0 || offset === q.committedOffset) return;
        try {
          const addr = await this.addrOf(q.mq, false);
          await updateConsumerOffset(this.instance, addr, this.config.consumerGroup, q.mq, offset);
          q.committedOffset = offset;
        } catch (err) {
          failures.push(err);
        }
      }),
    );
    return failures;
  }

  private async commitQuietly(): Promise<void> {
    const failures = await this.commitQueues([...this.prefetch.queues.values()]);
    for (const err of failures) this.logger.warn('committing offsets failed', { error: err });
  }

  private subscriptionOf(topic: string): SubscriptionData {
    let sub = this.mode === 'SUBSCRIBE' ? this.subscriptions.get(topic) : this.assignExpressions.get(topic);
    if (!sub) {
      sub = buildSubscriptionData(topic, '*', Date.now());
      this.assignExpressions.set(topic, sub);
    }
    return sub;
  }

  /** RebalanceLitePullImpl.computePullFromWhere: the committed offset, else consumeFromWhere. */
  private async startOffsetOf(mq: MessageQueue): Promise<number> {
    const committed = await queryConsumerOffset(
      this.instance,
      await this.addrOf(mq, false),
      this.config.consumerGroup,
      mq,
    );
    if (committed >= 0) return committed;
    switch (this.config.consumeFromWhere) {
      case ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
        return 0;
      case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP:
        return searchOffset(this.instance, await this.addrOf(mq, true), mq, this.config.consumeTimestampMs);
      default:
        return mq.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)
          ? 0
          : getMaxOffset(this.instance, await this.addrOf(mq, true), mq);
    }
  }

  private assigned(mq: MessageQueue): QueueState {
    checkQueue(mq);
    const q = this.prefetch.get(mq);
    if (!q) {
      const hint = this.mode === 'SUBSCRIBE' ? ' (it may have moved in a rebalance)' : '';
      throw new InvalidArgumentError('mq', `${describe(mq)} is not assigned to this consumer${hint}`);
    }
    return q;
  }

  /** The master (`masterOnly`) or master-else-slave address of the queue's broker, reading the route once more if unknown. */
  private addrOf(mq: MessageQueue, masterOnly: boolean): Promise<string> {
    const routes = this.instance.routes;
    const find = (): string | undefined =>
      masterOnly ? routes.findMasterAddr(mq.brokerName) : routes.findAnyAddr(mq.brokerName);
    return routes.resolveAddr(mq.topic, mq.brokerName, find, masterOnly ? 'master' : 'address');
  }
}

const describe = (mq: MessageQueue): string => `${mq.topic}@${mq.brokerName}#${mq.queueId}`;

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
