import { createLogger, type Logger, type RemotingChannel } from '@rocketts/client';
import { StateError } from '@rocketts/protocol';
import type { NamesrvConfig } from '../config/broker-config';
import { ProcessorTable } from '../remoting/request-processor';
import { RemotingServer } from '../remoting/remoting-server';
import { BrokerRegistrationProcessor } from './broker-registration-processor';
import { KvConfigManager } from './kv-config-manager';
import { KvConfigProcessor } from './kv-config-processor';
import { NamesrvRuntimeConfig } from './namesrv-config';
import { RouteInfoManager, type RemovedBroker } from './route-info-manager';
import { RouteQueryProcessor } from './route-query-processor';
import { TopicAdminProcessor } from './topic-admin-processor';
import { HttpEndpoint, type Metric } from '../stats/http-endpoint';

export interface NamesrvControllerOptions {
  logger?: Logger;
  /** Clock in ms since epoch for liveness; injectable for tests. */
  now?: () => number;
}

/** Counts for a /metrics endpoint. */
export interface NamesrvStats {
  clusters: number;
  /** Broker names (a master and its slaves share one). */
  brokerNames: number;
  /** Live broker addresses. */
  brokers: number;
  topics: number;
  /** Open TCP connections: brokers, clients and admin tools. */
  connections: number;
  kvNamespaces: number;
}

/**
 * Composition root of the name server (as NamesrvController): builds the tables and processors, wires
 * them to a RemotingServer, runs the broker expiry scan. Owns no protocol logic itself.
 */
export class NamesrvController {
  readonly routeInfo: RouteInfoManager;
  readonly kvConfig: KvConfigManager;
  readonly runtimeConfig: NamesrvRuntimeConfig;
  private readonly logger: Logger;
  private readonly server: RemotingServer;
  private scanTimer: NodeJS.Timeout | undefined;
  private http: HttpEndpoint | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(config: NamesrvConfig, options: NamesrvControllerOptions = {}) {
    this.logger = options.logger ?? createLogger('namesrv');
    this.runtimeConfig = new NamesrvRuntimeConfig(config);
    const current = this.runtimeConfig.current;
    this.routeInfo = new RouteInfoManager({
      brokerExpiredMillis: () => this.runtimeConfig.current.brokerExpiredMillis,
      ...(options.now ? { now: options.now } : {}),
    });
    this.kvConfig = new KvConfigManager(current.kvConfigPath);

    const table = new ProcessorTable();
    const registration = new BrokerRegistrationProcessor(
      this.routeInfo,
      this.kvConfig,
      this.logger.child('registration'),
    );
    const queries = new RouteQueryProcessor(this.routeInfo, this.kvConfig, this.runtimeConfig);
    const kv = new KvConfigProcessor(this.kvConfig);
    const admin = new TopicAdminProcessor(this.routeInfo, this.runtimeConfig, this.logger.child('admin'));
    table
      .register(registration.codes, registration)
      .register(queries.codes, queries)
      .register(kv.codes, kv)
      .register(admin.codes, admin);

    this.server = new RemotingServer({
      port: current.listenPort,
      host: current.bindAddress,
      table,
      logger: this.logger.child('remoting'),
    });
    this.server.onChannelClose((channel) => this.onChannelClose(channel));
    this.runtimeConfig.onChange((_config, changed) => {
      if (changed.includes('scanNotActiveBrokerInterval') && this.state === 'started') this.scheduleScan();
    });
  }

  /** Loads the KV table, listens, starts the expiry scan. Resolves with the bound port (listenPort 0 = any). */
  async start(): Promise<{ port: number; metricsPort?: number }> {
    if (this.state !== 'new') throw new StateError(`name server cannot start: it is ${this.state}`);
    this.kvConfig.load();
    const port = await this.server.start();
    this.state = 'started';
    this.scheduleScan();
    const { bindAddress, kvConfigPath, metricsPort } = this.runtimeConfig.current;
    const info: { port: number; metricsPort?: number } = { port };
    if (metricsPort >= 0) {
      this.http = new HttpEndpoint(
        () => ({ status: 'UP', ...this.stats() }),
        () => this.metrics(),
      );
      info.metricsPort = await this.http.start(metricsPort, bindAddress);
    }
    this.logger.info('name server started', { bindAddress, ...info, kvConfigPath });
    return info;
  }

  /** Stops the scan and closes every connection. The KV table is already on disk. */
  async shutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    await this.server.stop();
    await this.http?.stop();
    this.logger.info('name server stopped');
  }

  get port(): number {
    return this.server.port;
  }

  stats(): NamesrvStats {
    return {
      ...this.routeInfo.counts(),
      connections: this.server.connectionCount,
      kvNamespaces: this.kvConfig.namespaceCount,
    };
  }

  private metrics(): Metric[] {
    const s = this.stats();
    const gauge = (name: string, help: string, value: number): Metric => ({
      name,
      help,
      type: 'gauge',
      value,
    });
    return [
      gauge('rocketts_namesrv_clusters', 'Clusters known', s.clusters),
      gauge('rocketts_namesrv_broker_names', 'Broker names (master + slaves) known', s.brokerNames),
      gauge('rocketts_namesrv_brokers', 'Live broker addresses', s.brokers),
      gauge('rocketts_namesrv_topics', 'Topics with a route', s.topics),
      gauge('rocketts_namesrv_connections', 'Open connections', s.connections),
    ];
  }

  /** One expiry pass (as NamesrvController's scanNotActiveBroker task); the timer calls it, tests may too. */
  scanNotActiveBroker(now?: number): RemovedBroker[] {
    const removed = this.routeInfo.scanNotActiveBroker(now);
    for (const r of removed) this.logger.warn('broker expired', { ...r });
    return removed;
  }

  private scheduleScan(): void {
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.scanTimer = setInterval(
      () => this.scanNotActiveBroker(),
      this.runtimeConfig.current.scanNotActiveBrokerInterval,
    );
    this.scanTimer.unref();
  }

  private onChannelClose(channel: RemotingChannel): void {
    for (const r of this.routeInfo.onChannelDestroy(channel)) {
      this.logger.info('broker removed: connection closed', { ...r, remote: channel.remoteAddress });
    }
  }
}
