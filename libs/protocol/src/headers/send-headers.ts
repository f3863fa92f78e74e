import { defineHeader, type FieldSpec, type HeaderOf, type HeaderValue } from './header-codec';

/**
 * SendMessageRequestHeader. SEND_MESSAGE (10) carries the Java field names; SEND_MESSAGE_V2 (310) and
 * SEND_BATCH_MESSAGE (320) the one-letter keys a…n (SendMessageRequestHeaderV2).
 */
const SEND_SPEC = {
  producerGroup: { type: 'string', required: true, wire: 'a' },
  topic: { type: 'string', required: true, wire: 'b' },
  defaultTopic: { type: 'string', required: true, wire: 'c' },
  defaultTopicQueueNums: { type: 'int', required: true, wire: 'd' },
  queueId: { type: 'int', required: true, wire: 'e' },
  sysFlag: { type: 'int', required: true, wire: 'f' },
  bornTimestamp: { type: 'long', required: true, wire: 'g' },
  flag: { type: 'int', required: true, wire: 'h' },
  properties: { type: 'string', wire: 'i' },
  reconsumeTimes: { type: 'int', wire: 'j' },
  unitMode: { type: 'boolean', wire: 'k' },
  maxReconsumeTimes: { type: 'int', wire: 'l' },
  batch: { type: 'boolean', wire: 'm' },
  brokerName: { type: 'string', wire: 'n' },
} as const satisfies Record<string, FieldSpec>;

const longNames = Object.fromEntries(
  Object.entries(SEND_SPEC).map(([k, spec]: [string, FieldSpec]) => [
    k,
    { type: spec.type, required: spec.required },
  ]),
) as unknown as { [K in keyof typeof SEND_SPEC]: Omit<(typeof SEND_SPEC)[K], 'wire'> };

export type SendMessageRequestHeader = HeaderOf<typeof SEND_SPEC>;
export const SendMessageRequestHeaderV1 = defineHeader('SendMessageRequestHeader', longNames);
export const SendMessageRequestHeaderV2 = defineHeader('SendMessageRequestHeaderV2', SEND_SPEC);

export const SendMessageResponseHeader = defineHeader('SendMessageResponseHeader', {
  msgId: { type: 'string', required: true },
  queueId: { type: 'int', required: true },
  queueOffset: { type: 'long', required: true },
  transactionId: { type: 'string' },
  batchUniqId: { type: 'string' },
  // Not part of the Java class but always present as extFields; the Java client reads them unconditionally.
  MSG_REGION: { type: 'string' },
  TRACE_ON: { type: 'string' },
});
export type SendMessageResponseHeader = HeaderValue<typeof SendMessageResponseHeader>;
