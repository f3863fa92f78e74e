import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConsumeQueue } from './consume-queue';

/** Every consume queue of the store, under <root>/consumequeue/<topic>/<queueId>/ (as DefaultMessageStore.consumeQueueTable). */
export class ConsumeQueueTable {
  private readonly topics = new Map<string, Map<number, ConsumeQueue>>();
  /** Queues with units gathered in the current dispatch batch. */
  private readonly dirty = new Set<ConsumeQueue>();
  /** The queue put() found last, already in `dirty`: a batch's units go to one queue in a row. */
  private lastPut: ConsumeQueue | undefined;

  constructor(
    readonly dir: string,
    readonly fileSize: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  load(): void {
    for (const topic of readdirSync(this.dir)) {
      const topicDir = join(this.dir, topic);
      if (!statSync(topicDir).isDirectory()) continue;
      for (const q of readdirSync(topicDir)) {
        if (!/^\d+$/.test(q)) continue;
        const cq = this.findOrCreate(topic, Number(q));
        cq.load();
      }
    }
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.topics.get(topic)?.get(queueId);
  }

  findOrCreate(topic: string, queueId: number): ConsumeQueue {
    let byId = this.topics.get(topic);
    if (!byId) {
      byId = new Map();
      this.topics.set(topic, byId);
    }
    let cq = byId.get(queueId);
    if (!cq) {
      cq = new ConsumeQueue(this.dir, topic, queueId, this.fileSize);
      byId.set(queueId, cq);
    }
    return cq;
  }

  put(
    topic: string,
    queueId: number,
    cqOffset: number,
    commitLogOffset: number,
    size: number,
    tagsCode: number,
  ): void {
    const last = this.lastPut;
    const cq =
      last && last.queueId === queueId && last.topic === topic ? last : this.findOrCreate(topic, queueId);
    cq.put(cqOffset, commitLogOffset, size, tagsCode);
    if (cq !== last) {
      this.dirty.add(cq);
      this.lastPut = cq;
    }
  }

  /** Write every queue's pending units (checkpoint, end of recovery). */
  flushPendingWrites(): void {
    for (const cq of this.dirty) cq.flushPending();
    this.dirty.clear();
    this.lastPut = undefined;
  }

  all(): ConsumeQueue[] {
    const out: ConsumeQueue[] = [];
    for (const byId of this.topics.values()) out.push(...byId.values());
    return out;
  }

  async flushAll(): Promise<void> {
    this.flushPendingWrites();
    for (const cq of this.all()) await cq.flush();
  }

  truncateFrom(commitLogOffset: number): void {
    for (const cq of this.all()) cq.truncateFrom(commitLogOffset);
  }

  deleteExpired(minCommitLogOffset: number): number {
    let n = 0;
    for (const cq of this.all()) n += cq.deleteExpired(minCommitLogOffset);
    return n;
  }

  deleteTopic(topic: string): void {
    const byId = this.topics.get(topic);
    if (!byId) return;
    this.lastPut = undefined;
    for (const cq of byId.values()) {
      this.dirty.delete(cq);
      cq.destroy();
    }
    this.topics.delete(topic);
    const dir = join(this.dir, topic);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }

  close(): void {
    for (const cq of this.all()) cq.close();
  }
}
