import {
  OffsetResponseHeader,
  PullMessageRequestHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  TopicQueueRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  type Properties,
  type RemotingCommand,
} from '@rocketts/protocol';
import { respond, type Behaviour, type FakeBroker } from './fake-broker';
import { storedRecord } from './fake-cluster';

/** Longest a pull finding nothing is held by default before PULL_NOT_FOUND (a short stand-in for long polling). */
export const FAKE_HOLD_MS = 100;

export interface FakeMessage {
  /** "<queueId>:<queueOffset>" by default. */
  body?: string;
  /** Merged over the default UNIQ_KEY "U<queueId>-<queueOffset>". */
  properties?: Properties;
  reconsumeTimes?: number;
}

export interface StoredQueuesOptions {
  /** Longest an empty pull is held (it returns at once when a message is appended to its queue). */
  maxHoldMs?: number;
  /**
   * Also answer GET_MIN_OFFSET (0), GET_MAX_OFFSET (the queue's size) and QUERY / UPDATE_CONSUMER_OFFSET
   * from memory (QUERY_NOT_FOUND for a queue without a commit): for clients whose test has no offset
   * handlers of its own.
   */
  serveOffsets?: boolean;
}

const queueKey = (topic: string, queueId: number): string => `${topic}@${queueId}`;

/**
 * Queues of any topics inside a FakeBroker, for consumer specs: PULL_MESSAGE serves stored records
 * (§7.1) from per-queue lists — at most maxMsgNums from the requested offset; an empty pull is held until
 * a message is appended to its queue or min(suspendTimeoutMillis, maxHoldMs) elapses, then PULL_NOT_FOUND;
 * an offset past the end is PULL_OFFSET_MOVED. Physical offsets are physicalOffsetOf(queueId, queueOffset),
 * so a test can tell them apart.
 */
export class StoredQueues {
  /** Queue offsets of every PULL_MESSAGE, per "topic@queueId", in arrival order. */
  readonly pulls = new Map<string, number[]>();
  private readonly queues = new Map<string, Buffer[]>();
  private readonly committed = new Map<string, number>();
  /** Wake-ups of held pulls, per "topic@queueId". */
  private readonly held = new Map<string, Set<() => void>>();
  private readonly maxHoldMs: number;

  constructor(
    readonly broker: FakeBroker,
    options: StoredQueuesOptions = {},
  ) {
    this.maxHoldMs = options.maxHoldMs ?? FAKE_HOLD_MS;
    broker.on(RequestCode.PULL_MESSAGE, (req) => this.pull(req));
    if (options.serveOffsets) this.serveOffsets();
  }

  /** Append messages (or `count` default ones) to topic/queueId; returns their queue offsets. */
  append(topic: string, queueId: number, msgs: FakeMessage[] | number): number[] {
    const key = queueKey(topic, queueId);
    const list = this.queues.get(key) ?? [];
    this.queues.set(key, list);
    const added = (typeof msgs === 'number' ? Array.from({ length: msgs }, () => ({})) : msgs).map(
      (m: FakeMessage) => {
        const queueOffset = list.length;
        list.push(
          storedRecord({
            topic,
            queueId,
            queueOffset,
            physicalOffset: physicalOffsetOf(queueId, queueOffset),
            body: m.body ?? `${queueId}:${queueOffset}`,
            properties: { UNIQ_KEY: `U${queueId}-${queueOffset}`, ...m.properties },
            reconsumeTimes: m.reconsumeTimes,
            storeAddr: this.broker.addr,
          }),
        );
        return queueOffset;
      },
    );
    for (const wake of [...(this.held.get(key) ?? [])]) wake();
    return added;
  }

  size(topic: string, queueId: number): number {
    return this.queues.get(queueKey(topic, queueId))?.length ?? 0;
  }

  /** Queue offsets pulled from topic/queueId so far, in order. */
  pullsOf(topic: string, queueId: number): number[] {
    return this.pulls.get(queueKey(topic, queueId)) ?? [];
  }

  /** The group's committed offset (serveOffsets). */
  committedOffset(group: string, topic: string, queueId: number): number | undefined {
    return this.committed.get(`${group}#${queueKey(topic, queueId)}`);
  }

  setCommitted(group: string, topic: string, queueId: number, offset: number): void {
    this.committed.set(`${group}#${queueKey(topic, queueId)}`, offset);
  }

  private serveOffsets(): void {
    const offsetAnswer = (offset: number): Behaviour =>
      respond(ResponseCode.SUCCESS, OffsetResponseHeader.encode({ offset }));
    this.broker.on(RequestCode.GET_MAX_OFFSET, (req) => {
      const h = TopicQueueRequestHeader.decode(req.extFields);
      return offsetAnswer(this.size(h.topic, h.queueId));
    });
    this.broker.on(RequestCode.GET_MIN_OFFSET, () => offsetAnswer(0));
    this.broker.on(RequestCode.QUERY_CONSUMER_OFFSET, (req) => {
      const h = QueryConsumerOffsetRequestHeader.decode(req.extFields);
      const offset = this.committedOffset(h.consumerGroup, h.topic, h.queueId);
      return offset === undefined
        ? respond(ResponseCode.QUERY_NOT_FOUND, undefined, undefined, 'Not found')
        : offsetAnswer(offset);
    });
    this.broker.on(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
      const h = UpdateConsumerOffsetRequestHeader.decode(req.extFields);
      this.setCommitted(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
      return respond(ResponseCode.SUCCESS);
    });
  }

  private async pull(req: RemotingCommand): Promise<Behaviour> {
    const h = PullMessageRequestHeader.decode(req.extFields);
    const key = queueKey(h.topic, h.queueId);
    this.pulls.set(key, [...this.pullsOf(h.topic, h.queueId), h.queueOffset]);
    if (h.queueOffset === this.size(h.topic, h.queueId) && h.suspendTimeoutMillis > 0)
      await this.hold(key, Math.min(h.suspendTimeoutMillis, this.maxHoldMs));
    const list = this.queues.get(key) ?? [];
    const max = list.length;
    const header = (next: number): Record<string, string> => ({
      suggestWhichBrokerId: '0',
      nextBeginOffset: String(next),
      minOffset: '0',
      maxOffset: String(max),
    });
    if (h.queueOffset > max) return respond(ResponseCode.PULL_OFFSET_MOVED, header(max));
    if (h.queueOffset === max) return respond(ResponseCode.PULL_NOT_FOUND, header(max));
    const end = Math.min(max, h.queueOffset + h.maxMsgNums);
    return respond(ResponseCode.SUCCESS, header(end), Buffer.concat(list.slice(h.queueOffset, end)));
  }

  /** Resolves after `ms`, or sooner when a message is appended to the queue. */
  private hold(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiting = this.held.get(key) ?? new Set<() => void>();
      this.held.set(key, waiting);
      const wake = (): void => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiting.add(wake);
    });
  }
}

export const physicalOffsetOf = (queueId: number, queueOffset: number): number =>
  1000 * (queueId + 1) + queueOffset;
