import {
  ConsumerGroupRequestHeader,
  decodeConsumerIdList,
  encodeHeartbeatData,
  RequestCode,
  UnregisterClientRequestHeader,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import { BrokerHeartbeat } from '../../client/broker-heartbeat';
import type { ClientInstance } from '../../client/client-instance';
import { MASTER_ID } from '../../route/topic-publish-info';
import { allocateAveragely } from '../rebalance/allocate-strategy';
import type { LitePullConsumerConfig } from './lite-pull-consumer-options';

/** Time UNREGISTER_CLIENT may take per broker at shutdown. */
const UNREGISTER_TIMEOUT_MS = 3_000;

export interface LiteRebalanceDeps {
  instance: ClientInstance;
  config: LitePullConsumerConfig;
  subscriptions(): SubscriptionData[];
  /** Make `mqs` this consumer's share of `topic` (queues of the topic not in it are released). */
  assign(topic: string, mqs: MessageQueue[]): Promise<void>;
}

/**
 * Group membership of a subscribing lite consumer, kept small and self-contained (RebalanceLitePullImpl +
 * the parts of MQClientInstance it needs): HEART_BEAT as CONSUME_ACTIVELY / CLUSTERING to every broker of
 * the subscribed topics, then per topic GET_CONSUMER_LIST_BY_GROUP and AllocateMessageQueueAveragely over
 * the sorted queues and ids — every rebalanceIntervalMs and at once on NOTIFY_CONSUMER_IDS_CHANGED.
 */
export class LiteRebalance {
  private readonly heartbeat: BrokerHeartbeat;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: LiteRebalanceDeps) {
    const { instance, config } = deps;
    this.heartbeat = new BrokerHeartbeat(
      instance,
      () => this.heartbeatBody(),
      config.heartbeatBrokerIntervalMs,
    );
    instance.remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, () => {
      instance.logger.debug('consumer ids changed, rebalancing', { group: config.consumerGroup });
      this.trigger();
      return undefined;
    });
  }

  get started(): boolean {
    return this.running;
  }

  /** Heartbeat (answered) then divide the queues once; then keep doing both on their periods. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.heartbeat.start();
    await this.subscriptionsChanged();
    this.timer = setInterval(() => this.trigger(), this.deps.config.rebalanceIntervalMs);
    this.timer.unref();
  }

  /** New subscriptions: every broker hears the new set (new brokers first), then queues are divided again. */
  async subscriptionsChanged(): Promise<void> {
    if (!this.running) return;
    const addrs = await this.brokerAddrs();
    await this.heartbeat.beatAll();
    await this.heartbeat.ensure(addrs);
    this.trigger();
    await this.current;
  }

  /** Rebalance now, or once more right after the one under way. */
  trigger(): void {
    if (!this.running) return;
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = this.runAll().finally(() => {
      this.current = undefined;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }

  /**
   * Stop rebalancing, run `beforeLeaving` (the last commit, so the next owner of our queues reads it), then
   * leave the group on every broker heartbeated (UNREGISTER_CLIENT), which makes the others rebalance.
   */
  async stop(beforeLeaving: () => Promise<void>): Promise<void> {
    if (!this.running) return beforeLeaving();
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.heartbeat.stop();
    await this.current;
    await beforeLeaving();
    const { instance, config } = this.deps;
    const header = UnregisterClientRequestHeader.encode({
      clientID: instance.clientId,
      consumerGroup: config.consumerGroup,
    });
    await Promise.all(
      this.heartbeat.trackedAddrs.map((addr) =>
        instance
          .invoke(addr, instance.request(RequestCode.UNREGISTER_CLIENT, header), UNREGISTER_TIMEOUT_MS)
          .catch((err: unknown) =>
            instance.logger.warn('unregister from broker failed', { addr, error: err }),
          ),
      ),
    );
  }

  private async runAll(): Promise<void> {
    for (const sub of this.deps.subscriptions()) {
      if (!this.running) return;
      try {
        await this.rebalanceTopic(sub.topic);
      } catch (err) {
        this.deps.instance.logger.warn('rebalance failed, keeping the current queues', {
          topic: sub.topic,
          error: err,
        });
      }
    }
  }

  /** RebalanceImpl.rebalanceByTopic for CLUSTERING. */
  private async rebalanceTopic(topic: string): Promise<void> {
    const { instance, config } = this.deps;
    const entry = await instance.routes.get(topic);
    const brokers = entry.route.brokerDatas;
    // Any broker of the topic knows the group (findBrokerAddrByTopic: a random one, its master if any).
    const bd = brokers[Math.floor(Math.random() * brokers.length)];
    const addr = bd && (bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0]);
    if (!addr) return;
    const resp = await instance.invoke(
      addr,
      instance.request(
        RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        ConsumerGroupRequestHeader.encode({ consumerGroup: config.consumerGroup }),
      ),
    );
    const cidAll = decodeConsumerIdList(resp.body).sort();
    const mine = allocateAveragely(instance.clientId, entry.subscribeQueues, cidAll);
    if (this.running) await this.deps.assign(topic, mine);
  }

  /** Every address (masters and slaves) of every broker serving a subscribed topic. */
  private async brokerAddrs(): Promise<string[]> {
    const addrs = new Set<string>();
    for (const sub of this.deps.subscriptions()) {
      try {
        const entry = await this.deps.instance.routes.get(sub.topic);
        for (const bd of entry.route.brokerDatas) for (const a of bd.brokerAddrs.values()) addrs.add(a);
      } catch (err) {
        this.deps.instance.logger.warn('no route for a subscribed topic yet', {
          topic: sub.topic,
          error: err,
        });
      }
    }
    return [...addrs];
  }

  private heartbeatBody(): Buffer {
    const { instance, config } = this.deps;
    return encodeHeartbeatData({
      clientID: instance.clientId,
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: config.consumerGroup,
          consumeType: 'CONSUME_ACTIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: config.consumeFromWhere,
          subscriptionDataSet: this.deps.subscriptions(),
          unitMode: false,
        },
      ],
    });
  }
}
