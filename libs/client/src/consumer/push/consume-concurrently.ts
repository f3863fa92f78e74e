import { messageQueueKey, type MessageExt, type MessageQueue } from '@rocketts/protocol';
import {
  callConcurrently,
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
    const size = this.ctx.config.consumeMessageBatchMaxSize;
    if (msgs.length <= size) {
      this.ctx.executor.submit(() => this.consume(msgs, pq, mq));
      return;
    }
    for (let i = 0; i < msgs.length; i += size) {
      const batch = msgs.slice(i, i + size);
      this.ctx.executor.submit(() => this.consume(batch, pq, mq));
    }
  }

  /** Runs the handler; synchronous end to end when the handler is and it succeeds. */
  private consume(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void | Promise<void> {
    if (pq.dropped) return;
    if (isRetryTopic(mq.topic)) resetRetryTopic(msgs, this.ctx.group);
    markConsumeStart(msgs);
    const context: ConsumeConcurrentlyContext = { messageQueue: mq, delayLevelWhenNextConsume: 0 };
    const begin = Date.now();
    const outcome = callConcurrently(this.handler, msgs, context);
    if (outcome instanceof Promise) {
      return outcome.then((o) => this.finish(o, begin, context, msgs, pq, mq));
    }
    return this.finish(outcome, begin, context, msgs, pq, mq);
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
    if (status === ConsumeConcurrentlyStatus.CONSUME_SUCCESS) {
      ctx.stats.consumed(mq.topic, msgs.length, 0);
      return this.consumed(msgs, pq, mq);
    }
    return this.processFailure(context, msgs, pq, mq);
  }

  private consumed(msgs: readonly MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    const offset = pq.removeMessages(msgs);
    if (offset >= 0 && !pq.dropped) this.ctx.offsetStore.updateOffset(mq, offset, true);
  }

  /**
   * ConsumeMessageConcurrentlyService.processConsumeResult, failure branch: hand the messages back for
   * redelivery through %RETRY%; what could not be handed back is consumed again here later.
   */
  private async processFailure(
    context: ConsumeConcurrentlyContext,
    msgs: MessageExt[],
    pq: ProcessQueue,
    mq: MessageQueue,
  ): Promise<void> {
    const { ctx } = this;
    ctx.stats.consumed(mq.topic, 0, msgs.length);
    let done = msgs;
    if (!ctx.clustering) {
      // Broadcasting has no retry topic: a failed message is dropped, as in Java.
      ctx.logger.warn('broadcasting: message consumption failed, dropped', {
        group: ctx.group,
        msgIds: msgs.map((m) => m.msgId),
      });
    } else {
      const keep: MessageExt[] = [];
      for (const m of msgs) {
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
