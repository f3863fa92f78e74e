import { defineHeader, type HeaderValue } from './header-codec';

export const QueryConsumerOffsetRequestHeader = defineHeader('QueryConsumerOffsetRequestHeader', {
  consumerGroup: { type: 'string', required: true },
  topic: { type: 'string', required: true },
  queueId: { type: 'int', required: true },
  setZeroIfNotFound: { type: 'boolean' },
});

export const UpdateConsumerOffsetRequestHeader = defineHeader('UpdateConsumerOffsetRequestHeader', {
  consumerGroup: { type: 'string', required: true },
  topic: { type: 'string', required: true },
  queueId: { type: 'int', required: true },
  commitOffset: { type: 'long', required: true },
});

/** Shared by GET_MAX_OFFSET, GET_MIN_OFFSET and GET_EARLIEST_MSG_STORETIME requests. */
export const TopicQueueRequestHeader = defineHeader('TopicQueueRequestHeader', {
  topic: { type: 'string', required: true },
  queueId: { type: 'int', required: true },
  committed: { type: 'boolean' },
});

export const SearchOffsetRequestHeader = defineHeader('SearchOffsetRequestHeader', {
  topic: { type: 'string', required: true },
  queueId: { type: 'int', required: true },
  timestamp: { type: 'long', required: true },
  boundaryType: { type: 'string' },
});

/** Response of QUERY_CONSUMER_OFFSET, GET_MAX/MIN_OFFSET and SEARCH_OFFSET_BY_TIMESTAMP. */
export const OffsetResponseHeader = defineHeader('OffsetResponseHeader', {
  offset: { type: 'long', required: true },
});

export const GetEarliestMsgStoretimeResponseHeader = defineHeader('GetEarliestMsgStoretimeResponseHeader', {
  timestamp: { type: 'long', required: true },
});

export type QueryConsumerOffsetRequestHeader = HeaderValue<typeof QueryConsumerOffsetRequestHeader>;
export type UpdateConsumerOffsetRequestHeader = HeaderValue<typeof UpdateConsumerOffsetRequestHeader>;
export type TopicQueueRequestHeader = HeaderValue<typeof TopicQueueRequestHeader>;
export type SearchOffsetRequestHeader = HeaderValue<typeof SearchOffsetRequestHeader>;
export type OffsetResponseHeader = HeaderValue<typeof OffsetResponseHeader>;
export type GetEarliestMsgStoretimeResponseHeader = HeaderValue<typeof GetEarliestMsgStoretimeResponseHeader>;
