import type { RemotingChannel } from '@rocketts/client';
import {
  createResponse,
  decodeBatchBody,
  encodeHostAddress,
  overlaySendProperties,
  scanSendProperties,
  isWriteable,
  MessageProperty,
  Perm,
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
  type SendProperties,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import type { AppendResult, MessageInner } from '../store/commit-log/commit-log';
import { respond } from '../remoting/respond';
import { checkSendTarget } from './send-check';
import {
  DLQ_QUEUE_NUMS_PER_GROUP,
  directRetrySendGoesToDlq,
  maxReconsumeTimesOf,
} from '../retry/retry-policy';
import { parseDelayLevel } from '../schedule/delay-levels';
import { scheduleIfDelayed } from '../schedule/delay-put-hook';
import { holdIfTimer, type TimerRefusal } from '../timer/timer-put-hook';
import { dlqTopicOf, groupOfRetryTopic, isRetryTopic } from '../topics/topic-validator';
import { isHalfRequest, prepareHalfMessage } from '../transaction/half-message';
import { putStatusToResponse } from './response-mapping';

/**
 * What a message's DELAY property does: honoured for single sends, refused in batches (a batch is
 * one contiguous append to one queue), ignored on the way to a DLQ (dead letters are not delayed).
 */
type DelayMode = 'honour' | 'refuse' | 'ignore';

/** Where the messages of one request are stored; built once per request. */
interface Target {
  topic: string;
  queueId: number;
  sysFlag: number;
  bornHost: Buffer;
  delay: DelayMode;
}

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
    const checked = checkSendTarget(this.ctx, cmd, header);
    if ('error' in checked) return checked.error;
    const { topicConfig, queueId } = checked;
    let sysFlag = header.sysFlag;
    if (topicConfig.topicFilterType === TopicFilterType.MULTI_TAG) sysFlag |= MessageSysFlag.MULTI_TAGS;
    const batch = cmd.code === RequestCode.SEND_BATCH_MESSAGE;
    const target: Target = {
      topic: header.topic,
      queueId,
      sysFlag,
      bornHost: this.bornHost(channel),
      delay: batch ? 'refuse' : 'honour',
    };
    if (isRetryTopic(header.topic)) {
      if (batch) {
        return createResponse(
          cmd,
          ResponseCode.MESSAGE_ILLEGAL,
          `batch request does not support retry group ${header.topic}`,
        );
      }
      const error = this.routeRetrySend(cmd, header, target);
      if (error) return error;
    }
    const msgs: MessageInner[] = [];
    if (batch) {
      const text = stripUniqKey(header.properties ?? '');
      const shared: SharedProperties = { text, scan: scanSendProperties(text) };
      for (const e of decodeBatchBody(cmd.body ?? Buffer.alloc(0))) {
        const m = this.message(header, target, e.flag, e.body, e.properties, shared);
        if (typeof m === 'string') return createResponse(cmd, ResponseCode.MESSAGE_ILLEGAL, m);
        if ('code' in m) return createResponse(cmd, m.code, m.remark);
        msgs.push(m);
      }
      if (msgs.length === 0) return createResponse(cmd, ResponseCode.MESSAGE_ILLEGAL, 'the batch is empty');
    } else {
      const m = this.message(header, target, header.flag, cmd.body ?? EMPTY, header.properties ?? '', NONE);
      if (typeof m === 'string') return createResponse(cmd, ResponseCode.MESSAGE_ILLEGAL, m);
      if ('code' in m) return createResponse(cmd, m.code, m.remark);
      msgs.push(m);
    }
    this.ctx.store.appendMessages(msgs, (result) =>
      respond(channel, cmd, this.toResponse(cmd, msgs, target.queueId, result)),
    );
    return null;
  }

  /**
   * §11.2, direct sends to %RETRY%<group> (a client's fallback when send-back failed): past the
   * reconsume limit the message goes to %DLQ%<group> queue 0, undelayed (handleRetryAndDLQ).
   */
  private routeRetrySend(
    cmd: RemotingCommand,
    h: SendMessageRequestHeader,
    target: Target,
  ): RemotingCommand | undefined {
    const groupName = groupOfRetryTopic(h.topic);
    const group = this.ctx.groups.findOrCreate(groupName);
    if (!group) {
      return createResponse(
        cmd,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group not exist, ${groupName}`,
      );
    }
    const max = maxReconsumeTimesOf(cmd.version, h.maxReconsumeTimes, group.retryMaxTimes);
    if (!directRetrySendGoesToDlq(h.reconsumeTimes ?? 0, max)) return undefined;
    const dlq = this.ctx.topics.ensure(
      dlqTopicOf(groupName),
      DLQ_QUEUE_NUMS_PER_GROUP,
      Perm.READ | Perm.WRITE,
    );
    if (!isWriteable(dlq.perm))
      return createResponse(
        cmd,
        ResponseCode.NO_PERMISSION,
        `the topic[${dlq.topicName}] sending message is forbidden`,
      );
    target.topic = dlq.topicName;
    target.queueId = 0;
    target.delay = 'ignore';
    return undefined;
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
    if (cmd.serializeType === SerializeType.JSON)
      resp.extFieldsJson = sendResponseHeaderJson(header, true); // offset ids: hex
    else resp.extFields = SendMessageResponseHeader.encode(header);
    return resp;
  }

  /**
   * The message to store: the broker adds CLUSTER (and UNIQ_KEY when absent, as 5.x brokers do) and
   * derives tags, keys and WAIT. One object literal, no spreads: this runs for every message. Only a
   * message carrying DELAY (or a timer property) goes on to a put hook. A string is why the message
   * is illegal; a refusal carries its own response code (timer messages). `own` and `shared` are
   * scanned apart and joined without being read again: reading a joined string copies it whole.
   */
  private message(
    h: SendMessageRequestHeader,
    t: Target,
    flag: number,
    body: Buffer,
    own: string,
    shared: SharedProperties,
  ): MessageInner | string | TimerRefusal {
    const p =
      shared.text.length === 0
        ? scanSendProperties(own)
        : overlaySendProperties(scanSendProperties(own), shared.scan);
    let s = own;
    if (s.length > 0 && s.charCodeAt(s.length - 1) !== 2) s += '\u0002';
    // Shared text is whole entries, each ending in U+0002 (stripUniqKey).
    if (shared.text.length > 0) s += shared.text;
    let uniqKey = p.uniqKey;
    if (!uniqKey) {
      uniqKey = this.uniqKeys.next();
      s += `${MessageProperty.UNIQ_KEY}\u0001${uniqKey}\u0002`;
    }
    const msg: MessageInner = {
      topic: t.topic,
      queueId: t.queueId,
      flag,
      body,
      properties: s + this.clusterProperty,
      tagsCode: tagsCodeOf(p.tags),
      sysFlag: t.sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost: t.bornHost,
      storeHost: this.ctx.storeHost(),
      reconsumeTimes: h.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      waitStoreMsgOK: p.wait !== 'false',
      keys: p.keys,
      uniqKey,
    };
    // A half message waits for END_TRANSACTION; its DELAY applies to the committed copy (§10.1).
    if (p.tranMsg !== undefined && isHalfRequest(p.tranMsg))
      return prepareHalfMessage(this.ctx.topics, msg, t.delay === 'refuse');
    let delayed = false;
    if (p.delay !== undefined && t.delay !== 'ignore') {
      const level = parseDelayLevel(p.delay);
      if (level === undefined) return `the DELAY property '${p.delay}' is not a delay level`;
      if (level > 0 && t.delay === 'refuse') return 'delayed messages cannot be sent in a batch';
      delayed = scheduleIfDelayed(msg, level, this.ctx.schedule.levels);
    }
    // A DELAY level takes precedence (and stripped the timer properties).
    if (p.timer && !delayed && t.delay !== 'ignore') {
      if (t.delay === 'refuse') return 'timer messages cannot be sent in a batch';
      const refused = holdIfTimer(msg, this.ctx.scheduleConfig, this.ctx.timer.wheel, Date.now());
      if (refused) return refused;
    }
    return msg;
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

/** Batch-level properties: the text appended to every message of the batch, and its scan. */
interface SharedProperties {
  text: string;
  scan: SendProperties;
}

const NONE: SharedProperties = { text: '', scan: {} };

/** Batch-level properties are appended to each message (≤ 5.3.3); a batch UNIQ_KEY would override each message's own, a known bug, so it is dropped. */
function stripUniqKey(props: string): string {
  return props
    .split('\u0002')
    .filter((kv) => kv.length > 0 && !kv.startsWith(`${MessageProperty.UNIQ_KEY}\u0001`))
    .map((kv) => kv + '\u0002')
    .join('');
}
