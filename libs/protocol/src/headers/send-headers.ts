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

/** Quoted forms of the strings every send repeats (group, topic, broker name), so each is escaped once. */
const quotedCache = new Map<string, string>();
const QUOTED_CACHE_MAX = 4096;

const q = (s: string): string => JSON.stringify(s);

/** JSON.stringify of a string that recurs from message to message; bounded, cleared when full. */
function qRecurring(s: string): string {
  let out = quotedCache.get(s);
  if (out === undefined) {
    if (quotedCache.size >= QUOTED_CACHE_MAX) quotedCache.clear();
    out = JSON.stringify(s);
    quotedCache.set(s, out);
  }
  return out;
}

/**
 * SendMessageRequestHeaderV2 as the JSON text of extFields, written directly rather than through
 * an object and JSON.stringify: the producer builds one per message. Values are strings, as Java
 * sends them; the key order is a…n.
 */
export function sendHeaderV2Json(h: SendMessageRequestHeader): string {
  let s = `{"a":${qRecurring(h.producerGroup)},"b":${qRecurring(h.topic)},"c":${qRecurring(h.defaultTopic)},"d":"${h.defaultTopicQueueNums}","e":"${h.queueId}","f":"${h.sysFlag}","g":"${h.bornTimestamp}","h":"${h.flag}"`;
  if (h.properties !== undefined) s += `,"i":${q(h.properties)}`;
  if (h.reconsumeTimes !== undefined) s += `,"j":"${h.reconsumeTimes}"`;
  if (h.unitMode !== undefined) s += `,"k":"${h.unitMode}"`;
  if (h.maxReconsumeTimes !== undefined) s += `,"l":"${h.maxReconsumeTimes}"`;
  if (h.batch !== undefined) s += `,"m":"${h.batch}"`;
  if (h.brokerName !== undefined) s += `,"n":${qRecurring(h.brokerName)}`;
  return s + '}';
}

/**
 * SendMessageResponseHeader as the JSON text of extFields, written directly (one per stored send).
 * `plainMsgId`: the caller vouches that msgId needs no escaping (a broker's offset ids: hex digits
 * and commas, 2 KiB for a batch of 64), so it is not run through JSON.stringify.
 */
export function sendResponseHeaderJson(h: SendMessageResponseHeader, plainMsgId = false): string {
  let s = `{"msgId":${plainMsgId ? `"${h.msgId}"` : q(h.msgId)},"queueId":"${h.queueId}","queueOffset":"${h.queueOffset}"`;
  if (h.transactionId !== undefined) s += `,"transactionId":${q(h.transactionId)}`;
  if (h.batchUniqId !== undefined) s += `,"batchUniqId":${q(h.batchUniqId)}`;
  if (h.MSG_REGION !== undefined) s += `,"MSG_REGION":${qRecurring(h.MSG_REGION)}`;
  if (h.TRACE_ON !== undefined) s += `,"TRACE_ON":${qRecurring(h.TRACE_ON)}`;
  return s + '}';
}
