import { RequestCode, UnregisterClientRequestHeader, type SubscriptionData } from '@rocketts/protocol';
import type { BrokerHeartbeat } from '../../client/broker-heartbeat';
import type { ClientInstance } from '../../client/client-instance';
import type { Logger } from '../../logger';
import { Producer } from '../../producer/producer';
import { LocalFileOffsetStore, localOffsetsPath } from '../offset-store/local-file-offset-store';
import type { OffsetStore } from '../offset-store/offset-store';
import { RemoteBrokerOffsetStore } from '../offset-store/remote-broker-offset-store';
import { RebalanceService } from '../rebalance/rebalance-push';
import { ConsumeConcurrentlyService } from './consume-concurrently';
import { ConsumeExecutor } from './consume-executor';
import { ConsumeOrderlyService } from './consume-orderly';
import type { ConsumeStats } from './consume-stats';
import type { ResolvedListener } from './message-listener';
import { PullService } from './pull-service';
import type { ConsumeService, PushContext } from './push-context';
import type { PushConsumerConfig } from './push-consumer-options';
import { Scheduler } from './scheduler';
import { CLIENT_INNER_PRODUCER_GROUP, SendBackService, type RetrySender } from './send-back';

/** Time UNREGISTER_CLIENT may take per broker at shutdown. */
const UNREGISTER_TIMEOUT_MS = 3000; // as MQClientAPIImpl.unregisterClient callers

/** The services of a started push consumer. */
export interface PushServices {
  ctx: PushContext;
  scheduler: Scheduler;
  executor: ConsumeExecutor;
  offsetStore: OffsetStore;
  rebalance: RebalanceService;
  orderly: ConsumeOrderlyService | undefined;
  concurrently: ConsumeConcurrentlyService | undefined;
}

export interface PushServicesInput {
  config: PushConsumerConfig;
  instance: ClientInstance;
  logger: Logger;
  clientId: string;
  clustering: boolean;
  listener: ResolvedListener;
  offsetStore: OffsetStore;
  stats: ConsumeStats;
  heartbeat: BrokerHeartbeat;
  subscriptions(): SubscriptionData[];
  isRunning(): boolean;
  retrySender(): Promise<RetrySender>;
}

/**
 * Build and connect the services (DefaultMQPushConsumerImpl.start's middle part). They call each other: the
 * pull loop feeds consumption and asks the rebalancer about offsets; the rebalancer starts pull loops;
 * orderly consumption re-locks through the rebalancer.
 */
export function buildPushServices(i: PushServicesInput): PushServices {
  const { config: cfg, listener, heartbeat } = i;
  const scheduler = new Scheduler((err) => i.logger.error('scheduled task failed', { error: err }));
  const executor = new ConsumeExecutor(cfg.concurrency, (err) =>
    i.logger.error('consume task failed', { error: err }),
  );
  const ctx: PushContext = {
    config: cfg,
    instance: i.instance,
    logger: i.logger,
    group: cfg.consumerGroup,
    clientId: i.clientId,
    clustering: i.clustering,
    listener,
    offsetStore: i.offsetStore,
    stats: i.stats,
    scheduler,
    executor,
    sendBack: new SendBackService({
      instance: i.instance,
      group: cfg.consumerGroup,
      maxReconsumeTimes: cfg.maxReconsumeTimes,
      logger: i.logger,
      sender: () => i.retrySender(),
    }),
    subscription: (topic) => i.subscriptions().find((s) => s.topic === topic),
    isRunning: () => i.isRunning(),
  };
  const parts: { pull?: PullService; rebalance?: RebalanceService } = {};
  let orderly: ConsumeOrderlyService | undefined;
  let concurrently: ConsumeConcurrentlyService | undefined;
  let consume: ConsumeService;
  if (listener.orderly) {
    orderly = new ConsumeOrderlyService(ctx, listener.handler, (mq) =>
      (parts.rebalance as RebalanceService).relock(mq),
    );
    consume = orderly;
  } else {
    concurrently = new ConsumeConcurrentlyService(ctx, listener.handler);
    consume = concurrently;
  }
  const rebalance = new RebalanceService(ctx, () => i.subscriptions().map((s) => s.topic), {
    startPull: (req) => parts.pull?.executeNow(req),
    batchDone: (pq) => orderly?.whenBatchDone(pq) ?? Promise.resolve(),
    brokersSeen: (addrs) => addrs.forEach((a) => heartbeat.track(a)),
  });
  parts.rebalance = rebalance;
  parts.pull = new PullService(ctx, {
    consume,
    offsetMoved: (req, next) =>
      void rebalance
        .offsetMoved(req, next)
        .catch((err: unknown) => i.logger.warn('restarting a moved queue failed', { error: err })),
    computePullFromWhere: (mq) => rebalance.computePullFromWhere(mq),
    subscriptionMissing: (addr) => {
      if (addr) heartbeat.track(addr);
      void heartbeat.beatAll();
    },
  });
  return { ctx, scheduler, executor, offsetStore: i.offsetStore, rebalance, orderly, concurrently };
}

/** Clustering: offsets on the broker of each queue (its master, else a replica); broadcasting: a local file. */
export function createOffsetStore(
  config: PushConsumerConfig,
  instance: ClientInstance,
  clustering: boolean,
  logger: Logger,
): OffsetStore {
  if (!clustering) {
    const path = localOffsetsPath(config.offsetStoreDir, instance.clientId, config.consumerGroup);
    return new LocalFileOffsetStore(path, logger);
  }
  const routes = instance.routes;
  return new RemoteBrokerOffsetStore(
    instance,
    config.consumerGroup,
    (mq) => {
      const find = (): string | undefined =>
        routes.findMasterAddr(mq.brokerName) ?? routes.findAnyAddr(mq.brokerName);
      return routes.resolveAddr(mq.topic, mq.brokerName, find, 'address');
    },
    logger,
  );
}

/** The producer of the send-back fallback (Java's CLIENT_INNER_PRODUCER), with the consumer's client settings. */
export async function startInnerProducer(config: PushConsumerConfig, logger: Logger): Promise<Producer> {
  const c = config.client;
  const p = new Producer({
    namesrvAddr: c.namesrvAddrs,
    producerGroup: CLIENT_INNER_PRODUCER_GROUP,
    logger,
    clientIP: c.clientIP,
    instanceName: `${c.instanceName}#inner`,
    requestTimeoutMs: c.requestTimeoutMs,
  });
  await p.start();
  return p;
}

/** UNREGISTER_CLIENT for the group to every broker heartbeated (MQClientInstance.unregisterConsumer). */
export async function unregisterConsumer(
  instance: ClientInstance,
  addrs: readonly string[],
  group: string,
  logger: Logger,
): Promise<void> {
  const header = UnregisterClientRequestHeader.encode({ clientID: instance.clientId, consumerGroup: group });
  await Promise.all(
    addrs.map((addr) =>
      instance
        .invoke(addr, instance.request(RequestCode.UNREGISTER_CLIENT, header), UNREGISTER_TIMEOUT_MS)
        .catch((err: unknown) => logger.warn('unregister from broker failed', { addr, error: err })),
    ),
  );
}

/** Whether `p` settled within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
