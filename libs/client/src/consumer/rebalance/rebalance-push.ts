import {
  compareMessageQueue,
  ConsumerGroupRequestHeader,
  decodeConsumerIdList,
  messageQueueKey,
  RequestCode,
  type MessageQueue,
} from '@rocketts/protocol';
import { MQClientError, MQClientErrorCode } from '../../errors/mq-client-error';
import { MASTER_ID } from '../../route/topic-publish-info';
import type { TopicRouteEntry } from '../../route/topic-route-cache';
import { getMaxOffset, searchOffset } from '../offset-requests';
import { ReadOffsetType } from '../offset-store/offset-store';
import { ProcessQueue } from '../push/process-queue';
import { ConsumeFromWhere } from '../consume-from-where';
import type { PullRequest, PushContext } from '../push/push-context';
import { isRetryTopic } from '../push/retry-topic';
import { masterAddrOf, QueueLocker, type LockedQueue } from './queue-locks';
import { diffAssignment, sortedConsumerIds } from './rebalance-diff';

/** Periodic rebalance (rocketmq.client.rebalance.waitInterval). */
export const REBALANCE_INTERVAL_MS = 20_000; // 20 s
/** A round that could not finish (no route yet, no consumer list, a lock refused) is retried this soon. */
export const REBALANCE_RETRY_DELAY_MS = 1000; // 1 s
/** A release waits this long for the orderly batch in flight before leaving the unlock to its end. */
const RELEASE_WAIT_MS = 1000; // 1 s, as RebalancePushImpl's consumeLock.tryLock(1000)

type Held = LockedQueue;

/** What the rebalancer drives in the rest of the consumer. */
export interface RebalanceHooks {
  /** Start pulling a queue just taken. */
  startPull(req: PullRequest): void;
  /** Orderly: the batch `pq` is running, if any (a queue is unlocked only after it). */
  batchDone(pq: ProcessQueue): Promise<void>;
  /** Broker addresses of a route just read: they must receive our heartbeats. */
  brokersSeen(addrs: string[]): void;
}

/**
 * Which queues this member consumes (RebalanceImpl + RebalancePushImpl, §13). Per subscribed topic, the
 * sorted queues of its route and the sorted member ids from the broker go through the allocate strategy;
 * queues no longer allocated are released (offset persisted, orderly: unlocked after the batch in flight),
 * new ones are taken (orderly: locked first) from their starting offset. Rounds never overlap; a request
 * during a round runs one more round after it.
 */
export class RebalanceService {
  private readonly table = new Map<string, Held>();
  /** Orderly queues released while a batch was still running: their unlock waits for it. */
  private readonly releasing = new Map<string, Promise<void>>();
  private round: Promise<void> | undefined;
  private again = false;
  private readonly warnedTopics = new Set<string>();
  private readonly locker: QueueLocker;

  constructor(
    private readonly ctx: PushContext,
    private readonly topics: () => string[],
    private readonly hooks: RebalanceHooks,
  ) {
    this.locker = new QueueLocker(ctx);
  }

  /** Queues held now, sorted. */
  assignment(): MessageQueue[] {
    return [...this.table.values()].map((h) => ({ ...h.mq })).sort(compareMessageQueue);
  }

  held(): [MessageQueue, ProcessQueue][] {
    return [...this.table.values()].map((h) => [h.mq, h.pq]);
  }

  /** Run a round now (or right after the one in progress). */
  rebalance(): Promise<void> {
    if (this.round) {
      this.again = true;
      return this.round;
    }
    this.round = (async () => {
      do {
        this.again = false;
        let complete = false;
        try {
          complete = await this.doRebalance();
        } catch (err) {
          this.ctx.logger.error('rebalance round failed', { group: this.ctx.group, error: err });
        }
        if (!complete && this.ctx.isRunning()) {
          this.ctx.scheduler.later(REBALANCE_RETRY_DELAY_MS, () => this.rebalance());
        }
      } while (this.again && this.ctx.isRunning());
    })().finally(() => (this.round = undefined));
    return this.round;
  }

  /** One round; false when some topic could not be balanced and a retry is due. */
  private async doRebalance(): Promise<boolean> {
    const topics = this.topics();
    let complete = true;
    for (const topic of topics) {
      if (!this.ctx.isRunning()) return true;
      try {
        complete = (await this.rebalanceByTopic(topic)) && complete;
        this.warnedTopics.delete(topic);
      } catch (err) {
        complete = false;
        const fields = { group: this.ctx.group, topic, error: err };
        if (this.warnedTopics.has(topic)) this.ctx.logger.debug('rebalance of topic failed again', fields);
        else this.ctx.logger.warn('rebalance of topic failed, retrying', fields);
        this.warnedTopics.add(topic);
      }
    }
    // truncateMessageQueueNotMyTopic: queues of topics no longer subscribed.
    const subscribed = new Set(topics);
    for (const h of [...this.table.values()]) if (!subscribed.has(h.mq.topic)) await this.release(h);
    return complete;
  }

  private async rebalanceByTopic(topic: string): Promise<boolean> {
    const entry = await this.ctx.instance.routes.get(topic);
    this.hooks.brokersSeen(brokerAddrsOf(entry));
    const mqAll = [...entry.subscribeQueues].sort(compareMessageQueue);
    let allocated: MessageQueue[];
    if (!this.ctx.clustering) {
      allocated = mqAll;
    } else {
      const cidAll = await this.findConsumerIdList(entry);
      if (cidAll.length === 0)
        throw new MQClientError(
          MQClientErrorCode.CONSUMER_NOT_FOUND,
          `no consumer of group ${this.ctx.group} is known to the broker yet`,
        );
      allocated = this.ctx.config.allocateStrategy.allocate(this.ctx.clientId, mqAll, cidAll);
    }
    return this.updateProcessQueueTable(topic, allocated);
  }

  /** GET_CONSUMER_LIST_BY_GROUP to the first broker of the route (by name), master preferred. */
  private async findConsumerIdList(entry: TopicRouteEntry): Promise<string[]> {
    const brokers = [...entry.route.brokerDatas].sort((a, b) => (a.brokerName < b.brokerName ? -1 : 1));
    const bd = brokers[0];
    const addr = bd && (bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0]);
    if (!addr)
      throw new MQClientError(
        MQClientErrorCode.BROKER_NOT_FOUND,
        `topic ${entry.topic} has no broker address`,
      );
    const { instance, group } = this.ctx;
    const header = ConsumerGroupRequestHeader.encode({ consumerGroup: group });
    const resp = await instance.invoke(
      addr,
      instance.request(RequestCode.GET_CONSUMER_LIST_BY_GROUP, header),
    );
    return sortedConsumerIds(decodeConsumerIdList(resp.body));
  }

  /** RebalanceImpl.updateProcessQueueTableInRebalance; false when an added queue could not be taken. */
  private async updateProcessQueueTable(topic: string, allocated: MessageQueue[]): Promise<boolean> {
    const held = [...this.table.values()].filter((h) => h.mq.topic === topic).map((h) => h.mq);
    const { removed, added } = diffAssignment(held, allocated);
    for (const mq of removed) {
      const h = this.table.get(messageQueueKey(mq));
      if (h) await this.release(h);
    }
    let complete = true;
    for (const mq of added) {
      if (!this.ctx.isRunning()) return true;
      if (!(await this.take(mq))) complete = false;
    }
    if (removed.length > 0 || added.length > 0) {
      this.ctx.logger.info('rebalance changed the assignment', {
        group: this.ctx.group,
        clientId: this.ctx.clientId,
        topic,
        removed: removed.map(messageQueueKey),
        added: added.map(messageQueueKey),
        now: this.assignment()
          .filter((mq) => mq.topic === topic)
          .map((mq) => `${mq.brokerName}:${mq.queueId}`),
      });
    }
    return complete;
  }

  private get lockingQueues(): boolean {
    return this.ctx.listener.orderly && this.ctx.clustering;
  }

  /** Take a newly allocated queue: lock (orderly), read its starting offset, start pulling. */
  private async take(mq: MessageQueue): Promise<boolean> {
    const key = messageQueueKey(mq);
    if (this.releasing.has(key)) return false; // our own previous batch on it is still running
    if (this.lockingQueues && !(await this.lock(mq))) {
      this.ctx.logger.info('queue allocated but its lock is held by another member; retrying', {
        mq: key,
      });
      return false;
    }
    this.ctx.offsetStore.removeOffset(mq);
    let offset: number;
    try {
      offset = await this.computePullFromWhere(mq);
    } catch (err) {
      this.ctx.logger.warn('reading the starting offset failed; the queue is retried', {
        mq: key,
        error: err,
      });
      if (this.lockingQueues) await this.unlock([mq], true);
      return false;
    }
    if (this.table.has(key) || !this.ctx.isRunning()) return true;
    const pq = new ProcessQueue();
    if (this.lockingQueues) {
      pq.locked = true;
      pq.lastLockTimestamp = Date.now();
    }
    this.table.set(key, { mq: { ...mq }, pq });
    this.ctx.logger.debug('queue taken', { mq: key, offset });
    this.hooks.startPull({ mq, pq, nextOffset: offset, previouslyLocked: false });
    return true;
  }

  /**
   * RebalancePushImpl.removeUnnecessaryMessageQueue: stop, persist the offset, unlock (orderly). Once the
   * queue is dropped no result can move its offset any more, so it is persisted at once — before the batch
   * in flight ends, and before a periodic persistAll (which forgets queues no longer held) can drop it.
   */
  private async release(h: Held): Promise<void> {
    const key = messageQueueKey(h.mq);
    this.table.delete(key);
    h.pq.dropped = true;
    await this.persistAndForget(h.mq);
    if (!this.lockingQueues) return;
    // A queue allocated to us again meanwhile keeps its lock.
    const finish = async (): Promise<void> => {
      if (!this.table.has(key)) await this.unlock([h.mq], true);
    };
    const batch = this.hooks.batchDone(h.pq);
    const settled = await Promise.race([
      batch.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), RELEASE_WAIT_MS).unref()),
    ]);
    if (settled) return finish();
    h.pq.tryUnlockTimes++;
    this.ctx.logger.warn('released queue still runs a batch; unlocking after it', { mq: key });
    const later = batch.then(finish).finally(() => this.releasing.delete(key));
    this.releasing.set(key, later);
  }

  private async persistAndForget(mq: MessageQueue): Promise<void> {
    await this.ctx.offsetStore.persist(mq);
    this.ctx.offsetStore.removeOffset(mq);
  }

  /** RebalancePushImpl.computePullFromWhere (§13); throws when the stored offset cannot be read. */
  async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const { ctx } = this;
    const last = await ctx.offsetStore.readOffset(mq, ReadOffsetType.READ_FROM_STORE);
    if (last >= 0) return last;
    switch (ctx.config.consumeFromWhere) {
      case ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
        return 0;
      case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP:
        return isRetryTopic(mq.topic)
          ? getMaxOffset(ctx.instance, await masterAddrOf(ctx.instance, mq), mq)
          : searchOffset(ctx.instance, await masterAddrOf(ctx.instance, mq), mq, ctx.config.consumeTimestamp);
      default:
        return isRetryTopic(mq.topic)
          ? 0
          : getMaxOffset(ctx.instance, await masterAddrOf(ctx.instance, mq), mq);
    }
  }

  /** PULL_OFFSET_MOVED: persist the broker's offset, drop the queue and take it again from there. */
  async offsetMoved(req: PullRequest, nextOffset: number): Promise<void> {
    const key = messageQueueKey(req.mq);
    if (this.table.get(key)?.pq !== req.pq) return;
    this.table.delete(key);
    this.ctx.offsetStore.updateOffset(req.mq, nextOffset, false);
    await this.ctx.offsetStore.persist(req.mq);
    this.ctx.offsetStore.removeOffset(req.mq);
    // Orderly: the dropped queue's batch in flight ends before the queue is taken again.
    await this.hooks.batchDone(req.pq);
    await this.rebalance();
  }

  /**
   * RESET_CONSUMER_CLIENT_OFFSET / seek: drop the held queues of `offsets`, store the new offsets, and take
   * the queues again from them (MQClientInstance.resetOffset without its 10 s pause: results of the dropped
   * queues are discarded, so nothing of the old position is committed afterwards).
   */
  async resetOffsets(offsets: readonly [MessageQueue, number][]): Promise<MessageQueue[]> {
    const restarted: MessageQueue[] = [];
    for (const [mq, offset] of offsets) {
      const h = this.table.get(messageQueueKey(mq));
      if (!h) continue;
      h.pq.dropped = true;
      // Orderly: the batch in flight finishes before the queue restarts, so two never overlap.
      if (this.ctx.listener.orderly) await this.hooks.batchDone(h.pq);
      h.pq.clear();
      this.ctx.offsetStore.updateOffset(mq, offset, false);
      await this.ctx.offsetStore.persist(mq);
      // Released by a rebalance meanwhile: its new owner reads the offset just persisted.
      if (this.table.get(messageQueueKey(mq)) !== h) continue;
      const pq = new ProcessQueue();
      pq.locked = h.pq.locked;
      pq.lastLockTimestamp = h.pq.lastLockTimestamp;
      this.table.set(messageQueueKey(mq), { mq: h.mq, pq });
      this.hooks.startPull({ mq: h.mq, pq, nextOffset: offset, previouslyLocked: true });
      restarted.push(h.mq);
    }
    return restarted;
  }

  /** Lock one queue (RebalanceImpl.lock); marks its process queue when held. */
  lock(mq: MessageQueue): Promise<boolean> {
    return this.locker.lock(mq, this.table.get(messageQueueKey(mq))?.pq);
  }

  /**
   * Lock a held queue again (orderly consumption found its lock missing or stale). A queue released while
   * the request was under way is unlocked again, so no other member waits for its lock to expire.
   */
  async relock(mq: MessageQueue): Promise<boolean> {
    const ok = await this.lock(mq);
    if (ok && !this.table.has(messageQueueKey(mq))) {
      await this.unlock([mq], true);
      return false;
    }
    return ok;
  }

  /** Renew the locks of every held queue, one request per broker (RebalanceImpl.lockAll, every 20 s). */
  lockAll(): Promise<void> {
    return this.locker.lockAll([...this.table.values()]);
  }

  unlock(mqs: readonly MessageQueue[], oneway: boolean): Promise<void> {
    return this.locker.unlock(mqs, oneway);
  }

  /** Shutdown: stop every queue; returns what was held (to persist and unlock). */
  dropAll(): MessageQueue[] {
    const out = [...this.table.values()].map((h) => {
      h.pq.dropped = true;
      return h.mq;
    });
    this.table.clear();
    return out;
  }

  /** Releases still waiting for their batch (shutdown waits for them too). */
  pendingReleases(): Promise<void> {
    return Promise.all(this.releasing.values()).then(() => undefined);
  }
}

/** Every address of every broker in a route (masters and replicas all get heartbeats). */
function brokerAddrsOf(entry: TopicRouteEntry): string[] {
  return entry.route.brokerDatas.flatMap((bd) => [...bd.brokerAddrs.values()]);
}
