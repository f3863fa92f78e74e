import { hostname } from 'node:os';
import { ConfigError } from '@rocketts/protocol';
import { resolveSchema, type ConfigOf, type Schema } from './config-schema';

/** Broker identity, networking and features (BrokerConfig.java / NettyServerConfig.java names). */
export const BROKER_SCHEMA = {
  brokerClusterName: {
    type: 'string',
    default: 'DefaultCluster',
    pattern: /^[\w-]+$/,
    doc: 'cluster this broker belongs to',
  },
  brokerName: {
    type: 'string',
    default: hostname().replace(/[^\w-]/g, '-'),
    pattern: /^[\w-]+$/,
    doc: 'broker name shared by master and slaves',
  },
  brokerId: { type: 'int', default: 0, min: 0, doc: '0 = master, ≥ 1 = slave' },
  brokerRole: {
    type: 'enum',
    default: 'ASYNC_MASTER',
    values: ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'],
    doc: 'replication role',
  },
  brokerIP1: {
    type: 'string',
    default: '',
    doc: 'address advertised to name servers and clients; empty = first non-internal IPv4',
  },
  bindAddress: { type: 'string', default: '0.0.0.0', doc: 'address the listener binds' },
  listenPort: { type: 'int', default: 10911, min: 0, max: 65535, doc: 'remoting port (0 = any free port)' },
  namesrvAddr: { type: 'string', default: '', doc: 'name servers, "host:port;host:port"' },
  autoCreateTopicEnable: {
    type: 'bool',
    default: true,
    doc: 'create unknown topics from TBW102 on first send',
  },
  autoCreateSubscriptionGroup: {
    type: 'bool',
    default: true,
    doc: 'create unknown consumer groups on first use',
  },
  defaultTopicQueueNums: {
    type: 'int',
    default: 8,
    min: 1,
    max: 1024,
    doc: 'queues of TBW102 and so of auto-created topics',
  },
  brokerPermission: { type: 'int', default: 6, min: 0, max: 7, doc: 'broker perm bits: 4 read, 2 write' },
  registerNameServerPeriod: {
    type: 'int',
    default: 30_000,
    min: 10_000,
    max: 60_000,
    doc: 'ms between registrations with name servers',
  },
  registerBrokerTimeoutMills: { type: 'int', default: 6_000, min: 100, doc: 'ms a registration may take' },
  enablePropertyFilter: { type: 'bool', default: true, doc: 'allow SQL92 subscriptions' },
  longPollingEnable: { type: 'bool', default: true, doc: 'hold pulls until messages arrive' },
  shortPollingTimeMills: {
    type: 'int',
    default: 1000,
    min: 1,
    doc: 'hold time of a pull when long polling is off',
  },
  channelExpiredTimeout: {
    type: 'int',
    default: 120_000,
    min: 1000,
    doc: 'ms without heartbeat before a client is dropped',
  },
  serverChannelMaxIdleTimeSeconds: {
    type: 'int',
    default: 120,
    min: 0,
    doc: 'seconds without traffic before a connection is closed',
  },
  regionId: { type: 'string', default: 'DefaultRegion', doc: 'MSG_REGION of stored messages' },
  traceOn: { type: 'bool', default: true, doc: 'TRACE_ON of stored messages' },
  storeReplyMessageEnable: {
    type: 'bool',
    default: true,
    doc: 'store request-reply replies as well as pushing them to the requester',
  },
  metricsPort: {
    type: 'int',
    default: -1,
    min: -1,
    max: 65535,
    doc: 'HTTP port of /health and /metrics; -1 = off, 0 = any',
  },
} as const satisfies Schema;

export type BrokerConfig = ConfigOf<typeof BROKER_SCHEMA>;

export function resolveBrokerIdentity(input: Record<string, unknown>): BrokerConfig {
  const c = resolveSchema(BROKER_SCHEMA, input);
  if (c.brokerRole === 'SLAVE' && c.brokerId === 0)
    throw new ConfigError('brokerId', 'a SLAVE needs brokerId ≥ 1');
  if (c.brokerRole !== 'SLAVE' && c.brokerId !== 0)
    throw new ConfigError('brokerId', `a master has brokerId 0, got ${c.brokerId}`);
  for (const addr of c.namesrvAddr.split(';').filter(Boolean)) {
    if (!/^[^:;\s]+:\d{1,5}$/.test(addr)) throw new ConfigError('namesrvAddr', `'${addr}' is not host:port`);
  }
  return c;
}

/** Name server (NamesrvConfig.java names, plus the broker expiry that 4.x hard-codes). */
export const NAMESRV_SCHEMA = {
  listenPort: { type: 'int', default: 9876, min: 0, max: 65535, doc: 'remoting port (0 = any free port)' },
  bindAddress: { type: 'string', default: '0.0.0.0', doc: 'address the listener binds' },
  kvConfigPath: { type: 'string', default: '', doc: 'KV config file; empty = ~/namesrv/kvConfig.json' },
  brokerExpiredMillis: {
    type: 'int',
    default: 120_000,
    min: 100,
    doc: 'ms without registration before a broker is dropped',
  },
  scanNotActiveBrokerInterval: { type: 'int', default: 5_000, min: 10, doc: 'ms between expiry scans' },
  orderMessageEnable: {
    type: 'bool',
    default: false,
    doc: 'fill orderTopicConf of routes from KV ORDER_TOPIC_CONFIG',
  },
  enableAllTopicList: { type: 'bool', default: true, doc: 'answer GET_ALL_TOPIC_LIST_FROM_NAMESERVER' },
  metricsPort: {
    type: 'int',
    default: -1,
    min: -1,
    max: 65535,
    doc: 'HTTP port of /health and /metrics; -1 = off, 0 = any',
  },
} as const satisfies Schema;

export type NamesrvConfig = ConfigOf<typeof NAMESRV_SCHEMA>;
