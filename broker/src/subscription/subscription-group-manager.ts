import { join } from 'node:path';
import type { Logger } from '@rocketts/client';
import {
  decodeDataVersion,
  optObj,
  parseJavaJson,
  stringifyJavaJson,
  type DataVersion,
} from '@rocketts/protocol';
import { readPersisted, writePersisted } from '../config/persisted-file';
import {
  decodeSubscriptionGroupConfig,
  subscriptionGroupConfig,
  type SubscriptionGroupConfig,
} from './subscription-group-config';

/** Consumer groups known to this broker, persisted to <store>/config/subscriptionGroup.json. */
export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  private dataVersion: DataVersion = { timestamp: Date.now(), counter: 0, stateVersion: 0 };
  private readonly path: string;

  constructor(
    storeRootDir: string,
    /** Read on each lookup: UPDATE_BROKER_CONFIG may switch autoCreateSubscriptionGroup at runtime. */
    private readonly autoCreate: () => boolean,
    private readonly logger: Logger,
  ) {
    this.path = join(storeRootDir, 'config', 'subscriptionGroup.json');
  }

  load(): void {
    const text = readPersisted(this.path);
    if (!text) return;
    const j = optObj(parseJavaJson(text), 'subscriptionGroup.json');
    for (const v of Object.values(optObj(j.subscriptionGroupTable, 'subscriptionGroupTable'))) {
      const g = decodeSubscriptionGroupConfig(v);
      this.table.set(g.groupName, g);
    }
    this.dataVersion = decodeDataVersion(j.dataVersion);
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  /** The group's config, created with defaults when `autoCreateSubscriptionGroup` allows it. */
  findOrCreate(group: string): SubscriptionGroupConfig | undefined {
    const g = this.table.get(group);
    if (g || !this.autoCreate()) return g;
    const created = subscriptionGroupConfig(group);
    this.logger.info('auto-created subscription group', { group });
    this.update(created);
    return created;
  }

  update(g: SubscriptionGroupConfig): void {
    this.table.set(g.groupName, g);
    this.persist();
  }

  delete(group: string): boolean {
    const had = this.table.delete(group);
    if (had) this.persist();
    return had;
  }

  all(): SubscriptionGroupConfig[] {
    return [...this.table.values()];
  }

  encode(): Buffer {
    return Buffer.from(
      stringifyJavaJson({
        subscriptionGroupTable: Object.fromEntries(this.table),
        dataVersion: this.dataVersion,
      }),
      'utf8',
    );
  }

  private persist(): void {
    this.dataVersion = { ...this.dataVersion, timestamp: Date.now(), counter: this.dataVersion.counter + 1 };
    writePersisted(this.path, this.encode().toString('utf8'));
  }
}
