import { messageQueueKey, type MessageQueue } from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import type { Logger } from '../../logger';
import { queryConsumerOffset, updateConsumerOffset } from '../offset-requests';
import { NO_OFFSET, type OffsetStore, type ReadOffsetTypeValue } from './offset-store';
import { OffsetTable } from './offset-table';

/** The broker address offsets of a queue go to: its master, else any replica (§13). */
export type OffsetAddrResolver = (mq: MessageQueue) => Promise<string>;

/**
 * Offsets of a clustering consumer, kept on the broker of each queue (RemoteBrokerOffsetStore.java). The
 * broker answers QUERY_NOT_FOUND for a group that never committed: that is NO_OFFSET. Any other failure is
 * thrown, so a queue is not started from a guessed position.
 */
export class RemoteBrokerOffsetStore implements OffsetStore {
  private readonly table = new OffsetTable();
  /** Value last sent per queue: unchanged offsets are not sent again every round. */
  private readonly persisted = new Map<string, number>();

  constructor(
    private readonly instance: ClientInstance,
    private readonly group: string,
    private readonly addrOf: OffsetAddrResolver,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {}

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.table.update(mq, offset, increaseOnly);
  }

  async readOffset(mq: MessageQueue, type: ReadOffsetTypeValue): Promise<number> {
    const cached = this.table.readCached(mq, type);
    if (cached !== undefined) return cached;
    const offset = await queryConsumerOffset(this.instance, await this.addrOf(mq), this.group, mq);
    if (offset !== NO_OFFSET) {
      this.table.update(mq, offset, false);
      this.persisted.set(messageQueueKey(mq), offset);
    }
    return offset;
  }

  async persistAll(mqs: readonly MessageQueue[]): Promise<void> {
    const wanted = new Set(mqs.map(messageQueueKey));
    const sends: Promise<void>[] = [];
    for (const [mq, offset] of this.table.list()) {
      if (!wanted.has(messageQueueKey(mq))) {
        this.removeOffset(mq);
        continue;
      }
      if (this.persisted.get(messageQueueKey(mq)) !== offset) sends.push(this.send(mq, offset));
    }
    await Promise.all(sends);
  }

  async persist(mq: MessageQueue): Promise<void> {
    const offset = this.table.get(mq);
    if (offset !== NO_OFFSET) await this.send(mq, offset);
  }

  removeOffset(mq: MessageQueue): void {
    this.table.remove(mq);
    this.persisted.delete(messageQueueKey(mq));
  }

  offsetTable(topic?: string): [MessageQueue, number][] {
    return this.table.list(topic);
  }

  /** UPDATE_CONSUMER_OFFSET, awaited; a failure is logged and the next round sends again. */
  private async send(mq: MessageQueue, offset: number): Promise<void> {
    try {
      await updateConsumerOffset(this.instance, await this.addrOf(mq), this.group, mq, offset);
      this.persisted.set(messageQueueKey(mq), offset);
    } catch (err) {
      this.logger.warn('persisting consumer offset failed', {
        group: this.group,
        mq: messageQueueKey(mq),
        offset,
        error: err,
      });
    }
  }
}
