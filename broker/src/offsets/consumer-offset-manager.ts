import { join } from 'node:path';
import { optObj, parseJavaJson, stringifyJavaJson } from '@rocketts/protocol';
import { readPersisted, writePersistedAsync } from '../config/persisted-file';

/**
 * Committed consumer offsets, "topic@group" → queueId → next offset to consume
 * (ConsumerOffsetManager.java), persisted to <store>/config/consumerOffset.json every
 * `flushConsumerOffsetInterval` and at shutdown. Pull offsets are kept in memory only.
 */
export class ConsumerOffsetManager {
  private readonly offsets = new Map<string, Map<number, number>>();
  private readonly pullOffsets = new Map<string, Map<number, number>>();
  private readonly path: string;
  private dirty = false;
  private writing: Promise<void> | undefined;

  constructor(storeRootDir: string) {
    this.path = join(storeRootDir, 'config', 'consumerOffset.json');
  }

  load(): void {
    const text = readPersisted(this.path);
    if (!text) return;
    const table = optObj(optObj(parseJavaJson(text), 'consumerOffset.json').offsetTable, 'offsetTable');
    for (const [key, byQueue] of Object.entries(table)) {
      const m = new Map<number, number>();
      for (const [q, off] of Object.entries(optObj(byQueue, key))) m.set(Number(q), Number(off));
      this.offsets.set(key, m);
    }
  }

  /** Stored offset, or -1 when the group never committed one for this queue. */
  query(group: string, topic: string, queueId: number): number {
    return this.offsets.get(`${topic}@${group}`)?.get(queueId) ?? -1;
  }

  commit(group: string, topic: string, queueId: number, offset: number): void {
    const key = `${topic}@${group}`;
    let m = this.offsets.get(key);
    if (!m) {
      m = new Map();
      this.offsets.set(key, m);
    }
    if (m.get(queueId) !== offset) {
      m.set(queueId, offset);
      this.dirty = true;
    }
  }

  commitPullOffset(group: string, topic: string, queueId: number, offset: number): void {
    const key = `${topic}@${group}`;
    let m = this.pullOffsets.get(key);
    if (!m) {
      m = new Map();
      this.pullOffsets.set(key, m);
    }
    m.set(queueId, offset);
  }

  queryPullOffset(group: string, topic: string, queueId: number): number {
    return this.pullOffsets.get(`${topic}@${group}`)?.get(queueId) ?? -1;
  }

  offsetsOf(group: string, topic: string): Map<number, number> {
    return new Map(this.offsets.get(`${topic}@${group}`) ?? []);
  }

  /** Topics the group has committed offsets for (whichTopicByConsumer). */
  topicsOf(group: string): string[] {
    const out: string[] = [];
    for (const key of this.offsets.keys()) {
      const at = key.indexOf('@');
      if (key.slice(at + 1) === group) out.push(key.slice(0, at));
    }
    return out;
  }

  /** Committed and pull offsets of every group for `topic` (a deleted topic's progress goes with it). */
  removeTopic(topic: string): void {
    for (const table of [this.offsets, this.pullOffsets])
      for (const key of [...table.keys()]) if (key.startsWith(`${topic}@`)) table.delete(key);
    this.dirty = true;
  }

  /** Committed and pull offsets of `group` on every topic (DELETE_SUBSCRIPTIONGROUP with cleanOffset). */
  removeGroup(group: string): void {
    // Topic names cannot hold '@', so the group is everything after the first one.
    for (const table of [this.offsets, this.pullOffsets])
      for (const key of [...table.keys()]) if (key.slice(key.indexOf('@') + 1) === group) table.delete(key);
    this.dirty = true;
  }

  /** Body of GET_ALL_CONSUMER_OFFSET and the persisted file: `{"offsetTable":{"t@g":{0:5}}}`. */
  encode(): Buffer {
    const table = new Map<string, Map<number, number>>(this.offsets);
    return Buffer.from(stringifyJavaJson({ offsetTable: table }), 'utf8');
  }

  /** Write the offsets if they changed (or `force`), one write at a time, without blocking the event loop. */
  async persist(force = false): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty && !force) return;
    this.dirty = false;
    const write = writePersistedAsync(this.path, this.encode().toString('utf8'));
    this.writing = write.then(
      () => undefined,
      () => undefined,
    );
    try {
      await write;
    } finally {
      this.writing = undefined;
    }
  }
}
