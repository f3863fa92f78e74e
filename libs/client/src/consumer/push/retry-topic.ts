import {
  DLQ_GROUP_TOPIC_PREFIX,
  MessageProperty,
  RETRY_GROUP_TOPIC_PREFIX,
  type MessageExt,
} from '@rocketts/protocol';

/** %RETRY%<group>: where a group's failed messages come back (MixAll.getRetryTopic). */
export const retryTopicOf = (group: string): string => `${RETRY_GROUP_TOPIC_PREFIX}${group}`;

/** %DLQ%<group>: where messages go after maxReconsumeTimes failures (MixAll.getDLQTopic). */
export const dlqTopicOf = (group: string): string => `${DLQ_GROUP_TOPIC_PREFIX}${group}`;

export const isRetryTopic = (topic: string): boolean => topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);

/**
 * A message redelivered through the group's %RETRY% topic is shown to the handler under its original
 * topic, read from RETRY_TOPIC (DefaultMQPushConsumerImpl.resetRetryAndNamespace). Messages of other
 * topics, and retry messages of another group's retry topic, are left alone.
 */
export function resetRetryTopic(msgs: readonly MessageExt[], group: string): void {
  const groupRetryTopic = retryTopicOf(group);
  for (const m of msgs) {
    if (m.topic !== groupRetryTopic) continue;
    const original = m.properties[MessageProperty.RETRY_TOPIC];
    if (original !== undefined) m.setTopic(original);
  }
}

/** Java stamps the start of consumption on each message (MessageAccessor.setConsumeStartTimeStamp). */
export function markConsumeStart(msgs: readonly MessageExt[], now = Date.now()): void {
  for (const m of msgs) m.setConsumeStartTimestamp(now);
}
