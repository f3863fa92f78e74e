/*
 * A raw remoting client against one broker for integration tests that drive requests directly:
 * sends with any properties and retry header fields, pulls with the request's own subscription,
 * send-backs, delay offsets.
 */
import { expect } from 'vitest';
import { RemotingClient, silentLogger } from '@rocketts/client';
import {
  ConsumerSendMsgBackRequestHeader,
  createRequest,
  decodeMessageRecords,
  decodeOffsetMsgId,
  encodeProperties,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  type MessageExt,
  type RemotingCommand,
} from '@rocketts/protocol';

export interface SendOptions {
  props?: Record<string, string>;
  queueId?: number;
  reconsumeTimes?: number;
  maxReconsumeTimes?: number;
}

/** A raw remoting client against one broker, with the requests these tests need. */
export class Wire {
  readonly client = new RemotingClient({ logger: silentLogger });
  constructor(public addr: string) {}

  invoke(cmd: RemotingCommand, timeoutMs = 3000): Promise<RemotingCommand> {
    return this.client.invoke(this.addr, cmd, timeoutMs);
  }

  send(topic: string, body: string, o: SendOptions = {}): Promise<RemotingCommand> {
    return this.invoke(
      createRequest(
        RequestCode.SEND_MESSAGE_V2,
        SendMessageRequestHeaderV2.encode({
          producerGroup: 'retry-test-pg',
          topic,
          defaultTopic: 'TBW102',
          defaultTopicQueueNums: 1,
          queueId: o.queueId ?? 0,
          sysFlag: 0,
          bornTimestamp: Date.now(),
          flag: 0,
          properties: encodeProperties(o.props ?? {}),
          reconsumeTimes: o.reconsumeTimes,
          maxReconsumeTimes: o.maxReconsumeTimes,
        }),
        Buffer.from(body),
      ),
    );
  }

  /** Every message of one queue from `offset`, pulled with the request's own subscription. */
  async pull(topic: string, queueId = 0, subscription = '*'): Promise<MessageExt[]> {
    const out: MessageExt[] = [];
    let offset = 0;
    for (;;) {
      const r = await this.invoke(
        createRequest(
          RequestCode.PULL_MESSAGE,
          PullMessageRequestHeader.encode({
            consumerGroup: 'retry-test-reader',
            topic,
            queueId,
            queueOffset: offset,
            maxMsgNums: 32,
            sysFlag: 4,
            commitOffset: 0,
            suspendTimeoutMillis: 0,
            subscription,
            subVersion: 1,
          }),
        ),
      );
      if (r.code === ResponseCode.SUCCESS) out.push(...decodeMessageRecords(r.body as Buffer));
      else if (r.code !== ResponseCode.PULL_RETRY_IMMEDIATELY) {
        if (r.code !== ResponseCode.PULL_NOT_FOUND && r.code !== ResponseCode.PULL_OFFSET_MOVED)
          throw new Error(`pull ${topic}/${queueId} answered ${r.code} ${r.remark ?? ''}`);
        return out;
      }
      offset = Number(r.extFields?.nextBeginOffset);
    }
  }

  sendBack(h: ConsumerSendMsgBackRequestHeader): Promise<RemotingCommand> {
    return this.invoke(
      createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, ConsumerSendMsgBackRequestHeader.encode(h)),
    );
  }

  async delayOffsets(): Promise<string> {
    const r = await this.invoke(createRequest(RequestCode.GET_ALL_DELAY_OFFSET));
    expect(r.code).toBe(ResponseCode.SUCCESS);
    return (r.body as Buffer).toString('utf8');
  }
}

export async function eventually<T>(check: () => Promise<T>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function ok(r: RemotingCommand): RemotingCommand {
  expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
  return r;
}

/** Commit-log offset of a stored send, from the offset message id of its response. */
export const commitLogOffsetOf = (r: RemotingCommand): number =>
  decodeOffsetMsgId(r.extFields?.msgId as string).offset;
