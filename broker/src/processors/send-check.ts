import {
  createResponse,
  isWriteable,
  ResponseCode,
  type RemotingCommand,
  type SendMessageRequestHeader,
  type TopicConfig,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import { isNotAllowedSendTopic, isRetryTopic, topicNameProblem } from '../topics/topic-validator';

/**
 * Steps 1–4 of the send algorithm (§4.1, AbstractSendMessageProcessor.msgCheck), shared by sends and
 * replies: broker permission, topic name, topic (auto-created, retry topics with one queue), queue id.
 */
export function checkSendTarget(
  ctx: BrokerContext,
  cmd: RemotingCommand,
  h: SendMessageRequestHeader,
): { error: RemotingCommand } | { topicConfig: TopicConfig; queueId: number } {
  const fail = (code: number, remark: string): { error: RemotingCommand } => ({
    error: createResponse(cmd, code, remark),
  });
  if (!isWriteable(ctx.settings.brokerPermission)) {
    return fail(
      ResponseCode.NO_PERMISSION,
      `the broker[${ctx.config.brokerName}] sending message is forbidden`,
    );
  }
  const problem = topicNameProblem(h.topic);
  if (problem) return fail(ResponseCode.SYSTEM_ERROR, problem);
  if (isNotAllowedSendTopic(h.topic))
    return fail(ResponseCode.NO_PERMISSION, `Sending message to topic[${h.topic}] is forbidden.`);
  let tc = ctx.topics.get(h.topic);
  if (!tc) {
    tc = isRetryTopic(h.topic)
      ? ctx.topics.ensure(h.topic, 1, 6)
      : ctx.settings.autoCreateTopicEnable
        ? ctx.topics.createFromTemplate(h.topic, h.defaultTopic, h.defaultTopicQueueNums)
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
