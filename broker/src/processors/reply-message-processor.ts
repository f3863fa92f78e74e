import type { RemotingChannel } from '@rocketts/client';
import {
  createRequest,
  createResponse,
  encodeHostAddress,
  findProperty,
  MessageProperty,
  parseAddress,
  Perm,
  ReplyMessageRequestHeader,
  replyTopicOf,
  RequestCode,
  ResponseCode,
  scanSendProperties,
  SendMessageRequestHeaderV1,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  tagsCodeOf,
  type RemotingCommand,
  type SendMessageRequestHeader,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import type { AppendResult, MessageInner } from '../store/commit-log/commit-log';
import type { TopicConfigManager } from '../topics/topic-config-manager';
import { putStatusToResponse } from './response-mapping';
import { checkSendTarget } from './send-check';

/** How long the requester may take to acknowledge a pushed reply (Broker2Client.callClient). */
export const PUSH_REPLY_TIMEOUT_MS = 10_000; // 10 s

/**
 * The reply topic every broker creates at start, one queue, read + write (TopicConfigManager's
 * constructor): repliers may send to any broker of the cluster.
 */
export function ensureReplyTopic(topics: TopicConfigManager, clusterName: string): void {
  topics.ensure(replyTopicOf(clusterName), 1, Perm.READ | Perm.WRITE);
}

/**
 * SEND_REPLY_MESSAGE (324) and SEND_REPLY_MESSAGE_V2 (325) — ReplyMessageProcessor.java: push the reply
 * with PUSH_REPLY_MESSAGE_TO_CLIENT to the connection of the producer whose client id is the reply's
 * REPLY_TO_CLIENT, then store it when storeReplyMessageEnable. The answer is SUCCESS only if the push
 * succeeded; otherwise SYSTEM_ERROR with RocketMQ's remark (the reply may still have been stored).
 */
export class ReplyMessageProcessor implements RequestProcessor {
  static readonly codes = [RequestCode.SEND_REPLY_MESSAGE, RequestCode.SEND_REPLY_MESSAGE_V2];

  constructor(private readonly ctx: BrokerContext) {}

  async process(cmd: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand> {
    const h =
      cmd.code === RequestCode.SEND_REPLY_MESSAGE
        ? SendMessageRequestHeaderV1.decode(cmd.extFields)
        : SendMessageRequestHeaderV2.decode(cmd.extFields);
    const checked = checkSendTarget(this.ctx, cmd, h);
    if ('error' in checked) return checked.error;
    const { queueId } = checked;
    const body = cmd.body ?? Buffer.alloc(0);
    const properties = h.properties ?? '';
    const pushed = await this.push(h, channel, body, properties);
    const resp = createResponse(
      cmd,
      pushed.ok ? ResponseCode.SUCCESS : ResponseCode.SYSTEM_ERROR,
      pushed.remark,
    );
    // "0" keeps clients that decode the header happy when the reply is not stored.
    const header: SendMessageResponseHeader = {
      msgId: '0',
      queueId,
      queueOffset: 0,
      MSG_REGION: this.ctx.config.regionId,
      TRACE_ON: String(this.ctx.config.traceOn),
    };
    if (this.ctx.config.storeReplyMessageEnable) {
      const stored = await this.store(h, queueId, body, properties, channel);
      if (putStatusToResponse(stored.status).code === ResponseCode.SUCCESS || stored.wroteOffset >= 0) {
        this.ctx.stats.recordPut(1, stored.wroteBytes);
        header.msgId = stored.msgIds[0] ?? '0';
        header.queueOffset = stored.queueOffset;
      } else {
        this.ctx.logger.warn('storing a reply failed', { topic: h.topic, status: stored.status });
      }
    }
    resp.extFields = SendMessageResponseHeader.encode(header);
    return resp;
  }

  /** pushReplyMessage: the requester must have heartbeated as a producer on a connection to this broker. */
  private async push(
    h: SendMessageRequestHeader,
    from: RemotingChannel,
    body: Buffer,
    properties: string,
  ): Promise<{ ok: boolean; remark?: string }> {
    const senderId = findProperty(properties, MessageProperty.REPLY_TO_CLIENT);
    if (!senderId) {
      return { ok: false, remark: `reply message properties[${MessageProperty.REPLY_TO_CLIENT}] is null` };
    }
    const target = this.ctx.producers.findChannel(senderId);
    if (!target) {
      const remark = `push reply message fail, channel of <${senderId}> not found.`;
      this.ctx.logger.warn(remark);
      return { ok: false, remark };
    }
    const now = Date.now();
    let props = properties;
    if (props.length > 0 && !props.endsWith('\u0002')) props += '\u0002';
    props += `${MessageProperty.PUSH_REPLY_TIME}\u0001${now}\u0002`;
    const push = createRequest(
      RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
      ReplyMessageRequestHeader.encode({
        producerGroup: h.producerGroup,
        topic: h.topic,
        defaultTopic: h.defaultTopic,
        defaultTopicQueueNums: h.defaultTopicQueueNums,
        queueId: h.queueId,
        sysFlag: h.sysFlag,
        bornTimestamp: h.bornTimestamp,
        flag: h.flag,
        properties: props,
        reconsumeTimes: h.reconsumeTimes,
        unitMode: h.unitMode ?? false,
        bornHost: from.remoteAddress,
        storeHost: this.ctx.brokerAddr(),
        storeTimestamp: now,
      }),
      body,
    );
    const failed = `push reply message to ${senderId}fail.`; // sic: RocketMQ's remark has no space
    try {
      const resp = await target.request(push, PUSH_REPLY_TIMEOUT_MS);
      if (resp.code === ResponseCode.SUCCESS) return { ok: true };
      this.ctx.logger.warn('requester refused a pushed reply', { senderId, remark: resp.remark });
      return { ok: false, remark: failed };
    } catch (err) {
      this.ctx.logger.warn('pushing a reply failed', { senderId, error: err });
      return { ok: false, remark: failed };
    }
  }

  private store(
    h: SendMessageRequestHeader,
    queueId: number,
    body: Buffer,
    properties: string,
    from: RemotingChannel,
  ): Promise<AppendResult> {
    const p = scanSendProperties(properties);
    const { host, port } = parseAddress(from.remoteAddress);
    const msg: MessageInner = {
      topic: h.topic,
      queueId,
      flag: h.flag,
      body,
      properties,
      tagsCode: tagsCodeOf(p.tags),
      sysFlag: h.sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost: encodeHostAddress(host, port),
      storeHost: this.ctx.storeHost(),
      reconsumeTimes: h.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      waitStoreMsgOK: p.wait !== 'false',
      keys: p.keys,
      uniqKey: p.uniqKey,
    };
    return new Promise((resolve) => this.ctx.store.appendMessages([msg], resolve));
  }
}
