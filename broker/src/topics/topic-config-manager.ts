import { join } from 'node:path';
import type { Logger } from '@rocketts/client';
import {
  decodeTopicConfigWrapper,
  encodeTopicConfigWrapper,
  isInherited,
  parseJavaJson,
  Perm,
  SystemTopic,
  topicConfig,
  type DataVersion,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
} from '@rocketts/protocol';
import { readPersisted, writePersisted } from '../config/persisted-file';

export interface TopicConfigManagerOptions {
  storeRootDir: string;
  autoCreateTopicEnable: boolean;
  defaultTopicQueueNums: number;
  logger: Logger;
  /** Called after any change, so the broker re-registers with the name servers. */
  onChange: () => void;
}

/** Topics this broker serves, persisted to <store>/config/topics.json (TopicConfigManager.java). */
export class TopicConfigManager {
  private readonly table = new Map<string, TopicConfig>();
  private dataVersion: DataVersion = { timestamp: Date.now(), counter: 0, stateVersion: 0 };
  private readonly path: string;

  constructor(private readonly options: TopicConfigManagerOptions) {
    this.path = join(options.storeRootDir, 'config', 'topics.json');
  }

  load(): void {
    const text = readPersisted(this.path);
    if (text) {
      const w = decodeTopicConfigWrapper(parseJavaJson(text));
      for (const [name, tc] of Object.entries(w.topicConfigTable)) this.table.set(name, tc);
      this.dataVersion = w.dataVersion;
    }
    // TBW102 is the auto-create template: inherit + read + write, as BrokerController does at start.
    if (this.options.autoCreateTopicEnable && !this.table.has(SystemTopic.AUTO_CREATE)) {
      const n = this.options.defaultTopicQueueNums;
      this.put(
        topicConfig(SystemTopic.AUTO_CREATE, {
          readQueueNums: n,
          writeQueueNums: n,
          perm: Perm.INHERIT | Perm.READ | Perm.WRITE,
        }),
        false,
      );
    }
  }

  get(topic: string): TopicConfig | undefined {
    return this.table.get(topic);
  }

  all(): TopicConfig[] {
    return [...this.table.values()];
  }

  get version(): DataVersion {
    return this.dataVersion;
  }

  /** Create or replace a topic (UPDATE_AND_CREATE_TOPIC). */
  update(tc: TopicConfig): void {
    this.put(tc, true);
  }

  delete(topic: string): boolean {
    if (!this.table.delete(topic)) return false;
    this.changed(true);
    return true;
  }

  /**
   * Create `topic` on first send from the template `defaultTopic` (createTopicInSendMessageMethod):
   * only if the template exists here and may be inherited; queues = min(requested, template's).
   */
  createFromTemplate(
    topic: string,
    defaultTopic: string,
    requestedQueueNums: number,
    topicSysFlag = 0,
  ): TopicConfig | undefined {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const template = this.table.get(defaultTopic);
    if (!template || !isInherited(template.perm)) return undefined;
    if (defaultTopic === SystemTopic.AUTO_CREATE && !this.options.autoCreateTopicEnable) return undefined;
    const n = Math.max(1, Math.min(requestedQueueNums, template.writeQueueNums));
    const tc = topicConfig(topic, {
      readQueueNums: n,
      writeQueueNums: n,
      perm: template.perm & ~Perm.INHERIT,
      topicFilterType: template.topicFilterType,
      topicSysFlag,
    });
    this.options.logger.info('auto-created topic', { topic, from: defaultTopic, queues: n });
    this.put(tc, true);
    return tc;
  }

  /** Create an internal topic (retry topics on heartbeat, later system topics) if missing. */
  ensure(topic: string, queueNums: number, perm: number, topicSysFlag = 0): TopicConfig {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const tc = topicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm,
      topicSysFlag,
    });
    this.put(tc, true);
    return tc;
  }

  serializeWrapper(): TopicConfigSerializeWrapper {
    return { topicConfigTable: Object.fromEntries(this.table), dataVersion: this.dataVersion };
  }

  private put(tc: TopicConfig, notify: boolean): void {
    this.table.set(tc.topicName, tc);
    this.changed(notify);
  }

  private changed(notify: boolean): void {
    this.dataVersion = {
      timestamp: Date.now(),
      counter: this.dataVersion.counter + 1,
      stateVersion: this.dataVersion.stateVersion,
    };
    writePersisted(this.path, encodeTopicConfigWrapper(this.serializeWrapper()).toString('utf8'));
    if (notify) this.options.onChange();
  }
}
