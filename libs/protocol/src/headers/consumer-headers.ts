import { defineHeader, type HeaderValue } from './header-codec';

/** CONSUMER_SEND_MSG_BACK (36): `offset` is the commit-log offset of the message that failed (§11.2). */
export const ConsumerSendMsgBackRequestHeader = defineHeader('ConsumerSendMsgBackRequestHeader', {
  offset: { type: 'long', required: true },
  group: { type: 'string', required: true },
  delayLevel: { type: 'int', required: true },
  originMsgId: { type: 'string' },
  originTopic: { type: 'string' },
  unitMode: { type: 'boolean' },
  maxReconsumeTimes: { type: 'int' },
});

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (222, admin → broker) and RESET_CONSUMER_CLIENT_OFFSET (220,
 * broker → client) share this header; `timestamp` is ms, -1 with `offset` set resets one queue (5.x).
 */
export const ResetOffsetRequestHeader = defineHeader('ResetOffsetRequestHeader', {
  topic: { type: 'string', required: true },
  group: { type: 'string', required: true },
  timestamp: { type: 'long', required: true },
  isForce: { type: 'boolean', required: true },
  queueId: { type: 'int' },
  offset: { type: 'long' },
});

/** GET_CONSUMER_RUNNING_INFO (307): admin → broker, relayed as is to the client. */
export const GetConsumerRunningInfoRequestHeader = defineHeader('GetConsumerRunningInfoRequestHeader', {
  consumerGroup: { type: 'string', required: true },
  clientId: { type: 'string', required: true },
  jstackEnable: { type: 'boolean' },
});

/** CONSUME_MESSAGE_DIRECTLY (309): admin → broker → client, with the stored message as body. */
export const ConsumeMessageDirectlyResultRequestHeader = defineHeader(
  'ConsumeMessageDirectlyResultRequestHeader',
  {
    consumerGroup: { type: 'string', required: true },
    clientId: { type: 'string' },
    msgId: { type: 'string' },
    brokerName: { type: 'string' },
    topic: { type: 'string' },
    topicSysFlag: { type: 'int' },
    groupSysFlag: { type: 'int' },
  },
);

/** GET_CONSUME_STATS (208): one topic, a ";"-separated list (5.x), or every topic of the group. */
export const GetConsumeStatsRequestHeader = defineHeader('GetConsumeStatsRequestHeader', {
  consumerGroup: { type: 'string', required: true },
  topic: { type: 'string' },
  topicList: { type: 'string' },
});

/** GET_PRODUCER_CONNECTION_LIST (204). */
export const GetProducerConnectionListRequestHeader = defineHeader('GetProducerConnectionListRequestHeader', {
  producerGroup: { type: 'string', required: true },
});

export type ConsumerSendMsgBackRequestHeader = HeaderValue<typeof ConsumerSendMsgBackRequestHeader>;
export type ResetOffsetRequestHeader = HeaderValue<typeof ResetOffsetRequestHeader>;
export type GetConsumerRunningInfoRequestHeader = HeaderValue<typeof GetConsumerRunningInfoRequestHeader>;
export type ConsumeMessageDirectlyResultRequestHeader = HeaderValue<
  typeof ConsumeMessageDirectlyResultRequestHeader
>;
export type GetConsumeStatsRequestHeader = HeaderValue<typeof GetConsumeStatsRequestHeader>;
export type GetProducerConnectionListRequestHeader = HeaderValue<
  typeof GetProducerConnectionListRequestHeader
>;
