import {
  OffsetResponseHeader,
  PullMessageRequestHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  TopicQueueRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import { respond, type Behaviour, type FakeBroker } from './fake-broker';
import { storedRecord } from './fake-cluster';

/** Longest a held pull waits in the fake, whatever the client asked (keeps tests quick). */
const MAX_HOLD_MS = 1_000;

/**
 * Queues of one topic inside a FakeBroker, for consumer specs: PULL_MESSAGE serves stored records from
 * per-queue lists (holding an empty pull until a message arrives, as long polling does), GET_MIN/MAX_OFFSET
 * and QUERY/UPDATE_CONSUMER_OFFSET answer from memory. Messages are added with `append`.
 */
export class FakeQueues {
  private readonly records = new Map<number, Buffer[]>();
  private readonly committed = new Map<string, number>();
  private readonly held = new Set<() => void>();
  private physical = 0;
  /** Offsets of every PULL_MESSAGE, per queue id, in arrival order. */
  readonly pulls = new Map<number, number[]>();

  constructor(
    readonly broker: FakeBroker,
    readonly topic: string,
    queueNums: number,
  ) {
    for (let q = 0; q < queueNums; q++) this.records.set(q, []);
    broker.on(RequestCode.PULL_MESSAGE, (req) => this.pull(req));
    broker.on(RequestCode.GET_MAX_OFFSET, (req) =>
      this.offsetAnswer(this.size(TopicQueueRequestHeader.decode(req.extFields).queueId)),
    );
    broker.on(RequestCode.GET_MIN_OFFSET, () => this.offsetAnswer(0));
    broker.on(RequestCode.QUERY_CONSUMER_OFFSET, (req) => {
      const h = QueryConsumerOffsetRequestHeader.decode(req.extFields);
      const offset = this.committed.get(`${h.consumerGroup}#${h.queueId}`);
      return offset === undefined
        ? respond(ResponseCode.QUERY_NOT_FOUND, undefined, undefined, 'Not found')
        : this.offsetAnswer(offset);
    });
    broker.on(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
      const h = UpdateConsumerOffsetRequestHeader.decode(req.extFields);
      this.committed.set(`${h.consumerGroup}#${h.queueId}`, h.commitOffset);
      return respond(ResponseCode.SUCCESS);
    });
  }

  /** Store `count` messages with bodies "<queueId>:<offset>" (or `body`) at the end of queue `queueId`. */
  append(queueId: number, count = 1, body?: string, properties?: Record<string, string>): void {
    const list = this.records.get(queueId) as Buffer[];
    for (let i = 0; i < count; i++) {
      const queueOffset = list.length;
      list.push(
        storedRecord({
          topic: this.topic,
          queueId,
          queueOffset,
          physicalOffset: (this.physical += 200),
          body: body ?? `${queueId}:${queueOffset}`,
          properties: { UNIQ_KEY: `U${queueId}-${queueOffset}`, ...properties },
          storeAddr: this.broker.addr,
        }),
      );
    }
    for (const wake of [...this.held]) wake();
  }

  size(queueId: number): number {
    return this.records.get(queueId)?.length ?? 0;
  }

  committedOffset(group: string, queueId: number): number | undefined {
    return this.committed.get(`${group}#${queueId}`);
  }

  setCommitted(group: string, queueId: number, offset: number): void {
    this.committed.set(`${group}#${queueId}`, offset);
  }

  private offsetAnswer(offset: number): Behaviour {
    return respond(ResponseCode.SUCCESS, OffsetResponseHeader.encode({ offset }));
  }

  private async pull(req: RemotingCommand): Promise<Behaviour> {
    const h = PullMessageRequestHeader.decode(req.extFields);
    this.pulls.set(h.queueId, [...(this.pulls.get(h.queueId) ?? []), h.queueOffset]);
    if (h.queueOffset === this.size(h.queueId) && h.suspendTimeoutMillis > 0) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.held.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(h.suspendTimeoutMillis, MAX_HOLD_MS));
        this.held.add(wake);
      });
    }
    const list = this.records.get(h.queueId) ?? [];
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
}
