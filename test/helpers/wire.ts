/*
 * A raw remoting client against one broker for integration tests that drive requests directly:
 * sends with any properties and retry header fields, pulls with the request's own subscription,
 * send-backs, delay offsets, half messages and END_TRANSACTION, and a producer that records
 * CHECK_TRANSACTION_STATE requests.
 */
import { expect } from 'vitest';
import { buildSubscriptionData, RemotingClient, silentLogger } from '@rocketts/client';
import {
  CheckTransactionStateRequestHeader,
  ConsumerSendMsgBackRequestHeader,
  createRequest,
  decodeMessageRecord,
  encodeHeartbeatData,
  EndTransactionRequestHeader,
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
  producerGroup?: string;
  sysFlag?: number;
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
          producerGroup: o.producerGroup ?? 'retry-test-pg',
          topic,
          defaultTopic: 'TBW102',
          defaultTopicQueueNums: 1,
          queueId: o.queueId ?? 0,
          sysFlag: o.sysFlag ?? 0,
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

  /** A half message as Java's TransactionMQProducer sends it: TRAN_MSG, PGROUP, sysFlag PREPARED. */
  sendHalf(
    topic: string,
    body: string,
    group: string,
    props: Record<string, string> = {},
  ): Promise<RemotingCommand> {
    return this.send(topic, body, {
      producerGroup: group,
      sysFlag: TRANSACTION_PREPARED,
      props: { TRAN_MSG: 'true', PGROUP: group, ...props },
    });
  }

  endTransaction(h: EndTransactionRequestHeader): Promise<RemotingCommand> {
    return this.invoke(createRequest(RequestCode.END_TRANSACTION, EndTransactionRequestHeader.encode(h)));
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

const TRANSACTION_PREPARED = 0x4;

/** One CHECK_TRANSACTION_STATE as a producer receives it. */
export interface ReceivedCheck {
  header: CheckTransactionStateRequestHeader;
  msg: MessageExt;
  at: number;
}

/**
 * A producer instance of `group` on its own connection: registered by HEART_BEAT, records the
 * CHECK_TRANSACTION_STATE requests the broker sends it, answers them when asked.
 */
export class TxProducerWire extends Wire {
  readonly checks: ReceivedCheck[] = [];

  constructor(
    addr: string,
    readonly group: string,
    readonly clientId: string,
  ) {
    super(addr);
    this.client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (cmd) => {
      this.checks.push({
        header: CheckTransactionStateRequestHeader.decode(cmd.extFields),
        msg: decodeMessageRecord(cmd.body as Buffer),
        at: Date.now(),
      });
      return undefined;
    });
  }

  async heartbeat(): Promise<void> {
    const body = encodeHeartbeatData({
      clientID: this.clientId,
      producerDataSet: [{ groupName: this.group }],
      consumerDataSet: [],
    });
    ok(await this.invoke(createRequest(RequestCode.HEART_BEAT, undefined, body)));
  }

  /** END_TRANSACTION answering `check` (fromTransactionCheck = true), as Java's checkTransactionState does. */
  answer(check: ReceivedCheck, commitOrRollback: number): Promise<RemotingCommand> {
    return this.endTransaction({
      producerGroup: this.group,
      tranStateTableOffset: check.header.tranStateTableOffset,
      commitLogOffset: check.header.commitLogOffset,
      commitOrRollback,
      fromTransactionCheck: true,
      msgId: check.msg.properties.UNIQ_KEY ?? check.header.msgId ?? '',
      transactionId: check.header.transactionId,
    });
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

/** HEART_BEAT of one push-style (CONSUME_PASSIVELY, CLUSTERING) member of `group` subscribing `topic`. */
export function consumerHeartbeat(
  clientID: string,
  group: string,
  topic: string,
  expression = '*',
  consumeFromWhere = 'CONSUME_FROM_LAST_OFFSET',
): RemotingCommand {
  return createRequest(
    RequestCode.HEART_BEAT,
    undefined,
    encodeHeartbeatData({
      clientID,
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: group,
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere,
          unitMode: false,
          subscriptionDataSet: [buildSubscriptionData(topic, expression, 1)],
        },
      ],
    }),
  );
}

export type ServerRequestHandlers = Record<number, (cmd: RemotingCommand) => RemotingCommand | undefined>;

/**
 * A raw connection registered as `clientId` of `group` by one HEART_BEAT (a stand-in group member), that
 * answers broker → client requests with `handlers`. The caller shuts the returned client down.
 */
export async function rawGroupMember(
  brokerAddr: string,
  heartbeat: RemotingCommand,
  handlers: ServerRequestHandlers = {},
): Promise<RemotingClient> {
  const raw = new RemotingClient({ logger: silentLogger });
  for (const [code, fn] of Object.entries(handlers)) raw.registerProcessor(Number(code), fn);
  expect((await raw.invoke(brokerAddr, heartbeat, 5000)).code).toBe(ResponseCode.SUCCESS);
  return raw;
}
