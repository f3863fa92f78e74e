import { messageQueueKey, type MessageQueue } from '@rocketts/protocol';
import { NO_OFFSET, ReadOffsetType, type ReadOffsetTypeValue } from './offset-store';

interface Entry {
  mq: MessageQueue;
  offset: number;
}

/** The in-memory part both offset stores share (their offsetTable of AtomicLongs). */
export class OffsetTable {
  private readonly entries = new Map<string, Entry>();
  /** Keys of the queue objects seen: consumers pass the same object per message, so the key is built once. */
  private readonly keys = new WeakMap<MessageQueue, string>();

  private keyOf(mq: MessageQueue): string {
    let key = this.keys.get(mq);
    if (key === undefined) {
      key = messageQueueKey(mq);
      this.keys.set(mq, key);
    }
    return key;
  }

  get(mq: MessageQueue): number {
    return this.entries.get(this.keyOf(mq))?.offset ?? NO_OFFSET;
  }

  /**
   * The memory half of OffsetStore.readOffset: the offset to answer without the store, or undefined when
   * the store must be read (READ_FROM_STORE, or MEMORY_FIRST_THEN_STORE with nothing in memory).
   */
  readCached(mq: MessageQueue, type: ReadOffsetTypeValue): number | undefined {
    if (type === ReadOffsetType.READ_FROM_STORE) return undefined;
    const inMemory = this.get(mq);
    return inMemory !== NO_OFFSET || type === ReadOffsetType.READ_FROM_MEMORY ? inMemory : undefined;
  }

  has(mq: MessageQueue): boolean {
    return this.entries.has(this.keyOf(mq));
  }

  /** MixAll.compareAndIncreaseOnly when `increaseOnly`: a lower offset never replaces a higher one. */
  update(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = this.keyOf(mq);
    const entry = this.entries.get(key);
    if (!entry) this.entries.set(key, { mq: { ...mq }, offset });
    else if (!increaseOnly || offset > entry.offset) entry.offset = offset;
  }

  remove(mq: MessageQueue): void {
    this.entries.delete(this.keyOf(mq));
  }

  list(topic?: string): [MessageQueue, number][] {
    const out: [MessageQueue, number][] = [];
    for (const { mq, offset } of this.entries.values()) {
      if (topic === undefined || mq.topic === topic) out.push([{ ...mq }, offset]);
    }
    return out;
  }
}
