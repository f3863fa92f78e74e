import { messageQueueKey, type MessageExt, type MessageQueue } from '@rocketts/protocol';
import {
  ACK_ALL,
  callConcurrently,
  CONSUMED_OK,
  ConsumeConcurrentlyStatus,
  type ConcurrentlyHandler,
  type ConcurrentlyOutcome,
  type ConsumeConcurrentlyContext,
} from './message-listener';
import type { ProcessQueue } from './process-queue';
import type { ConsumeService, PushContext } from './push-context';
import { isRetryTopic, markConsumeStart, resetRetryTopic } from './retry-topic';

/**
 * Messages whose send-back and fallback both failed are consumed again locally after this long
 * (ConsumeMessageConcurrentlyService.submitConsumeRequestLater).
 */
export const CONSUME_LATER_DELAY_MS = 5000; // 5 s
/** Expired messages handed back per queue and sweep (ProcessQueue.cleanExpiredMsg looks at 16). */
const EXPIRED_PER_SWEEP = 16;
/** Delay level of an expired message's redelivery (cleanExpiredMsg sends back with level 3, 10 s). */
const EXPIRED_DELAY_LEVEL = 3;

/**
 * Concurrent consumption (ConsumeMessageConcurrentlyService.java): each pulled batch is cut into handler
 * calls of consumeMessageBatchMaxSize messages, run on the shared executor in any order. A message leaves
 * its process queue — letting the committed offset pass it — only once its handler succeeded, or once a
 * failed message was handed back to the broker for redelivery through %RETRY%.
 */
export class ConsumeConcurrentlyService implements ConsumeService {
  constructor(
    private readonly ctx: PushContext,
    private readonly handler: ConcurrentlyHandler,
  ) {}

  submit(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    this.ctx.executor.submit(() => this.consumeFrom(msgs, 0, pq, mq));
  }

  /**
   * Handler calls of consumeMessageBatchMaxSize messages over msgs[from…], one after another while each
   * returns synchronously and succeeds — those are settled together (one offset update, one stats update).
   * The first call that goes asynchronous or fails is finished on its own and the messages after it are
   * queued as a new task, so asynchronous handlers still run up to `concurrency` at once.
   */
  private consumeFrom(
    msgs: MessageExt[],
    from: number,
    pq: ProcessQueue,
    mq: MessageQueue,
  ): void | Promise<void> {
    if (pq.dropped) return;
    const size = this.ctx.config.consumeMessageBatchMaxSize;
    const retry = isRetryTopic(mq.topic);
    const begin = Date.now();
    let i = from;
    while (i < msgs.length) {
      const batch = size === 1 ? [msgs[i] as MessageExt] : msgs.slice(i, i + size);
      if (retry) resetRetryTopic(batch, this.ctx.group);
      markConsumeStart(batch, begin);
      const context: ConsumeConcurrentlyContext = {
        messageQueue: mq,
        delayLevelWhenNextConsume: 0,
        ackIndex: ACK_ALL,
      };
      const callBegin = Date.now();
      const outcome = callConcurrently(this.handler, batch, context);
      if (outcome === CONSUMED_OK && context.ackIndex >= batch.length - 1) {
        i += batch.length;
        continue;
      }
      this.settleConsumed(msgs, from, i, begin, pq, mq);
      const rest = i + batch.length;
      if (rest < msgs.length) this.ctx.executor.submit(() => this.consumeFrom(msgs, rest, pq, mq));
      if (outcome instanceof Promise) {
        return outcome.then((o) => this.finish(o, callBegin, context, batch, pq, mq));
      }
      return this.finish(outcome, callBegin, context, batch, pq, mq);
    }
    this.settleConsumed(msgs, from, i, begin, pq, mq);
  }

  /** msgs[from, to) were consumed synchronously and successfully. */
  private settleConsumed(
    msgs: MessageExt[],
    from: number,
    to: number,
    begin: number,
    pq: ProcessQueue,
    mq: MessageQueue,
  ): void {
    if (to <= from) return;
    const now = Date.now();
    const size = this.ctx.config.consumeMessageBatchMaxSize;
    this.ctx.stats.consumeRT(mq.topic, now - begin, Math.ceil((to - from) / size));
    this.ctx.stats.consumed(mq.topic, to - from, 0);
    pq.lastConsumeTimestamp = now;
    if (pq.dropped) return;
    this.consumed(from === 0 && to === msgs.length ? msgs : msgs.slice(from, to), pq, mq);
  }

  private finish(
    { status, error }: ConcurrentlyOutcome,
    begin: number,
    context: ConsumeConcurrentlyContext,
    msgs: MessageExt[],
    pq: ProcessQueue,
    mq: MessageQueue,
  ): void | Promise<void> {
    const { ctx } = this;
    const now = Date.now();
    ctx.stats.consumeRT(mq.topic, now - begin);
    pq.lastConsumeTimestamp = now;
    if (error !== undefined) {
      ctx.logger.warn('message handler failed', {
        group: ctx.group,
        mq: messageQueueKey(mq),
        msgIds: msgs.map((m) => m.msgId),
        error,
      });
    }
    // A queue released meanwhile belongs to another member now: its result must not move our offset.
    if (pq.dropped) return;
    // processConsumeResult: success acknowledges messages 0…ackIndex, a failure none.
    const acked =
      status === ConsumeConcurrentlyStatus.CONSUME_SUCCESS
        ? Math.max(0, Math.min(Math.floor(context.ackIndex) + 1, msgs.length))
        : 0;
    if (acked === msgs.length) {
      ctx.stats.consumed(mq.topic, msgs.length, 0);
      return this.consumed(msgs, pq, mq);
    }
    return this.processFailure(context, msgs, acked, pq, mq);
  }

  /**
   * ConsumeMessageConcurrentlyService.cleanExpireMsg, every consumeTimeout: a queue's lowest message whose
   * handler started longer than consumeTimeout ago is handed back (CONSUMER_SEND_MSG_BACK, level 3) and
   * removed, so one hung handler cannot hold the queue's offset for ever. The handler is not stopped; if
   * it finishes later its result changes nothing (the message may then be consumed twice, at least once).
   */
  async cleanExpired(queues: readonly [MessageQueue, ProcessQueue][], now = Date.now()): Promise<number> {
    const timeout = this.ctx.config.consumeTimeoutMs;
    let expired = 0;
    for (const [mq, pq] of queues) {
      for (let i = 0; i < EXPIRED_PER_SWEEP && !pq.dropped; i++) {
        const m = pq.firstWaiting();
        const started = m?.consumeStartTimestamp ?? 0;
        if (!m || started === 0 || now - started <= timeout) break;
        // Broadcasting has no retry topic: as with a failure there, the message is dropped.
        if (this.ctx.clustering && !(await this.ctx.sendBack.sendBack(m, EXPIRED_DELAY_LEVEL, mq))) break;
        this.ctx.logger.warn(
          this.ctx.clustering
            ? 'handler ran longer than consumeTimeout; message handed back for redelivery'
            : 'broadcasting: handler ran longer than consumeTimeout; message dropped',
          {
            group: this.ctx.group,
            mq: messageQueueKey(mq),
            msgId: m.msgId,
            queueOffset: m.queueOffset,
            runningMs: now - started,
          },
        );
        expired++;
        if (pq.firstWaiting() === m) this.consumed([m], pq, mq);
      }
    }
    return expired;
  }

  private consumed(msgs: readonly MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    const offset = pq.removeMessages(msgs);
    if (offset >= 0 && !pq.dropped) this.ctx.offsetStore.updateOffset(mq, offset, true);
  }

  /**
   * ConsumeMessageConcurrentlyService.processConsumeResult, failure branch: the first `acked` messages were
   * consumed; the others are handed back for redelivery through %RETRY%, and what could not be handed
   * back is consumed again here later.
   */
  private async processFailure(
    context: ConsumeConcurrentlyContext,
    msgs: MessageExt[],
    acked: number,
    pq: ProcessQueue,
    mq: MessageQueue,
  ): Promise<void> {
    const { ctx } = this;
    const failed = acked === 0 ? msgs : msgs.slice(acked);
    ctx.stats.consumed(mq.topic, acked, failed.length);
    let done = msgs;
    if (!ctx.clustering) {
      // Broadcasting has no retry topic: a failed message is dropped, as in Java.
      ctx.logger.warn('broadcasting: message consumption failed, dropped', {
        group: ctx.group,
        msgIds: failed.map((m) => m.msgId),
      });
    } else {
      const keep: MessageExt[] = [];
      for (const m of failed) {
        if (!(await ctx.sendBack.sendBack(m, context.delayLevelWhenNextConsume, mq))) {
          m.setReconsumeTimes(m.reconsumeTimes + 1);
          keep.push(m);
        }
      }
      if (keep.length > 0) {
        done = msgs.filter((m) => !keep.includes(m));
        ctx.scheduler.later(CONSUME_LATER_DELAY_MS, () => {
          if (!pq.dropped) this.submit(keep, pq, mq);
        });
      }
    }
    this.consumed(done, pq, mq);
  }
}
