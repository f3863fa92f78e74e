import { networkInterfaces } from 'node:os';
import type { Logger } from '@rocketts/client';
import { ConfigError } from '@rocketts/protocol';
import { BROKER_SCHEMA, resolveBrokerIdentity, type BrokerConfig } from './broker-config';
import { rejectUnknownKeys, unknownKeys } from './config-schema';
import { resolveScheduleConfig, SCHEDULE_SCHEMA, type ScheduleConfig } from './schedule-config';
import { resolveStoreConfig, STORE_SCHEMA, type StoreConfig } from './store-config';
import { resolveTransactionConfig, TRANSACTION_SCHEMA, type TransactionConfig } from './transaction-config';

export * from './broker-config';
export * from './store-config';
export * from './schedule-config';
export * from './transaction-config';
export * from './config-schema';
export * from './properties-file';

export interface ResolvedBrokerConfig {
  broker: BrokerConfig;
  store: StoreConfig;
  schedule: ScheduleConfig;
  transaction: TransactionConfig;
}

/** Every concern of a broker's flat config (broker.conf); a key belongs to exactly one. */
export const BROKER_CONF_SCHEMAS = [
  BROKER_SCHEMA,
  STORE_SCHEMA,
  SCHEDULE_SCHEMA,
  TRANSACTION_SCHEMA,
] as const;

/**
 * One flat input, as broker.conf is, split by concern. Unknown keys are rejected (API) or reported
 * as warnings (files may hold RocketMQ keys we do not implement).
 */
export function resolveBrokerConfig(
  input: Record<string, unknown>,
  options: { unknownKeys?: 'reject' | 'warn'; logger?: Logger } = {},
): ResolvedBrokerConfig {
  if ((options.unknownKeys ?? 'reject') === 'reject') rejectUnknownKeys(input, ...BROKER_CONF_SCHEMAS);
  else
    for (const key of unknownKeys(input, ...BROKER_CONF_SCHEMAS))
      options.logger?.warn('unknown config key ignored', { key });
  const pick = (schema: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(input).filter(([k]) => k in schema));
  const resolved = {
    broker: resolveBrokerIdentity(pick(BROKER_SCHEMA)),
    store: resolveStoreConfig(pick(STORE_SCHEMA)),
    schedule: resolveScheduleConfig(pick(SCHEDULE_SCHEMA)),
    transaction: resolveTransactionConfig(pick(TRANSACTION_SCHEMA)),
  };
  checkTimerRetention(resolved.schedule, resolved.store);
  return resolved;
}

/**
 * A timer message is read back from the commit-log segment it was written to when it comes due, and
 * retention keeps a segment fileReservedTime hours after its last write: a longer delay could be
 * deleted before delivery.
 */
function checkTimerRetention(schedule: ScheduleConfig, store: StoreConfig): void {
  const keptSec = store.fileReservedTime * 3600;
  if (schedule.timerWheelEnable && schedule.timerMaxDelaySec > keptSec) {
    throw new ConfigError(
      'timerMaxDelaySec',
      `${schedule.timerMaxDelaySec} s is longer than fileReservedTime (${store.fileReservedTime} h = ${keptSec} s): ` +
        'a timer message could be deleted before it is due; lower timerMaxDelaySec or raise fileReservedTime',
    );
  }
}

/** First non-internal IPv4 address, else loopback (what RocketMQ's brokerIP1 defaults to). */
export function localIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
