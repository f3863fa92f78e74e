import type { MessageQueue } from '@rocketts/protocol';

/** Where readOffset looks (ReadOffsetType.java). */
export const ReadOffsetType = {
  /** The in-memory table only. */
  READ_FROM_MEMORY: 'READ_FROM_MEMORY',
  /** The broker (clustering) or the offsets file (broadcasting), refreshing memory. */
  READ_FROM_STORE: 'READ_FROM_STORE',
  /** Memory when known, else the store. */
  MEMORY_FIRST_THEN_STORE: 'MEMORY_FIRST_THEN_STORE',
} as const;

export type ReadOffsetTypeValue = (typeof ReadOffsetType)[keyof typeof ReadOffsetType];

/** "No offset stored for this queue": the consumer then applies consumeFromWhere. */
export const NO_OFFSET = -1;

/**
 * A push consumer's consume offsets (OffsetStore.java): the next offset to consume per queue, kept in
 * memory and persisted to the broker (clustering) or a local file (broadcasting).
 */
export interface OffsetStore {
  /** Read what is persisted locally (the file of a broadcasting consumer); a no-op for the broker store. */
  load(): Promise<void>;
  /** Set the in-memory offset; with `increaseOnly` a lower value is ignored. */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /**
   * The offset of `mq`, or NO_OFFSET when none is stored. READ_FROM_STORE throws when the store cannot be
   * asked (the caller retries later rather than guessing a start that could skip messages).
   */
  readOffset(mq: MessageQueue, type: ReadOffsetTypeValue): Promise<number>;
  /** Persist the offsets of `mqs`; offsets of queues not in `mqs` are no longer ours and are forgotten. */
  persistAll(mqs: readonly MessageQueue[]): Promise<void>;
  /** Persist one queue's offset now (a queue being released). */
  persist(mq: MessageQueue): Promise<void>;
  /** Forget a released queue's offset. */
  removeOffset(mq: MessageQueue): void;
  /** Copy of the in-memory table, optionally for one topic. */
  offsetTable(topic?: string): [MessageQueue, number][];
}
