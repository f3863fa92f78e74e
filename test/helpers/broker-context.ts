import { silentLogger, type RemotingChannel } from '@rocketts/client';
import { encodeHostAddress } from '@rocketts/protocol';
import type { BrokerContext } from '../../broker/src/broker-context';
import { ConsumerManager } from '../../broker/src/client-manager/consumer-manager';
import { RebalanceLockManager } from '../../broker/src/client-manager/rebalance-lock-manager';
import { ProducerManager } from '../../broker/src/client-manager/producer-manager';
import { resolveBrokerConfig } from '../../broker/src/config';
import { RuntimeSettings } from '../../broker/src/config/runtime-settings';
import { SqlFilterCache } from '../../broker/src/filter/subscription-filter';
import { ConsumerOffsetManager } from '../../broker/src/offsets/consumer-offset-manager';
import { DelayLevelTable } from '../../broker/src/schedule/delay-levels';
import { DelayOffsetTable } from '../../broker/src/schedule/delay-offset-table';
import { ScheduleMessageService } from '../../broker/src/schedule/schedule-message-service';
import { TimerCursorTable } from '../../broker/src/timer/timer-cursor-table';
import { TimerMessageService } from '../../broker/src/timer/timer-message-service';
import { DEFAULT_WHEEL } from '../../broker/src/timer/timer-wheel';
import { BrokerStats } from '../../broker/src/stats/broker-stats';
import { SubscriptionGroupManager } from '../../broker/src/subscription/subscription-group-manager';
import { TopicConfigManager } from '../../broker/src/topics/topic-config-manager';
import { TransactionalMessageBridge } from '../../broker/src/transaction/transactional-message-bridge';
import { TransactionalMessageCheckService } from '../../broker/src/transaction/transactional-message-check-service';
import { newStore } from './store';
import { tmpStoreDir } from './tmp';

/** Address processors in specs report as their own. */
export const SPEC_BROKER_ADDR = '127.0.0.1:10911';

export interface SpecBroker {
  ctx: BrokerContext;
  close(): Promise<void>;
}

/**
 * The parts a processor works with, without sockets: a started store in a temp directory and the
 * managers the controller would build (as BrokerController's constructor), named broker-a.
 */
export async function specBrokerContext(brokerOverrides: Record<string, unknown> = {}): Promise<SpecBroker> {
  const t = tmpStoreDir('rocketts-processor-');
  const config = resolveBrokerConfig({
    brokerName: 'broker-a',
    brokerIP1: '127.0.0.1',
    storePathRootDir: t.dir,
    ...brokerOverrides,
  });
  const store = newStore(t.dir);
  await store.start();
  const b = config.broker;
  const settings = new RuntimeSettings(b);
  const topics = new TopicConfigManager({
    storeRootDir: t.dir,
    autoCreateTopicEnable: b.autoCreateTopicEnable,
    defaultTopicQueueNums: b.defaultTopicQueueNums,
    logger: silentLogger,
    onChange: () => undefined,
  });
  const offsets = new ConsumerOffsetManager(t.dir);
  const producers = new ProducerManager();
  const ctx: BrokerContext = {
    config: b,
    storeConfig: config.store,
    scheduleConfig: config.schedule,
    settings,
    logger: silentLogger,
    store,
    topics,
    groups: new SubscriptionGroupManager(t.dir, () => settings.autoCreateSubscriptionGroup, silentLogger),
    offsets,
    consumers: new ConsumerManager(silentLogger),
    producers,
    rebalanceLocks: new RebalanceLockManager({ logger: silentLogger }),
    schedule: new ScheduleMessageService({
      store,
      levels: DelayLevelTable.parse(config.schedule.messageDelayLevel),
      offsets: new DelayOffsetTable(t.dir),
      persistIntervalMs: config.schedule.flushDelayOffsetInterval,
      logger: silentLogger,
    }),
    timer: new TimerMessageService({
      store,
      wheel: DEFAULT_WHEEL,
      cursors: new TimerCursorTable(t.dir),
      persistIntervalMs: config.schedule.timerFlushIntervalMs,
      logger: silentLogger,
    }),
    sqlFilters: new SqlFilterCache(),
    transactionConfig: config.transaction,
    transactions: new TransactionalMessageCheckService({
      bridge: new TransactionalMessageBridge(store, topics, silentLogger),
      store,
      offsets,
      producers,
      config: config.transaction,
      fileReservedTimeHours: config.store.fileReservedTime,
      brokerName: b.brokerName,
      logger: silentLogger,
    }),
    stats: new BrokerStats(),
    brokerAddr: () => SPEC_BROKER_ADDR,
    storeHost: () => encodeHostAddress('127.0.0.1', 10911),
  };
  return {
    ctx,
    close: async () => {
      await store.shutdown();
      t.cleanup();
    },
  };
}

/** Register `channel` as a member of `group` subscribing `topics` with "*", as a heartbeat would. */
export function joinGroup(
  ctx: BrokerContext,
  group: string,
  clientId: string,
  channel: RemotingChannel,
  topics: readonly string[] = [],
): void {
  ctx.consumers.register({
    group,
    client: { channel, clientId, language: 'JAVA', version: 413, lastUpdate: Date.now() },
    consumeType: 'CONSUME_PASSIVELY',
    messageModel: 'CLUSTERING',
    consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    subscriptions: topics.map((topic) => ({
      topic,
      subString: '*',
      tagsSet: [],
      codeSet: [],
      subVersion: 1,
      expressionType: 'TAG',
      classFilterMode: false,
    })),
    notifyOnChange: false,
  });
}
