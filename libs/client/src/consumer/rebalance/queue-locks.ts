import {
  decodeLockBatchResponse,
  encodeLockBatchRequest,
  messageQueueKey,
  RequestCode,
  type MessageQueue,
} from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import type { ProcessQueue } from '../push/process-queue';
import type { PushContext } from '../push/push-context';

/*
 * LOCK_BATCH_MQ / UNLOCK_BATCH_MQ to one broker (MQClientAPIImpl.lockBatchMQ / unlockBatchMQ, §12.2).
 * A lock answer lists the queues now held by this client; the others belong to someone else.
 */

export interface LockTarget {
  group: string;
  clientId: string;
  mqs: readonly MessageQueue[];
}

export async function lockBatchMQ(
  instance: ClientInstance,
  addr: string,
  t: LockTarget,
  timeoutMs: number,
): Promise<MessageQueue[]> {
  const body = encodeLockBatchRequest({ consumerGroup: t.group, clientId: t.clientId, mqSet: [...t.mqs] });
  const resp = await instance.invoke(
    addr,
    instance.request(RequestCode.LOCK_BATCH_MQ, undefined, body),
    timeoutMs,
  );
  return decodeLockBatchResponse(resp.body);
}

/** `oneway` when releasing a queue (nobody waits), awaited at shutdown, as Java. */
export async function unlockBatchMQ(
  instance: ClientInstance,
  addr: string,
  t: LockTarget,
  timeoutMs: number,
  oneway: boolean,
): Promise<void> {
  const body = encodeLockBatchRequest({ consumerGroup: t.group, clientId: t.clientId, mqSet: [...t.mqs] });
  const cmd = instance.request(RequestCode.UNLOCK_BATCH_MQ, undefined, body);
  if (oneway) await instance.remoting.invokeOneway(addr, cmd);
  else await instance.invoke(addr, cmd, timeoutMs);
}

/** A held queue and its process queue, whose `locked` / `lastLockTimestamp` a lock answer updates. */
export interface LockedQueue {
  mq: MessageQueue;
  pq: ProcessQueue;
}

/**
 * Lock requests of an orderly clustering consumer (RebalanceImpl.lock / lockAll / unlock): to the master of
 * each queue's broker, one request per broker; failures are logged and read as "not locked".
 */
export class QueueLocker {
  constructor(private readonly ctx: PushContext) {}

  /** Lock one queue; `pq`, when given, records the answer. */
  async lock(mq: MessageQueue, pq?: ProcessQueue): Promise<boolean> {
    try {
      const granted = await lockBatchMQ(
        this.ctx.instance,
        await this.masterAddr(mq),
        this.target([mq]),
        this.timeoutMs,
      );
      const ok = granted.some((g) => messageQueueKey(g) === messageQueueKey(mq));
      if (pq) {
        pq.locked = ok;
        if (ok) pq.lastLockTimestamp = Date.now();
      }
      return ok;
    } catch (err) {
      this.ctx.logger.warn('locking a queue failed', { mq: messageQueueKey(mq), error: err });
      return false;
    }
  }

  /** Renew the locks of `held` (every 20 s); a queue not granted stops being consumed until locked again. */
  async lockAll(held: readonly LockedQueue[]): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...byBroker(held, (h) => h.mq)].map(async ([brokerName, list]) => {
        try {
          const addr = await this.masterAddr((list[0] as LockedQueue).mq);
          const granted = await lockBatchMQ(
            this.ctx.instance,
            addr,
            this.target(list.map((h) => h.mq)),
            this.timeoutMs,
          );
          const ok = new Set(granted.map(messageQueueKey));
          for (const h of list) {
            const locked = ok.has(messageQueueKey(h.mq));
            if (!locked && h.pq.locked)
              this.ctx.logger.warn('queue lock lost', { mq: messageQueueKey(h.mq) });
            h.pq.locked = locked;
            if (locked) h.pq.lastLockTimestamp = now;
          }
        } catch (err) {
          this.ctx.logger.warn('renewing queue locks failed', { brokerName, error: err });
        }
      }),
    );
  }

  /** Release the locks of `mqs`: one-way when a queue is released, awaited at shutdown. */
  async unlock(mqs: readonly MessageQueue[], oneway: boolean): Promise<void> {
    await Promise.all(
      [...byBroker(mqs, (mq) => mq)].map(async ([, list]) => {
        try {
          const addr = await this.masterAddr(list[0] as MessageQueue);
          await unlockBatchMQ(this.ctx.instance, addr, this.target(list), this.timeoutMs, oneway);
        } catch (err) {
          this.ctx.logger.warn('unlocking queues failed', { mqs: list.map(messageQueueKey), error: err });
        }
      }),
    );
  }

  private get timeoutMs(): number {
    return this.ctx.config.client.requestTimeoutMs;
  }

  private target(mqs: readonly MessageQueue[]): LockTarget {
    return { group: this.ctx.group, clientId: this.ctx.clientId, mqs };
  }

  private masterAddr(mq: MessageQueue): Promise<string> {
    return masterAddrOf(this.ctx.instance, mq);
  }
}

/** Master of the queue's broker, reading the topic's route again once if unknown. */
export function masterAddrOf(instance: ClientInstance, mq: MessageQueue): Promise<string> {
  const routes = instance.routes;
  const find = (): string | undefined => routes.findMasterAddr(mq.brokerName);
  return routes.resolveAddr(mq.topic, mq.brokerName, find, 'master');
}

function byBroker<T>(items: readonly T[], mqOf: (t: T) => MessageQueue): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const name = mqOf(item).brokerName;
    out.set(name, [...(out.get(name) ?? []), item]);
  }
  return out;
}
