import {
  messageQueueKey,
  type MessageExt,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { Logger } from '../../logger';
import { PullStatus } from '../pull-result';
import type { LitePuller } from './lite-pull';
import type { LitePullConsumerConfig } from './lite-pull-consumer-options';
import { WakeSignal } from './wake-signal';

/** A paused queue's prefetch looks again this often (or at resume). */
const PAUSE_RECHECK_MS = 1_000; // as PULL_TIME_DELAY_MILLS_WHEN_PAUSE
/** A queue held back by a full cache looks again this often (or when poll() makes room). */
const FLOW_CONTROL_RECHECK_MS = 50; // as PULL_TIME_DELAY_MILLS_WHEN_CACHE_FLOW_CONTROL

/** One assigned queue (AssignedMessageQueue's MessageQueueState + ProcessQueue, reduced to what we use). */
export interface QueueState {
  readonly mq: MessageQueue;
  readonly key: string;
  /** Next offset to pull; −1 until the start offset is known. */
  pullOffset: number;
  /** Offset after the last batch poll() returned: what a commit stores. −1 until known. */
  consumeOffset: number;
  /** The offset this consumer last stored on the broker, −1 if none. */
  committedOffset: number;
  paused: boolean;
  /** Bumped by seek and removal: pulls and batches of an older generation are thrown away. */
  generation: number;
  removed: boolean;
  cachedMessages: number;
  cachedBytes: number;
}

/** One pull's messages, waiting in the cache for poll() (ConsumeRequest). */
interface Batch {
  q: QueueState;
  messages: MessageExt[];
  bytes: number;
  /** nextBeginOffset of the pull: the queue's consume offset once this batch is handed out. */
  nextOffset: number;
}

export interface PrefetchDeps {
  config: LitePullConsumerConfig;
  puller: LitePuller;
  logger: Logger;
  subscriptionOf(topic: string): SubscriptionData;
  /** Where a queue without a pull offset starts (committed offset, else consumeFromWhere). */
  startOffsetOf(mq: MessageQueue): Promise<number>;
}

/**
 * The background half of the lite pull consumer (DefaultLitePullConsumerImpl.PullTaskImpl): one long-polling
 * pull loop per assigned queue filling a bounded cache of batches that poll() takes in arrival order.
 * Paused queues stop pulling and their cached batches are held back from poll() until resumed.
 */
export class Prefetcher {
  readonly queues = new Map<string, QueueState>();
  private cache: Batch[] = [];
  private cachedTotal = 0;
  private running = false;
  /** New batches or a resume: pollers look again. */
  private readonly arrivals = new WakeSignal();
  /** Room in the cache, a resume or a stop: pull loops look again. */
  private readonly room = new WakeSignal();

  constructor(private readonly deps: PrefetchDeps) {}

  start(): void {
    this.running = true;
    for (const q of this.queues.values()) this.launch(q);
  }

  stop(): void {
    this.running = false;
    this.room.notify();
    this.arrivals.notify();
  }

  get(mq: MessageQueue): QueueState | undefined {
    return this.queues.get(messageQueueKey(mq));
  }

  add(mq: MessageQueue): QueueState {
    const key = messageQueueKey(mq);
    const existing = this.queues.get(key);
    if (existing) return existing;
    const q: QueueState = {
      mq: { topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId },
      key,
      pullOffset: -1,
      consumeOffset: -1,
      committedOffset: -1,
      paused: false,
      generation: 0,
      removed: false,
      cachedMessages: 0,
      cachedBytes: 0,
    };
    this.queues.set(key, q);
    if (this.running) this.launch(q);
    return q;
  }

  /** Stop prefetching `q` and drop its cached batches (its offsets stay readable for a last commit). */
  remove(q: QueueState): void {
    q.removed = true;
    q.generation++;
    this.queues.delete(q.key);
    this.dropCached(q);
    this.deps.puller.forget(q.mq);
  }

  /** Continue `q` from `offset`: cached batches dropped, the in-flight pull ignored, a new loop started. */
  seek(q: QueueState, offset: number): void {
    q.generation++;
    this.dropCached(q);
    q.pullOffset = offset;
    q.consumeOffset = offset;
    if (this.running) this.launch(q);
  }

  setPaused(q: QueueState, paused: boolean): void {
    if (q.paused === paused) return;
    q.paused = paused;
    if (!paused) {
      this.room.notify();
      this.arrivals.notify();
    }
  }

  /**
   * The oldest batch of a queue that is not paused, or undefined; it leaves the cache and its queue's
   * consume offset moves past it (ProcessQueue.removeMessage + updateConsumeOffset).
   */
  take(): MessageExt[] | undefined {
    const i = this.cache.findIndex((b) => !b.q.paused);
    if (i < 0) return undefined;
    const [b] = this.cache.splice(i, 1) as [Batch];
    this.uncount(b);
    b.q.consumeOffset = b.nextOffset;
    this.room.notify();
    return b.messages;
  }

  /** Wait until a batch may be available, or `ms` passed. */
  waitForArrival(ms: number): Promise<void> {
    return this.arrivals.wait(ms, true);
  }

  private launch(q: QueueState): void {
    const generation = q.generation;
    void this.loop(q, generation);
  }

  private async loop(q: QueueState, generation: number): Promise<void> {
    const { config, logger } = this.deps;
    const alive = (): boolean => this.running && !q.removed && q.generation === generation;
    while (alive()) {
      if (q.paused) {
        await this.room.wait(PAUSE_RECHECK_MS);
        continue;
      }
      if (
        this.cachedTotal >= config.pullThresholdForAll ||
        q.cachedMessages >= config.pullThresholdForQueue ||
        q.cachedBytes >= config.pullThresholdSizeForQueueBytes
      ) {
        await this.room.wait(FLOW_CONTROL_RECHECK_MS);
        continue;
      }
      try {
        if (q.pullOffset < 0) {
          const start = await this.deps.startOffsetOf(q.mq);
          if (!alive()) return;
          if (q.pullOffset < 0) {
            q.pullOffset = start;
            if (q.consumeOffset < 0) q.consumeOffset = start;
          }
        }
        const offset = q.pullOffset;
        const result = await this.deps.puller.pull({
          group: config.consumerGroup,
          mq: q.mq,
          sub: this.deps.subscriptionOf(q.mq.topic),
          offset,
          maxNums: config.pullBatchSize,
          suspendMs: config.brokerSuspendMaxTimeMs,
          timeoutMs: config.consumerTimeoutMsWhenSuspend,
        });
        if (!alive()) return;
        if (result.status === PullStatus.OFFSET_ILLEGAL)
          logger.warn('pull offset illegal, continuing from the broker offset', {
            mq: q.mq,
            offset,
            next: result.nextBeginOffset,
          });
        if (result.messages.length > 0) {
          this.push({ q, messages: result.messages, bytes: 0, nextOffset: result.nextBeginOffset });
        } else if (!this.cache.some((b) => b.q === q)) {
          // Nothing pending here: offsets skipped by filtering (or moved by the broker) count as consumed.
          q.consumeOffset = result.nextBeginOffset;
        }
        q.pullOffset = result.nextBeginOffset;
      } catch (err) {
        if (!alive()) return;
        logger.warn('pull failed, retrying later', { mq: q.mq, error: err });
        await this.room.wait(config.pullDelayOnExceptionMs);
      }
    }
  }

  private push(b: Batch): void {
    for (const m of b.messages) b.bytes += m.body.length;
    this.cache.push(b);
    b.q.cachedMessages += b.messages.length;
    b.q.cachedBytes += b.bytes;
    this.cachedTotal += b.messages.length;
    this.arrivals.notify();
  }

  private uncount(b: Batch): void {
    b.q.cachedMessages -= b.messages.length;
    b.q.cachedBytes -= b.bytes;
    this.cachedTotal -= b.messages.length;
  }

  private dropCached(q: QueueState): void {
    const keep: Batch[] = [];
    for (const b of this.cache) {
      if (b.q === q) this.uncount(b);
      else keep.push(b);
    }
    this.cache = keep;
    this.room.notify();
  }
}
