import { createLogger, RemotingClient, type Logger, type RemotingChannel } from '@rocketts/client';
import { encodeHostAddress, Perm, SystemTopic } from '@rocketts/protocol';
import type { BrokerContext } from './broker-context';
import { ConsumerManager } from './client-manager/consumer-manager';
import { ProducerManager } from './client-manager/producer-manager';
import { RebalanceLockManager } from './client-manager/rebalance-lock-manager';
import { localIPv4, type ResolvedBrokerConfig } from './config';
import { RuntimeSettings } from './config/runtime-settings';
import { SqlFilterCache } from './filter/subscription-filter';
import { PullRequestHoldService } from './long-polling/pull-request-hold-service';
import { crcImplementation } from './native/native';
import { ConsumerOffsetManager } from './offsets/consumer-offset-manager';
import { BrokerAdminProcessor } from './processors/broker-admin-processor';
import { ClientManageProcessor } from './processors/client-manage-processor';
import { ConsumerAdminProcessor } from './processors/consumer-admin-processor';
import { ConsumerManageProcessor } from './processors/consumer-manage-processor';
import { ConsumerRelayProcessor } from './processors/consumer-relay-processor';
import { ConsumerSendMsgBackProcessor } from './processors/consumer-send-msg-back-processor';
import { PullMessageProcessor } from './processors/pull-message-processor';
import { QueryMessageProcessor } from './processors/query-message-processor';
import { QueueLockProcessor } from './processors/queue-lock-processor';
import { QueueOffsetProcessor } from './processors/queue-offset-processor';
import { ResetOffsetProcessor } from './processors/reset-offset-processor';
import { ensureReplyTopic, ReplyMessageProcessor } from './processors/reply-message-processor';
import { SendMessageProcessor } from './processors/send-message-processor';
import { TopicAdminProcessor } from './processors/topic-admin-processor';
import { NameServerRegistrar } from './registration/name-server-registrar';
import { DelayLevelTable } from './schedule/delay-levels';
import { DelayOffsetTable } from './schedule/delay-offset-table';
import { scheduleDeliverTime } from './schedule/delay-put-hook';
import { ScheduleMessageService } from './schedule/schedule-message-service';
import { TimerCursorTable } from './timer/timer-cursor-table';
import { TimerMessageService } from './timer/timer-message-service';
import { DEFAULT_WHEEL } from './timer/timer-wheel';
import { RemotingServer } from './remoting/remoting-server';
import { ProcessorTable } from './remoting/request-processor';
import { brokerHealth, brokerMetrics } from './stats/broker-metrics';
import { BrokerStats } from './stats/broker-stats';
import { HttpEndpoint } from './stats/http-endpoint';
import { MessageStore } from './store/message-store';
import { SubscriptionGroupManager } from './subscription/subscription-group-manager';
import { TopicConfigManager } from './topics/topic-config-manager';
import { EndTransactionProcessor } from './processors/end-transaction-processor';
import { TransactionalMessageBridge } from './transaction/transactional-message-bridge';
import { TransactionalMessageCheckService } from './transaction/transactional-message-check-service';

/** Offsets are written to disk this often (flushConsumerOffsetInterval). */
const OFFSET_PERSIST_INTERVAL_MS = 5_000;
/** Client connections are checked for expiry this often (ClientHousekeepingService). */
const CLIENT_SCAN_INTERVAL_MS = 10_000;

export interface BrokerStartInfo {
  addr: string;
  port: number;
  metricsPort?: number;
}

/**
 * Composition root of a broker: builds the parts, registers processors by request code, starts
 * them in order and stops them in reverse. It only wires; behaviour lives in the parts.
 */
export class BrokerController {
  readonly ctx: BrokerContext;
  readonly store: MessageStore;
  private readonly server: RemotingServer;
  private readonly client: RemotingClient;
  private readonly holder: PullRequestHoldService;
  private registrar: NameServerRegistrar | undefined;
  private http: HttpEndpoint | undefined;
  private timers: NodeJS.Timeout[] = [];
  private addr = '';
  private storeHostBytes: Buffer = Buffer.alloc(8);
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(
    private readonly config: ResolvedBrokerConfig,
    logger: Logger = createLogger('broker'),
  ) {
    const b = config.broker;
    const root = config.store.storePathRootDir;
    const settings = new RuntimeSettings(b);
    const delayLevels = DelayLevelTable.parse(config.schedule.messageDelayLevel);
    this.store = new MessageStore({
      config: config.store,
      logger: logger.child('store'),
      scheduleDeliverTime: scheduleDeliverTime(delayLevels),
    });
    const topics = new TopicConfigManager({
      storeRootDir: root,
      autoCreateTopicEnable: b.autoCreateTopicEnable,
      defaultTopicQueueNums: b.defaultTopicQueueNums,
      logger,
      onChange: () => this.registrar?.topicsChanged(),
    });
    const offsets = new ConsumerOffsetManager(root);
    const producers = new ProducerManager();
    this.ctx = {
      config: b,
      storeConfig: config.store,
      scheduleConfig: config.schedule,
      settings,
      logger,
      store: this.store,
      topics,
      groups: new SubscriptionGroupManager(root, () => settings.autoCreateSubscriptionGroup, logger),
      offsets,
      consumers: new ConsumerManager(logger),
      producers,
      rebalanceLocks: new RebalanceLockManager({ logger: logger.child('rebalance-lock') }),
      sqlFilters: new SqlFilterCache(),
      schedule: new ScheduleMessageService({
        store: this.store,
        levels: delayLevels,
        offsets: new DelayOffsetTable(root),
        persistIntervalMs: config.schedule.flushDelayOffsetInterval,
        logger: logger.child('schedule'),
      }),
      transactionConfig: config.transaction,
      transactions: new TransactionalMessageCheckService({
        bridge: new TransactionalMessageBridge(this.store, topics, logger.child('transaction')),
        store: this.store,
        offsets,
        producers,
        config: config.transaction,
        fileReservedTimeHours: config.store.fileReservedTime,
        brokerName: b.brokerName,
        logger: logger.child('transaction'),
      }),
      timer: new TimerMessageService({
        store: this.store,
        wheel: DEFAULT_WHEEL,
        cursors: new TimerCursorTable(root),
        persistIntervalMs: config.schedule.timerFlushIntervalMs,
        logger: logger.child('timer'),
      }),
      stats: new BrokerStats(),
      brokerAddr: () => this.addr,
      storeHost: () => this.storeHostBytes,
    };
    const pull = new PullMessageProcessor(this.ctx);
    this.holder = new PullRequestHoldService((p) => pull.wake(p));
    pull.attachHoldService(this.holder);
    const table = new ProcessorTable()
      .register(SendMessageProcessor.codes, new SendMessageProcessor(this.ctx))
      .register(PullMessageProcessor.codes, pull)
      .register(QueryMessageProcessor.codes, new QueryMessageProcessor(this.ctx))
      .register(ClientManageProcessor.codes, new ClientManageProcessor(this.ctx))
      .register(ConsumerManageProcessor.codes, new ConsumerManageProcessor(this.ctx))
      .register(ConsumerSendMsgBackProcessor.codes, new ConsumerSendMsgBackProcessor(this.ctx))
      .register(QueueOffsetProcessor.codes, new QueueOffsetProcessor(this.ctx))
      .register(TopicAdminProcessor.codes, new TopicAdminProcessor(this.ctx))
      .register(BrokerAdminProcessor.codes, new BrokerAdminProcessor(this.ctx))
      .register(ConsumerAdminProcessor.codes, new ConsumerAdminProcessor(this.ctx))
      .register(ResetOffsetProcessor.codes, new ResetOffsetProcessor(this.ctx))
      .register(ConsumerRelayProcessor.codes, new ConsumerRelayProcessor(this.ctx))
      .register(ReplyMessageProcessor.codes, new ReplyMessageProcessor(this.ctx))
      .register(EndTransactionProcessor.codes, new EndTransactionProcessor(this.ctx))
      .register(QueueLockProcessor.codes, new QueueLockProcessor(this.ctx.rebalanceLocks));
    this.server = new RemotingServer({
      port: b.listenPort,
      host: b.bindAddress,
      table,
      logger: logger.child('remoting'),
      idleTimeoutMs: b.serverChannelMaxIdleTimeSeconds * 1000,
    });
    this.client = new RemotingClient({ logger: logger.child('namesrv-client') });
  }

  get brokerAddr(): string {
    return this.addr;
  }

  async start(): Promise<BrokerStartInfo> {
    if (this.state !== 'new') throw new Error(`broker cannot start from state ${this.state}`);
    const { broker: b } = this.config;
    const { logger } = this.ctx;
    await this.store.start();
    this.ctx.topics.load();
    // One queue per delay level, perm 6, registered like any topic (TopicConfigManager does so at start).
    this.ctx.topics.ensure(SystemTopic.SCHEDULE, this.ctx.schedule.levels.maxLevel, Perm.READ | Perm.WRITE);
    ensureReplyTopic(this.ctx.topics, b.brokerClusterName);
    this.ctx.groups.load();
    this.ctx.offsets.load();
    this.ctx.schedule.load();
    this.ctx.timer.load();
    // Slaves get delayed messages through replication, so only a master delivers them.
    if (b.brokerRole !== 'SLAVE') {
      this.ctx.schedule.start();
      this.ctx.timer.start();
    }
    // Which transactions ended is derived from the op records, so it survives any restart.
    this.ctx.transactions.rebuildEnded();
    if (b.brokerRole !== 'SLAVE') this.ctx.transactions.start();
    this.store.onMessageArrived((req) => this.holder.onMessageArrived(req));
    this.holder.start();
    const port = await this.server.start();
    const ip = b.brokerIP1 || localIPv4();
    this.addr = `${ip}:${port}`;
    this.storeHostBytes = encodeHostAddress(ip, port);
    this.server.onChannelClose((ch: RemotingChannel) => {
      this.ctx.consumers.onChannelClose(ch);
      this.ctx.producers.onChannelClose(ch);
    });
    this.every(OFFSET_PERSIST_INTERVAL_MS, () => {
      this.ctx.offsets
        .persist()
        .catch((err: Error) => logger.error('persisting consumer offsets failed', { error: err }));
    });
    this.every(CLIENT_SCAN_INTERVAL_MS, () => {
      this.ctx.consumers.scanExpired(b.channelExpiredTimeout);
      this.ctx.producers.scanExpired(b.channelExpiredTimeout);
    });
    const nameServers = b.namesrvAddr.split(';').filter(Boolean);
    if (nameServers.length > 0) {
      this.registrar = new NameServerRegistrar({
        client: this.client,
        nameServers,
        clusterName: b.brokerClusterName,
        brokerName: b.brokerName,
        brokerId: b.brokerId,
        brokerAddr: () => this.addr,
        haServerAddr: () => `${ip}:${port + 1}`,
        topics: () => this.ctx.topics.serializeWrapper(),
        periodMs: b.registerNameServerPeriod,
        timeoutMs: b.registerBrokerTimeoutMills,
        logger,
      });
      await this.registrar.start();
    }
    const info: BrokerStartInfo = { addr: this.addr, port };
    if (b.metricsPort >= 0) {
      this.http = new HttpEndpoint(
        () => brokerHealth(this.ctx, this.registrar?.lastResults ?? []),
        () => brokerMetrics(this.ctx, this.server.connectionCount, this.holder.heldCount),
      );
      info.metricsPort = await this.http.start(b.metricsPort, b.bindAddress);
    }
    this.state = 'running';
    logger.info('broker started', {
      ...info,
      brokerName: b.brokerName,
      cluster: b.brokerClusterName,
      nameServers,
      flushDiskType: this.config.store.flushDiskType,
      crc: crcImplementation(),
    });
    return info;
  }

  /** Clean stop (SIGTERM): unregister, answer parked pulls, close connections, flush and checkpoint. */
  async shutdown(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    for (const t of this.timers) clearInterval(t);
    await this.registrar?.stop();
    this.holder.stop();
    await this.server.stop();
    await this.http?.stop();
    this.client.shutdown();
    await this.ctx.schedule.stop();
    await this.ctx.transactions.stop();
    await this.ctx.timer.stop();
    await this.ctx.offsets.persist(true);
    await this.store.shutdown();
    this.ctx.logger.info('broker stopped', { addr: this.addr });
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      try {
        fn();
      } catch (err) {
        this.ctx.logger.error('periodic task failed', { error: err as Error });
      }
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}
