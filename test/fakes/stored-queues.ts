import {
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type Properties,
  type RemotingCommand,
} from '@rocketts/protocol';
import { late, respond, type Behaviour, type FakeBroker } from './fake-broker';
import { storedRecord } from './fake-cluster';

/** How long an empty pull is "held" by the fake before PULL_NOT_FOUND (a stand-in for long polling). */
export const FAKE_HOLD_MS = 100;

export interface FakeMessage {
  body?: string;
  properties?: Properties;
  reconsumeTimes?: number;
}

/**
 * Queues with stored messages served by a fake broker's PULL_MESSAGE: a pull at offset o returns the
 * records from o on (at most maxMsgNums), an empty one is answered PULL_NOT_FOUND after FAKE_HOLD_MS.
 * Physical offsets are 1000 × (queueId + 1) + queue offset, so a test can tell them apart.
 */
export class StoredQueues {
  private readonly queues = new Map<string, Buffer[]>();

  constructor(private readonly broker: FakeBroker) {
    broker.on(RequestCode.PULL_MESSAGE, (req) => this.pull(req));
  }

  /** Append messages to topic/queueId; returns their queue offsets. */
  append(topic: string, queueId: number, msgs: FakeMessage[]): number[] {
    const key = `${topic}@${queueId}`;
    const list = this.queues.get(key) ?? [];
    this.queues.set(key, list);
    return msgs.map((m) => {
      const queueOffset = list.length;
      list.push(
        storedRecord({
          topic,
          queueId,
          queueOffset,
          physicalOffset: physicalOffsetOf(queueId, queueOffset),
          body: m.body ?? `${topic}-${queueId}-${queueOffset}`,
          properties: m.properties ?? { UNIQ_KEY: `U-${queueId}-${queueOffset}` },
          reconsumeTimes: m.reconsumeTimes,
          storeAddr: this.broker.addr,
        }),
      );
      return queueOffset;
    });
  }

  private pull(req: RemotingCommand): Behaviour {
    const h = PullMessageRequestHeader.decode(req.extFields);
    const list = this.queues.get(`${h.topic}@${h.queueId}`) ?? [];
    const header = (next: number): Record<string, string> => ({
      suggestWhichBrokerId: '0',
      nextBeginOffset: String(next),
      minOffset: '0',
      maxOffset: String(list.length),
    });
    if (h.queueOffset >= list.length)
      return late(FAKE_HOLD_MS, respond(ResponseCode.PULL_NOT_FOUND, header(h.queueOffset)));
    const end = Math.min(list.length, h.queueOffset + h.maxMsgNums);
    return respond(ResponseCode.SUCCESS, header(end), Buffer.concat(list.slice(h.queueOffset, end)));
  }
}

export const physicalOffsetOf = (queueId: number, queueOffset: number): number =>
  1000 * (queueId + 1) + queueOffset;
