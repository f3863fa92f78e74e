import type { Logger } from '@rocketts/client';
import type { BrokerConfig } from './config/broker-config';
import type { ScheduleConfig } from './config/schedule-config';
import type { StoreConfig } from './config/store-config';
import type { ConsumerManager } from './client-manager/consumer-manager';
import type { ProducerManager } from './client-manager/producer-manager';
import type { RebalanceLockManager } from './client-manager/rebalance-lock-manager';
import type { SqlFilterCache } from './filter/subscription-filter';
import type { ConsumerOffsetManager } from './offsets/consumer-offset-manager';
import type { BrokerStats } from './stats/broker-stats';
import type { MessageStore } from './store/message-store';
import type { SubscriptionGroupManager } from './subscription/subscription-group-manager';
import type { TopicConfigManager } from './topics/topic-config-manager';
import type { RuntimeSettings } from './config/runtime-settings';
import type { ScheduleMessageService } from './schedule/schedule-message-service';
import type { TransactionConfig } from './config/transaction-config';
import type { TransactionalMessageCheckService } from './transaction/transactional-message-check-service';
import type { TimerMessageService } from './timer/timer-message-service';

/**
 * What processors share: the managers and the broker's identity. Built once by the controller;
 * processors take only this, so each can be tested with in-memory parts.
 */
export interface BrokerContext {
  config: BrokerConfig;
  storeConfig: StoreConfig;
  scheduleConfig: ScheduleConfig;
  /** Settings an admin may change at runtime (UPDATE_BROKER_CONFIG). */
  settings: RuntimeSettings;
  logger: Logger;
  store: MessageStore;
  topics: TopicConfigManager;
  groups: SubscriptionGroupManager;
  offsets: ConsumerOffsetManager;
  consumers: ConsumerManager;
  producers: ProducerManager;
  /** Queue locks of orderly consumers (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ). */
  rebalanceLocks: RebalanceLockManager;
  sqlFilters: SqlFilterCache;
  /** Delayed messages: the level table (DELAY put hook) and the delivery cursors. */
  schedule: ScheduleMessageService;
  /** Transactional messages: timing config, the half/op store bridge and the check-back service. */
  transactionConfig: TransactionConfig;
  transactions: TransactionalMessageCheckService;
  /** Timer messages (TIMER_DELIVER_MS …): the wheel geometry (put hook) and the delivery service. */
  timer: TimerMessageService;
  stats: BrokerStats;
  /** "ip:port" clients use for this broker. */
  brokerAddr(): string;
  /** Encoded STOREHOST field of records stored here. */
  storeHost(): Buffer;
}
