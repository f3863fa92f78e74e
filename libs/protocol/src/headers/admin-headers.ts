import { defineHeader, type HeaderValue } from './header-codec';

export const CreateTopicRequestHeader = defineHeader('CreateTopicRequestHeader', {
  topic: { type: 'string', required: true },
  defaultTopic: { type: 'string', required: true },
  readQueueNums: { type: 'int', required: true },
  writeQueueNums: { type: 'int', required: true },
  perm: { type: 'int', required: true },
  topicFilterType: { type: 'string', required: true },
  topicSysFlag: { type: 'int' },
  order: { type: 'boolean', required: true },
  attributes: { type: 'string' },
  force: { type: 'boolean' },
});

/** DELETE_TOPIC_IN_BROKER, GET_TOPIC_STATS_INFO, GET_ROUTEINFO_BY_TOPIC and other topic-only requests. */
export const TopicRequestHeader = defineHeader('TopicRequestHeader', {
  topic: { type: 'string', required: true },
  acceptStandardJsonOnly: { type: 'boolean' },
});

export const DeleteSubscriptionGroupRequestHeader = defineHeader('DeleteSubscriptionGroupRequestHeader', {
  groupName: { type: 'string', required: true },
  cleanOffset: { type: 'boolean' },
});

export type CreateTopicRequestHeader = HeaderValue<typeof CreateTopicRequestHeader>;
export type TopicRequestHeader = HeaderValue<typeof TopicRequestHeader>;
export type DeleteSubscriptionGroupRequestHeader = HeaderValue<typeof DeleteSubscriptionGroupRequestHeader>;
