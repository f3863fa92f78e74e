import type { RemotingChannel } from '@rocketts/client';
import {
  ConsumerSendMsgBackRequestHeader,
  createResponse,
  decodeMessageRecord,
  isWriteable,
  MessageProperty,
  Perm,
  RequestCode,
  ResponseCode,
  type Properties,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import { respond } from '../remoting/respond';
import { decideSendBack, DLQ_QUEUE_NUMS_PER_GROUP, maxReconsumeTimesOf } from '../retry/retry-policy';
import { scheduleIfDelayed } from '../schedule/delay-put-hook';
import { PutMessageStatus } from '../store/statuses';
import { rePut } from '../store/stored-message';
import { dlqTopicOf, retryTopicOf } from '../topics/topic-validator';

/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer hands back a message it failed to consume
 * (AbstractSendMessageProcessor.consumerSendMsgBack, §11.2). The broker stores a copy for
 * %RETRY%<group> through the delay levels, or for %DLQ%<group> once the group has had enough tries.
 */
export class ConsumerSendMsgBackProcessor implements RequestProcessor {
  static readonly codes = [RequestCode.CONSUMER_SEND_MSG_BACK];

  constructor(private readonly ctx: BrokerContext) {}

  /** Answers through the channel once the copy is stored (null: no response now). */
  process(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand | null {
    const h = ConsumerSendMsgBackRequestHeader.decode(cmd.extFields);
    const fail = (code: number, remark: string): RemotingCommand => createResponse(cmd, code, remark);
    const { ctx } = this;
    // 1. The group must exist (or be auto-created) and the broker take writes.
    const group = ctx.groups.findOrCreate(h.group);
    if (!group)
      return fail(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${h.group}`);
    if (!isWriteable(ctx.settings.brokerPermission))
      return fail(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.config.brokerName}] sending message is forbidden`,
      );
    // A group without retry queues does not retry: the message is dropped.
    if (group.retryQueueNums <= 0) return createResponse(cmd, ResponseCode.SUCCESS);
    // 2. The retry topic, with the group's retry queues, perm 6.
    let topic = ctx.topics.ensure(retryTopicOf(h.group), group.retryQueueNums, Perm.READ | Perm.WRITE);
    if (!isWriteable(topic.perm))
      return fail(ResponseCode.NO_PERMISSION, `the topic[${topic.topicName}] sending message is forbidden`);
    let queueId = Math.floor(Math.random() * group.retryQueueNums);
    // 3. The original, by its commit-log offset.
    const record = ctx.store.lookMessageByOffset(h.offset);
    if (!record) return fail(ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${h.offset}`);
    const original = decodeMessageRecord(record);
    // 4. Where it came from first, and 7. the copy's own properties.
    const props: Properties = { ...original.properties };
    props[MessageProperty.RETRY_TOPIC] ??= original.topic;
    props[MessageProperty.WAIT] = 'false';
    props[MessageProperty.ORIGIN_MESSAGE_ID] ??= original.offsetMsgId;
    // 5–6. Retry at a delay level, or dead-letter it.
    const max = maxReconsumeTimesOf(cmd.version, h.maxReconsumeTimes, group.retryMaxTimes);
    const decision = decideSendBack(original.reconsumeTimes, h.delayLevel, max);
    if (decision.target === 'DLQ') {
      topic = ctx.topics.ensure(dlqTopicOf(h.group), DLQ_QUEUE_NUMS_PER_GROUP, Perm.READ | Perm.WRITE);
      if (!isWriteable(topic.perm))
        return fail(ResponseCode.NO_PERMISSION, `the topic[${topic.topicName}] sending message is forbidden`);
      queueId = 0;
      delete props[MessageProperty.DELAY];
    } else {
      props[MessageProperty.DELAY] = String(decision.delayLevel);
    }
    const msg = rePut(record, original, {
      topic: topic.topicName,
      queueId,
      properties: props,
      reconsumeTimes: original.reconsumeTimes + 1,
      storeHost: ctx.storeHost(),
    });
    if (decision.target === 'RETRY') scheduleIfDelayed(msg, decision.delayLevel, ctx.schedule.levels);
    // 8. SUCCESS once stored, else SYSTEM_ERROR naming the put status.
    ctx.store.appendMessages([msg], (r) => {
      if (r.status === PutMessageStatus.PUT_OK) {
        ctx.stats.recordPut(1, r.wroteBytes);
        respond(channel, cmd, createResponse(cmd, ResponseCode.SUCCESS));
      } else {
        ctx.stats.sendFailures++;
        respond(channel, cmd, createResponse(cmd, ResponseCode.SYSTEM_ERROR, r.status));
      }
    });
    return null;
  }
}
