import { defineHeader, type HeaderValue } from './header-codec';

/**
 * PUSH_REPLY_MESSAGE_TO_CLIENT (326), broker → requesting client: the reply's SEND header fields plus where
 * and when the broker received it (ReplyMessageRequestHeader). The body is the reply body as sent
 * (compressed when sysFlag says so). Hosts are "ip:port".
 */
export const ReplyMessageRequestHeader = defineHeader('ReplyMessageRequestHeader', {
  producerGroup: { type: 'string', required: true },
  topic: { type: 'string', required: true },
  defaultTopic: { type: 'string', required: true },
  defaultTopicQueueNums: { type: 'int', required: true },
  queueId: { type: 'int', required: true },
  sysFlag: { type: 'int', required: true },
  bornTimestamp: { type: 'long', required: true },
  flag: { type: 'int', required: true },
  properties: { type: 'string' },
  reconsumeTimes: { type: 'int' },
  unitMode: { type: 'boolean' },
  bornHost: { type: 'string', required: true },
  storeHost: { type: 'string', required: true },
  storeTimestamp: { type: 'long', required: true },
});

export type ReplyMessageRequestHeader = HeaderValue<typeof ReplyMessageRequestHeader>;
