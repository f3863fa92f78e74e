import { findProperty, MessageProperty, SystemTopic } from '@rocketts/protocol';
import type { ConsumeQueueTable } from '../consume-queue/consume-queue-table';
import type { IndexService } from '../index/index-service';
import { isConsumable, type DispatchRequest } from './dispatch-request';

/**
 * Feeds appended records to the consume queues and the index, then tells listeners (long polling)
 * that messages arrived (DefaultMessageStore.ReputMessageService). The commit log calls it once per
 * written batch, in order; recovery calls it for every record it re-reads.
 */
/**
 * The consume-queue tagsCode of a SCHEDULE_TOPIC_XXXX record: its delivery time, from its DELAY
 * property and store time. Computed at dispatch, live and in recovery alike, as
 * CommitLog.checkMessageAndReturnSize does, so a rebuilt unit equals the one first written.
 */
export type ScheduleDeliverTime = (properties: string, storeTimestamp: number) => number;

export class ReputService {
  /** Commit-log offset just past the last dispatched record. */
  dispatchedOffset = 0;
  private readonly listeners: ((req: DispatchRequest) => void)[] = [];

  constructor(
    private readonly queues: ConsumeQueueTable,
    private readonly index: IndexService,
    private readonly scheduleDeliverTime?: ScheduleDeliverTime,
  ) {}

  onMessageArrived(listener: (req: DispatchRequest) => void): void {
    this.listeners.push(listener);
  }

  dispatchBatch(batch: readonly DispatchRequest[]): void {
    for (const req of batch) this.apply(req, true, true);
    if (this.listeners.length === 0) return;
    for (const req of batch) {
      if (!isConsumable(req.sysFlag)) continue;
      for (const l of this.listeners) l(req);
    }
  }

  /** Recovery: rebuild what is missing from `cqFrom` (queues) and `indexFrom` (index); no listeners. */
  redispatch(req: DispatchRequest, cqFrom: number, indexFrom: number): void {
    this.apply(req, req.commitLogOffset >= cqFrom, req.commitLogOffset >= indexFrom);
  }

  finishRedispatch(): void {
    this.queues.flushPendingWrites();
  }

  private apply(req: DispatchRequest, toQueue: boolean, toIndex: boolean): void {
    if (toQueue && isConsumable(req.sysFlag)) {
      if (req.topic === SystemTopic.SCHEDULE && this.scheduleDeliverTime)
        req.tagsCode = this.scheduleDeliverTime(req.properties, req.storeTimestamp);
      else if (req.topic === SystemTopic.TIMER) req.tagsCode = timerOutMs(req.properties);
      this.queues.put(
        req.topic,
        req.queueId,
        req.consumeQueueOffset,
        req.commitLogOffset,
        req.msgSize,
        req.tagsCode,
      );
    }
    if (toIndex) this.index.build(req);
    this.dispatchedOffset = Math.max(this.dispatchedOffset, req.commitLogOffset + req.msgSize);
  }
}

/** A rmq_sys_wheel_timer unit's tagsCode: the absolute delivery time the put hook wrote as TIMER_OUT_MS. */
function timerOutMs(properties: string): number {
  const ms = Number(findProperty(properties, MessageProperty.TIMER_OUT_MS));
  return Number.isSafeInteger(ms) ? ms : 0;
}
