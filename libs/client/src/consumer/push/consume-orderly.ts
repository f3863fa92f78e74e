import { messageQueueKey, type MessageExt, type MessageQueue } from '@rocketts/protocol';
import {
  ConsumeOrderlyStatus,
  runOrderly,
  type ConsumeOrderlyContext,
  type OrderlyHandler,
} from './message-listener';
import type { ProcessQueue } from './process-queue';
import type { ConsumeService, PushContext } from './push-context';
import { markConsumeStart, resetRetryTopic } from './retry-topic';

/** Retry the lock of a queue whose lock is missing or stale this soon (tryLockLaterAndReconsume). */
const RELOCK_DELAY_MS = 100;
/** After a successful re-lock, consume again this soon. */
const AFTER_RELOCK_DELAY_MS = 10;
/** After a refused re-lock, try again this much later. */
const RELOCK_REFUSED_DELAY_MS = 3000; // 3 s

/** Locks one queue on its broker and marks its process queue (RebalanceImpl.lock). */
export type LockOne = (mq: MessageQueue) => Promise<boolean>;

/**
 * Orderly consumption (ConsumeMessageOrderlyService.java): per queue, one batch at a time in offset order.
 * A clustering consumer consumes a queue only while it holds the queue's broker lock and its local copy is
 * fresh (< 30 s). A failed batch is put back and retried after suspendCurrentQueueTimeMillis; a message
 * that failed maxReconsumeTimes times goes to the DLQ (Java retries orderly messages for ever — we do not)
 * and the queue moves on. Each batch takes a slot of the shared executor, so queues take turns.
 */
export class ConsumeOrderlyService implements ConsumeService {
  /** The batch each queue is running, so a release can wait for it before unlocking. */
  private readonly inFlight = new Map<ProcessQueue, Promise<void>>();

  constructor(
    private readonly ctx: PushContext,
    private readonly handler: OrderlyHandler,
    private readonly lockOne: LockOne,
  ) {}

  submit(_msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue, dispatchToConsume: boolean): void {
    if (dispatchToConsume) this.schedule(pq, mq, 0);
  }

  /** Resolves once the batch `pq` is running (if any) has finished. */
  whenBatchDone(pq: ProcessQueue): Promise<void> {
    return this.inFlight.get(pq) ?? Promise.resolve();
  }

  private schedule(pq: ProcessQueue, mq: MessageQueue, delayMs: number): void {
    const run = (): void => this.ctx.executor.submit(() => this.runOnce(pq, mq));
    if (delayMs === 0) run();
    else this.ctx.scheduler.later(delayMs, run);
  }

  /** One batch of ConsumeRequest.run; schedules the next one when the queue should go on. */
  private async runOnce(pq: ProcessQueue, mq: MessageQueue): Promise<void> {
    const { ctx } = this;
    if (pq.dropped || !ctx.isRunning()) return;
    if (ctx.clustering && (!pq.locked || pq.isLockExpired())) {
      ctx.logger.debug('queue lock missing or stale, locking again before consuming', {
        mq: messageQueueKey(mq),
      });
      ctx.scheduler.later(RELOCK_DELAY_MS, async () => {
        if (pq.dropped) return;
        const ok = await this.lockOne(mq);
        this.schedule(pq, mq, ok ? AFTER_RELOCK_DELAY_MS : RELOCK_REFUSED_DELAY_MS);
      });
      return;
    }
    const msgs = pq.takeMessages(ctx.config.consumeMessageBatchMaxSize);
    if (msgs.length === 0) return;
    let release: () => void = () => undefined;
    const batch = new Promise<void>((resolve) => (release = resolve));
    this.inFlight.set(pq, batch);
    try {
      await this.consume(msgs, pq, mq);
    } finally {
      // The next batch may already have started (schedule() runs it at once when a slot is free).
      if (this.inFlight.get(pq) === batch) this.inFlight.delete(pq);
      release();
    }
  }

  private async consume(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): Promise<void> {
    const { ctx } = this;
    resetRetryTopic(msgs, ctx.group);
    markConsumeStart(msgs);
    const context: ConsumeOrderlyContext = {
      messageQueue: mq,
      suspendCurrentQueueTimeMillis: ctx.config.suspendCurrentQueueTimeMillis,
    };
    const begin = Date.now();
    const { status, error } = await runOrderly(this.handler, msgs, context);
    ctx.stats.consumeRT(mq.topic, Date.now() - begin);
    pq.lastConsumeTimestamp = Date.now();
    if (error !== undefined) {
      ctx.logger.warn('orderly message handler failed', {
        group: ctx.group,
        mq: messageQueueKey(mq),
        msgIds: msgs.map((m) => m.msgId),
        reconsumeTimes: msgs.map((m) => m.reconsumeTimes),
        error,
      });
    }
    if (pq.dropped) return;
    const ok = status === ConsumeOrderlyStatus.SUCCESS;
    ctx.stats.consumed(mq.topic, ok ? msgs.length : 0, ok ? 0 : msgs.length);
    let commitOffset = -1;
    if (ok) {
      commitOffset = pq.commit();
    } else if (await this.retryInPlace(msgs, mq)) {
      pq.makeMessagesToConsumeAgain(msgs);
      const asked = context.suspendCurrentQueueTimeMillis;
      this.schedule(pq, mq, asked > 0 ? asked : ctx.config.suspendCurrentQueueTimeMillis);
      return;
    } else {
      commitOffset = pq.commit();
    }
    if (commitOffset >= 0 && !pq.dropped) ctx.offsetStore.updateOffset(mq, commitOffset, false);
    this.schedule(pq, mq, 0);
  }

  /**
   * checkReconsumeTimes: true when the batch must be tried again. A message that already failed
   * maxReconsumeTimes times is sent to the DLQ instead (the direct send to %RETRY% the broker routes to the
   * DLQ, as Java, else send-back with delayLevel −1); if that fails too it stays and is retried.
   * Broadcasting has no DLQ: such a message is dropped.
   */
  private async retryInPlace(msgs: MessageExt[], mq: MessageQueue): Promise<boolean> {
    const { ctx } = this;
    let again = false;
    for (const m of msgs) {
      if (m.reconsumeTimes >= ctx.config.maxReconsumeTimes) {
        if (!ctx.clustering) {
          ctx.logger.warn('broadcasting: orderly message failed maxReconsumeTimes times, dropped', {
            group: ctx.group,
            msgId: m.msgId,
          });
          continue;
        }
        if (await ctx.sendBack.sendToDlq(m, mq)) {
          ctx.logger.warn('orderly message failed maxReconsumeTimes times, sent to the DLQ', {
            group: ctx.group,
            mq: messageQueueKey(mq),
            msgId: m.msgId,
            reconsumeTimes: m.reconsumeTimes,
          });
          continue;
        }
      }
      again = true;
      m.setReconsumeTimes(m.reconsumeTimes + 1);
    }
    return again;
  }
}
