import type { RemotingChannel } from '@rocketts/client';
import {
  createResponse,
  decodeBatchBody,
  encodeHostAddress,
  scanSendProperties,
  isWriteable,
  MessageProperty,
  MessageSysFlag,
  parseAddress,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV1,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  sendResponseHeaderJson,
  SerializeType,
  tagsCodeOf,
  TopicFilterType,
  UniqKeyGenerator,
  type RemotingCommand,
  type SendMessageRequestHeader,
  type TopicConfig,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import type { AppendResult, MessageInner } from '../store/commit-log/commit-log';
import { respond } from '../remoting/respond';
import { isNotAllowedSendTopic, isRetryTopic, topicNameProblem } from '../topics/topic-validator';
import { putStatusToResponse } from './response-mapping';

/** Send requests: SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320) — SendMessageProcessor.java. */
export class SendMessageProcessor implements RequestProcessor {
  static readonly codes = [
    RequestCode.SEND_MESSAGE,
    RequestCode.SEND_MESSAGE_V2,
    RequestCode.SEND_BATCH_MESSAGE,
  ];
  private readonly bornHosts = new WeakMap<RemotingChannel, Buffer>();
  /** 5.x brokers give messages without UNIQ_KEY one (ali-ons sends none), so every message is findable. */
  private readonly uniqKeys = new UniqKeyGenerator();

  private readonly traceOn: string;
  private readonly clusterProperty: string;

  constructor(private readonly ctx: BrokerContext) {
    this.traceOn = String(ctx.config.traceOn);
    this.clusterProperty = `${MessageProperty.CLUSTER}\u0001${ctx.config.brokerClusterName}\u0002`;
  }

  /** Answers through the channel once the store's durability goal is met (null: no response now). */
  process(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand | null {
    const header =
      cmd.code === RequestCode.SEND_MESSAGE
        ? SendMessageRequestHeaderV1.decode(cmd.extFields)
        : SendMessageRequestHeaderV2.decode(cmd.extFields);
    const checked = this.check(cmd, header);
    if ('error' in checked) return checked.error;
    const { topicConfig, queueId } = checked;
    let sysFlag = header.sysFlag;
    if (topicConfig.topicFilterType === TopicFilterType.MULTI_TAG) sysFlag |= MessageSysFlag.MULTI_TAGS;
    const bornHost = this.bornHost(channel);
    const build = (flag: number, body: Buffer, props: string): MessageInner =>
      this.message(header, queueId, sysFlag, bornHost, flag, body, props);
    let msgs: MessageInner[];
    if (cmd.code === RequestCode.SEND_BATCH_MESSAGE) {
      const batchProps = stripUniqKey(header.properties ?? '');
      msgs = decodeBatchBody(cmd.body ?? Buffer.alloc(0)).map((e) =>
        build(e.flag, e.body, joinProps(e.properties, batchProps)),
      );
      if (msgs.length === 0) return createResponse(cmd, ResponseCode.MESSAGE_ILLEGAL, 'the batch is empty');
    } else {
      msgs = [build(header.flag, cmd.body ?? EMPTY, header.properties ?? '')];
    }
    this.ctx.store.appendMessages(msgs, (result) =>
      respond(channel, cmd, this.toResponse(cmd, msgs, queueId, result)),
    );
    return null;
  }

  private toResponse(
    cmd: RemotingCommand,
    msgs: MessageInner[],
    queueId: number,
    result: AppendResult,
  ): RemotingCommand {
    const mapped = putStatusToResponse(result.status);
    if (mapped.code !== ResponseCode.SUCCESS && result.wroteOffset < 0) {
      this.ctx.stats.sendFailures++;
      return createResponse(cmd, mapped.code, result.remark ?? mapped.remark ?? result.status);
    }
    this.ctx.stats.recordPut(msgs.length, result.wroteBytes);
    const header: SendMessageResponseHeader = {
      msgId: result.msgIds.length === 1 ? (result.msgIds[0] as string) : result.msgIds.join(','),
      queueId,
      queueOffset: result.queueOffset,
      transactionId: msgs.length === 1 ? (msgs[0] as MessageInner).uniqKey : undefined,
      MSG_REGION: this.ctx.config.regionId,
      TRACE_ON: this.traceOn,
    };
    const resp = createResponse(
      cmd,
      mapped.code,
      mapped.code === ResponseCode.SUCCESS ? undefined : result.status,
    );
    // JSON clients (most) get the header text written directly; binary ones the map.
    if (cmd.serializeType === SerializeType.JSON) resp.extFieldsJson = sendResponseHeaderJson(header);
    else resp.extFields = SendMessageResponseHeader.encode(header);
    return resp;
  }

  /** Steps 1–4 of the send algorithm (§4.1): permissions, topic name, topic (auto-create), queue. */
  private check(
    cmd: RemotingCommand,
    h: SendMessageRequestHeader,
  ): { error: RemotingCommand } | { topicConfig: TopicConfig; queueId: number } {
    const fail = (code: number, remark: string): { error: RemotingCommand } => ({
      error: createResponse(cmd, code, remark),
    });
    if (!isWriteable(this.ctx.settings.brokerPermission)) {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the broker[${this.ctx.config.brokerName}] sending message is forbidden`,
      );
    }
    const problem = topicNameProblem(h.topic);
    if (problem) return fail(ResponseCode.SYSTEM_ERROR, problem);
    if (isNotAllowedSendTopic(h.topic))
      return fail(ResponseCode.NO_PERMISSION, `Sending message to topic[${h.topic}] is forbidden.`);
    let tc = this.ctx.topics.get(h.topic);
    if (!tc) {
      tc = isRetryTopic(h.topic)
        ? this.ctx.topics.ensure(h.topic, 1, 6)
        : this.ctx.settings.autoCreateTopicEnable
          ? this.ctx.topics.createFromTemplate(h.topic, h.defaultTopic, h.defaultTopicQueueNums)
          : undefined;
      if (!tc) return fail(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
    }
    if (!isWriteable(tc.perm))
      return fail(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] sending message is forbidden`);
    let queueId = h.queueId;
    const maxQueues = Math.max(tc.writeQueueNums, tc.readQueueNums);
    if (queueId < 0) queueId = Math.floor(Math.random() * tc.writeQueueNums);
    else if (queueId >= maxQueues) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `request queueId[${queueId}] is illegal, topic:[${h.topic}] topicConfig.writeQueueNums:[${tc.writeQueueNums}]`,
      );
    }
    return { topicConfig: tc, queueId };
  }

  /**
   * The message to store: the broker adds CLUSTER (and UNIQ_KEY when absent, as 5.x brokers do) and
   * derives tags, keys and WAIT. One object literal, no spreads: this runs for every message.
   */
  private message(
    h: SendMessageRequestHeader,
    queueId: number,
    sysFlag: number,
    bornHost: Buffer,
    flag: number,
    body: Buffer,
    props: string,
  ): MessageInner {
    const p = scanSendProperties(props);
    let s = props;
    if (s.length > 0 && s.charCodeAt(s.length - 1) !== 2) s += '\u0002';
    let uniqKey = p.uniqKey;
    if (!uniqKey) {
      uniqKey = this.uniqKeys.next();
      s += `${MessageProperty.UNIQ_KEY}\u0001${uniqKey}\u0002`;
    }
    return {
      topic: h.topic,
      queueId,
      flag,
      body,
      properties: s + this.clusterProperty,
      tagsCode: tagsCodeOf(p.tags),
      sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost,
      storeHost: this.ctx.storeHost(),
      reconsumeTimes: h.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      waitStoreMsgOK: p.wait !== 'false',
      keys: p.keys,
      uniqKey,
    };
  }

  private bornHost(channel: RemotingChannel): Buffer {
    let b = this.bornHosts.get(channel);
    if (!b) {
      const { host, port } = parseAddress(channel.remoteAddress);
      b = encodeHostAddress(host, port);
      this.bornHosts.set(channel, b);
    }
    return b;
  }
}

const EMPTY = Buffer.alloc(0);

/** Batch-level properties are appended to each message (≤ 5.3.3); a batch UNIQ_KEY would override each message's own, a known bug, so it is dropped. */
function stripUniqKey(props: string): string {
  return props
    .split('\u0002')
    .filter((kv) => kv.length > 0 && !kv.startsWith(`${MessageProperty.UNIQ_KEY}\u0001`))
    .map((kv) => kv + '\u0002')
    .join('');
}

function joinProps(own: string, batch: string): string {
  if (batch.length === 0) return own;
  return own.length === 0 || own.endsWith('\u0002') ? own + batch : `${own}\u0002${batch}`;
}
