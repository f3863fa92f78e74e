import { ConfigError } from '@rocketts/protocol';
import { readPersisted, writePersisted } from '../config/persisted-file';

/** KV namespace whose values are the orderTopicConf of routes, key = topic, "broker-a:4;broker-b:4". */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

/**
 * namespace → key → value, persisted after every change (as KVConfigManager). The file holds
 * KVConfigSerializeWrapper JSON, `{"configTable":{"ns":{"k":"v"}}}`, so a Java name server can read
 * ours and we read its. Writes go through writePersisted (temp file, fsync, rename, .bak): a crash leaves
 * either the old table or the new one, never half of each.
 */
export class KvConfigManager {
  private readonly configTable = new Map<string, Map<string, string>>();

  constructor(readonly path: string) {}

  /** Read the file if there is one; a missing file is an empty table, an unreadable one stops the start. */
  load(): void {
    let text: string | undefined;
    try {
      text = readPersisted(this.path);
    } catch (err) {
      throw new ConfigError('kvConfigPath', `cannot read ${this.path}: ${(err as Error).message}`);
    }
    if (text === undefined) return;
    let table: unknown;
    try {
      table = (JSON.parse(text) as { configTable?: unknown }).configTable;
    } catch (err) {
      throw new ConfigError('kvConfigPath', `${this.path} is not KV config JSON: ${(err as Error).message}`);
    }
    this.configTable.clear();
    for (const [ns, kv] of Object.entries(asObject(table, this.path))) {
      const entries = new Map<string, string>();
      for (const [k, v] of Object.entries(asObject(kv, this.path))) entries.set(k, String(v));
      if (entries.size > 0) this.configTable.set(ns, entries);
    }
  }

  /** Throws when the file cannot be written; the table is then left as it was. */
  put(namespace: string, key: string, value: string): void {
    const previous = this.get(namespace, key);
    this.set(namespace, key, value);
    this.persistOrUndo(() =>
      previous === undefined ? this.remove(namespace, key) : this.set(namespace, key, previous),
    );
  }

  get(namespace: string, key: string): string | undefined {
    return this.configTable.get(namespace)?.get(key);
  }

  /** Returns whether the key existed; only a real removal rewrites the file. */
  delete(namespace: string, key: string): boolean {
    const previous = this.get(namespace, key);
    if (previous === undefined) return false;
    this.remove(namespace, key);
    this.persistOrUndo(() => this.set(namespace, key, previous));
    return true;
  }

  /** The namespace as a plain object for a KVTable body; undefined when it has no keys. */
  getKvListByNamespace(namespace: string): Record<string, string> | undefined {
    const kv = this.configTable.get(namespace);
    return kv && kv.size > 0 ? Object.fromEntries(kv) : undefined;
  }

  get namespaceCount(): number {
    return this.configTable.size;
  }

  private set(namespace: string, key: string, value: string): void {
    let kv = this.configTable.get(namespace);
    if (!kv) {
      kv = new Map();
      this.configTable.set(namespace, kv);
    }
    kv.set(key, value);
  }

  private remove(namespace: string, key: string): void {
    const kv = this.configTable.get(namespace);
    kv?.delete(key);
    if (kv?.size === 0) this.configTable.delete(namespace);
  }

  private persistOrUndo(undo: () => void): void {
    try {
      this.persist();
    } catch (err) {
      undo();
      throw err;
    }
  }

  private persist(): void {
    const configTable: Record<string, Record<string, string>> = {};
    for (const [ns, kv] of this.configTable) configTable[ns] = Object.fromEntries(kv);
    writePersisted(this.path, JSON.stringify({ configTable }, null, 2) + '\n');
  }
}

function asObject(v: unknown, path: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError('kvConfigPath', `${path}: configTable is not an object`);
  return v as Record<string, unknown>;
}
