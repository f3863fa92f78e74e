import { defineHeader, type HeaderValue } from './header-codec';

export const UnregisterClientRequestHeader = defineHeader('UnregisterClientRequestHeader', {
  clientID: { type: 'string', required: true },
  producerGroup: { type: 'string' },
  consumerGroup: { type: 'string' },
});

/** GET_CONSUMER_LIST_BY_GROUP and NOTIFY_CONSUMER_IDS_CHANGED. */
export const ConsumerGroupRequestHeader = defineHeader('ConsumerGroupRequestHeader', {
  consumerGroup: { type: 'string', required: true },
});

export type UnregisterClientRequestHeader = HeaderValue<typeof UnregisterClientRequestHeader>;
export type ConsumerGroupRequestHeader = HeaderValue<typeof ConsumerGroupRequestHeader>;
