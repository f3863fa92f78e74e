import { ConfigError } from '@rocketts/protocol';
import type { BrokerConfig } from './broker-config';
import { BROKER_SCHEMA } from './broker-config';
import { resolveSchema } from './config-schema';
import { SCHEDULE_SCHEMA } from './schedule-config';
import { STORE_SCHEMA } from './store-config';

/** Keys UPDATE_BROKER_CONFIG may change on a running broker; everything else needs a restart. */
export const HOT_KEYS = [
  'brokerPermission',
  'autoCreateTopicEnable',
  'autoCreateSubscriptionGroup',
  'enablePropertyFilter',
  'longPollingEnable',
  'shortPollingTimeMills',
] as const;
type HotKey = (typeof HOT_KEYS)[number];

/** A key that names a file, directory or command: never settable remotely. */
const PATH_LIKE = /(path|dir|file|home|command|cmd|exec)$/i;

export class RuntimeSettings {
  private values: Pick<BrokerConfig, HotKey>;

  constructor(config: BrokerConfig) {
    this.values = Object.fromEntries(HOT_KEYS.map((k) => [k, config[k]])) as Pick<BrokerConfig, HotKey>;
  }

  get brokerPermission(): number {
    return this.values.brokerPermission;
  }
  get autoCreateTopicEnable(): boolean {
    return this.values.autoCreateTopicEnable;
  }
  get autoCreateSubscriptionGroup(): boolean {
    return this.values.autoCreateSubscriptionGroup;
  }
  get enablePropertyFilter(): boolean {
    return this.values.enablePropertyFilter;
  }
  get longPollingEnable(): boolean {
    return this.values.longPollingEnable;
  }
  get shortPollingTimeMills(): number {
    return this.values.shortPollingTimeMills;
  }

  snapshot(): Record<HotKey, number | boolean> {
    return { ...this.values };
  }

  /**
   * Apply `updates` all-or-nothing. Path-like keys are refused outright (`forbidden`), keys that
   * exist but cannot change at runtime too; unknown keys and bad values throw ConfigError naming the key.
   */
  apply(updates: Record<string, string>): { forbidden?: string } {
    for (const key of Object.keys(updates)) {
      if (PATH_LIKE.test(key)) return { forbidden: key };
      if (!(HOT_KEYS as readonly string[]).includes(key)) {
        if (key in BROKER_SCHEMA || key in STORE_SCHEMA || key in SCHEDULE_SCHEMA) return { forbidden: key };
        throw new ConfigError(key, 'unknown configuration key');
      }
    }
    const schema = Object.fromEntries(HOT_KEYS.map((k) => [k, BROKER_SCHEMA[k]]));
    const resolved = resolveSchema(schema, { ...this.values, ...updates }) as unknown as Pick<
      BrokerConfig,
      HotKey
    >;
    this.values = resolved;
    return {};
  }
}
