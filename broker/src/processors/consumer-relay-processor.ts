import {
  ConsumeMessageDirectlyResultRequestHeader,
  createRequest,
  createResponse,
  decodeOffsetMsgId,
  GetConsumerRunningInfoRequestHeader,
  RemotingTimeoutError,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';

/** How long a relayed call waits for the client (Broker2Client.callClient: 10 s). */
export const CALL_CLIENT_TIMEOUT_MS = 10_000;

export interface ConsumerRelayOptions {
  callClientTimeoutMs?: number;
}

/**
 * GET_CONSUMER_RUNNING_INFO (307) and CONSUME_MESSAGE_DIRECTLY (309), asked by an admin and answered by
 * one consumer (AdminBrokerProcessor.callConsumer): the request is re-sent, with the admin's extFields, to
 * the connection registered under (consumerGroup, clientId), and the client's answer — code, remark,
 * header and body — goes back to the admin unchanged. No such member → SYSTEM_ERROR "not online"; no
 * answer in time → CONSUME_MSG_TIMEOUT; a failed call → SYSTEM_ERROR.
 *
 * For 309 the broker adds `brokerName`, `topicSysFlag` (when it knows `topic`) and `groupSysFlag` (when it
 * knows the group) to the header and sends the stored message named by `msgId` (an offset message id)
 * as the body, exactly as stored (§7.1).
 */
export class ConsumerRelayProcessor {
  static readonly codes = [RequestCode.GET_CONSUMER_RUNNING_INFO, RequestCode.CONSUME_MESSAGE_DIRECTLY];
  private readonly timeoutMs: number;

  constructor(
    private readonly ctx: BrokerContext,
    options: ConsumerRelayOptions = {},
  ) {
    this.timeoutMs = options.callClientTimeoutMs ?? CALL_CLIENT_TIMEOUT_MS;
  }

  readonly process: RequestProcessor['process'] = (cmd) => {
    if (cmd.code === RequestCode.GET_CONSUMER_RUNNING_INFO) {
      const h = GetConsumerRunningInfoRequestHeader.decode(cmd.extFields);
      return this.callConsumer(cmd, h.consumerGroup, h.clientId, { ...cmd.extFields }, cmd.body);
    }
    const h = ConsumeMessageDirectlyResultRequestHeader.decode(cmd.extFields);
    const ext: Record<string, string> = { ...cmd.extFields, brokerName: this.ctx.config.brokerName };
    const tc = h.topic ? this.ctx.topics.get(h.topic) : undefined;
    if (tc) ext.topicSysFlag = String(tc.topicSysFlag);
    const group = this.ctx.groups.get(h.consumerGroup);
    if (group) ext.groupSysFlag = String(group.groupSysFlag);
    const message = this.storedMessage(h.msgId);
    if (typeof message === 'string') return createResponse(cmd, ResponseCode.SYSTEM_ERROR, message);
    return this.callConsumer(cmd, h.consumerGroup, h.clientId ?? '', ext, message);
  };

  /** The record an offset message id points at, or why there is none. */
  private storedMessage(msgId: string | undefined): Buffer | string {
    if (!msgId) return 'msgId is required';
    let offset: number;
    try {
      offset = decodeOffsetMsgId(msgId).offset;
    } catch (err) {
      return (err as Error).message;
    }
    return this.ctx.store.lookMessageByOffset(offset) ?? `can not find message by the offset, ${offset}`;
  }

  private async callConsumer(
    cmd: RemotingCommand,
    group: string,
    clientId: string,
    extFields: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<RemotingCommand> {
    const member = this.ctx.consumers.findChannel(group, clientId);
    if (!member || !member.channel.isActive())
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        `The Consumer <${group}> <${clientId}> not online`,
      );
    try {
      // JSON header: what every client reads.
      const answer = await member.channel.request(createRequest(cmd.code, extFields, body), this.timeoutMs);
      return createResponse(cmd, answer.code, answer.remark, answer.extFields, answer.body);
    } catch (err) {
      if (err instanceof RemotingTimeoutError)
        return createResponse(
          cmd,
          ResponseCode.CONSUME_MSG_TIMEOUT,
          `consumer <${group}> <${clientId}> Timeout: ${err.message}`,
        );
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        `invoke consumer <${group}> <${clientId}> Exception: ${(err as Error).message}`,
      );
    }
  }
}
