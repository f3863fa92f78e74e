import {
  buildPullSysFlag,
  isResponseCode,
  messageQueueKey,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type MessageQueue,
} from '@rocketts/protocol';
import { MASTER_ID } from '../../route/topic-publish-info';
import { ReadOffsetType } from '../offset-store/offset-store';
import { processPullResponse, PullStatus, type PullResult } from '../pull-result';
import type { ConsumeService, PullRequest, PushContext } from './push-context';

/** How long the broker may hold a pull that finds nothing (BROKER_SUSPEND_MAX_TIME_MILLIS). */
export const BROKER_SUSPEND_MAX_TIME_MS = 15_000; // 15 s
/** Socket timeout of a held pull (CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND): longer than the hold. */
export const CONSUMER_TIMEOUT_WHEN_SUSPEND_MS = 30_000; // 30 s
/** Pause of a queue over a flow-control threshold (PULL_TIME_DELAY_MILLS_WHEN_FLOW_CONTROL). */
export const PULL_DELAY_WHEN_FLOW_CONTROL_MS = 50;
/** Pause after a failed pull or while an orderly queue is not locked (PULL_TIME_DELAY_MILLS_WHEN_EXCEPTION). */
export const PULL_DELAY_WHEN_EXCEPTION_MS = 3000; // 3 s

const PULL_ACCEPTED_CODES: readonly number[] = [
  ResponseCode.SUCCESS,
  ResponseCode.PULL_NOT_FOUND,
  ResponseCode.PULL_RETRY_IMMEDIATELY,
  ResponseCode.PULL_OFFSET_MOVED,
];

/** What the pull loop needs from the rest of the consumer. */
export interface PullHooks {
  consume: ConsumeService;
  /** PULL_OFFSET_MOVED: adopt `nextOffset` for the queue and restart it. */
  offsetMoved(req: PullRequest, nextOffset: number): void;
  /** Starting offset of a queue (orderly re-reads it once locked). */
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  /** The broker does not know our subscription (new broker, restarted broker): heartbeat it now. */
  subscriptionMissing(addr: string): void;
}

/**
 * One long-polling pull loop per assigned queue (PullMessageService + DefaultMQPushConsumerImpl.pullMessage):
 * flow control first, then PULL_MESSAGE with the commit offset piggy-backed, then the next pull as soon as
 * the answer is handled. A dropped process queue ends its loop.
 */
export class PullService {
  /** Broker id each queue should be pulled from next, as the broker suggested. */
  private readonly pullFromWhichNode = new Map<string, number>();
  /**
   * Pulls due now, started together in one callback: their requests reach the socket in the same tick
   * and leave in one write.
   */
  private ready: PullRequest[] = [];
  private readonly runReady = (): void => {
    const batch = this.ready;
    this.ready = [];
    for (const req of batch) void this.run(req);
  };

  constructor(
    private readonly ctx: PushContext,
    private readonly hooks: PullHooks,
  ) {}

  executeNow(req: PullRequest): void {
    if (!this.ctx.isRunning() || req.pq.dropped) return;
    this.ready.push(req);
    if (this.ready.length === 1) setImmediate(this.runReady);
  }

  executeLater(req: PullRequest, delayMs: number): void {
    this.ctx.scheduler.later(delayMs, () => this.run(req));
  }

  /** One pull; an unexpected failure is logged and the queue's loop goes on after a pause. */
  private run(req: PullRequest): Promise<void> {
    return this.pull(req).catch((err: unknown) => {
      this.ctx.logger.error('pull loop failed, retrying later', { mq: messageQueueKey(req.mq), error: err });
      this.executeLater(req, PULL_DELAY_WHEN_EXCEPTION_MS);
    });
  }

  private async pull(req: PullRequest): Promise<void> {
    const { ctx } = this;
    const { pq, mq } = req;
    if (pq.dropped || !ctx.isRunning()) return;
    pq.lastPullTimestamp = Date.now();
    const cfg = ctx.config;
    if (pq.msgCount > cfg.pullThresholdForQueue || pq.msgSizeInMiB > cfg.pullThresholdSizeForQueueMiB) {
      ctx.logger.debug('flow control: too many unconsumed messages in the queue', {
        mq: messageQueueKey(mq),
        count: pq.msgCount,
        sizeMiB: pq.msgSizeInMiB,
      });
      return this.executeLater(req, PULL_DELAY_WHEN_FLOW_CONTROL_MS);
    }
    if (!ctx.listener.orderly) {
      if (pq.maxSpan > cfg.consumeConcurrentlyMaxSpan) {
        ctx.logger.debug('flow control: unconsumed offsets too far apart', {
          mq: messageQueueKey(mq),
          span: pq.maxSpan,
        });
        return this.executeLater(req, PULL_DELAY_WHEN_FLOW_CONTROL_MS);
      }
    } else if (ctx.clustering) {
      if (!pq.locked) return this.executeLater(req, PULL_DELAY_WHEN_EXCEPTION_MS);
      if (!req.previouslyLocked) {
        // The previous owner may have committed after we chose our start: read the offset again.
        try {
          req.nextOffset = await this.hooks.computePullFromWhere(mq);
        } catch (err) {
          ctx.logger.warn('reading the offset of a newly locked queue failed', {
            mq: messageQueueKey(mq),
            error: err,
          });
          return this.executeLater(req, PULL_DELAY_WHEN_EXCEPTION_MS);
        }
        req.previouslyLocked = true;
        if (pq.dropped) return;
      }
    }
    const sub = ctx.subscription(mq.topic);
    if (!sub) return this.executeLater(req, PULL_DELAY_WHEN_EXCEPTION_MS);
    const commitOffset = ctx.clustering
      ? await ctx.offsetStore.readOffset(mq, ReadOffsetType.READ_FROM_MEMORY)
      : 0;
    const header = PullMessageRequestHeader.encode({
      consumerGroup: ctx.group,
      topic: mq.topic,
      queueId: mq.queueId,
      queueOffset: req.nextOffset,
      maxMsgNums: cfg.pullBatchSize,
      sysFlag: buildPullSysFlag(commitOffset > 0, true, false, false),
      commitOffset: Math.max(commitOffset, 0),
      suspendTimeoutMillis: BROKER_SUSPEND_MAX_TIME_MS,
      subscription: sub.subString,
      subVersion: sub.subVersion,
      expressionType: sub.expressionType,
    });
    let addr = '';
    let result: PullResult;
    const begin = Date.now();
    try {
      addr = await this.pullAddrOf(mq);
      const resp = await ctx.instance.invoke(
        addr,
        ctx.instance.request(RequestCode.PULL_MESSAGE, header),
        CONSUMER_TIMEOUT_WHEN_SUSPEND_MS,
        PULL_ACCEPTED_CODES,
      );
      const processed = processPullResponse(resp, addr, sub);
      this.pullFromWhichNode.set(messageQueueKey(mq), processed.suggestWhichBrokerId);
      result = processed.result;
    } catch (err) {
      this.pullFromWhichNode.delete(messageQueueKey(mq));
      if (!ctx.isRunning() || pq.dropped) return;
      if (
        isResponseCode(err, ResponseCode.SUBSCRIPTION_NOT_EXIST) ||
        isResponseCode(err, ResponseCode.SUBSCRIPTION_NOT_LATEST)
      ) {
        this.hooks.subscriptionMissing(addr);
      }
      ctx.logger.warn('pull failed, retrying later', { mq: messageQueueKey(mq), addr, error: err });
      return this.executeLater(req, PULL_DELAY_WHEN_EXCEPTION_MS);
    }
    ctx.stats.pulled(mq.topic, Date.now() - begin);
    if (pq.dropped || !ctx.isRunning()) return;
    this.handleResult(req, result);
  }

  /** PullCallback.onSuccess. */
  private handleResult(req: PullRequest, result: PullResult): void {
    const { pq, mq } = req;
    switch (result.status) {
      case PullStatus.FOUND:
        req.nextOffset = result.nextBeginOffset;
        // The next pull is scheduled first, so it is on the wire while these messages are consumed.
        this.executeNow(req);
        if (result.messages.length > 0) {
          const dispatch = pq.putMessages(result.messages);
          this.hooks.consume.submit(result.messages, pq, mq, dispatch);
        }
        return;
      case PullStatus.NO_NEW_MSG:
      case PullStatus.NO_MATCHED_MSG:
        req.nextOffset = result.nextBeginOffset;
        // correctTagsOffset: with nothing waiting, filtered-out or absent messages need no consuming.
        if (pq.msgCount === 0) this.ctx.offsetStore.updateOffset(mq, req.nextOffset, true);
        return this.executeNow(req);
      case PullStatus.OFFSET_ILLEGAL:
        this.ctx.logger.warn('pull offset illegal, restarting the queue from the broker’s offset', {
          mq: messageQueueKey(mq),
          requested: req.nextOffset,
          next: result.nextBeginOffset,
          minOffset: result.minOffset,
          maxOffset: result.maxOffset,
        });
        pq.dropped = true;
        this.hooks.offsetMoved(req, result.nextBeginOffset);
        return;
    }
  }

  /** The suggested broker of the queue if known, else its master, else any replica. */
  private async pullAddrOf(mq: MessageQueue): Promise<string> {
    const routes = this.ctx.instance.routes;
    const wanted = this.pullFromWhichNode.get(messageQueueKey(mq)) ?? MASTER_ID;
    const find = (): string | undefined =>
      routes.findBrokerAddr(mq.brokerName, wanted) ?? routes.findAnyAddr(mq.brokerName);
    return find() ?? routes.resolveAddr(mq.topic, mq.brokerName, find, 'address');
  }
}
