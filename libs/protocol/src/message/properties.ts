/*
 * Properties string (§7.4): name U+0001 value U+0002, repeated. Java's parser (MessageDecoder
 * .string2messageProperties) keeps a segment only if it is ≥ 3 chars and has its U+0001 after the
 * first char and before the last, so empty names and empty values are dropped.
 */
export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';
/** Properties may not exceed a Java short (MessageExtEncoder). */
export const MAX_PROPERTIES_BYTES = 32767;

export type Properties = Record<string, string>;

export function encodeProperties(props: Properties): string {
  let s = '';
  for (const name in props) {
    const value = props[name];
    if (value === undefined || value === null) continue;
    s += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  }
  return s;
}

export function decodeProperties(s: string): Properties {
  const out: Properties = {};
  const len = s.length;
  let index = 0;
  while (index < len) {
    let next = s.indexOf(PROPERTY_SEPARATOR, index);
    if (next < 0) next = len;
    if (next - index >= 3) {
      const kv = s.indexOf(NAME_VALUE_SEPARATOR, index);
      if (kv > index && kv < next - 1) out[s.substring(index, kv)] = s.substring(kv + 1, next);
    }
    index = next + 1;
  }
  return out;
}

/** Value of one property without parsing the whole string (broker hot path: TAGS, KEYS, UNIQ_KEY). */
export function findProperty(s: string, name: string): string | undefined {
  const needle = name + NAME_VALUE_SEPARATOR;
  let found: string | undefined;
  let from = 0;
  for (;;) {
    const at = s.indexOf(needle, from);
    if (at < 0) return found;
    if (at === 0 || s.charCodeAt(at - 1) === 2) {
      let end = s.indexOf(PROPERTY_SEPARATOR, at);
      if (end < 0) end = s.length;
      const start = at + needle.length;
      // Later duplicates win and empty values are dropped, as in decodeProperties.
      if (end > start) found = s.substring(start, end);
    }
    from = at + 1;
  }
}

/** The properties a broker needs from every sent message. */
export interface SendProperties {
  tags?: string;
  keys?: string;
  uniqKey?: string;
  wait?: string;
  /** DELAY: the delay level as sent (§11.1); the broker parses it only when present. */
  delay?: string;
  /** TRAN_MSG: "true" asks for a half message (§10.1). */
  tranMsg?: string;
  /** Set when a 5.x timer property (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS) or ONS __STARTDELIVERTIME is present. */
  timer?: true;
}

/**
 * TAGS, KEYS, UNIQ_KEY, WAIT, DELAY, TRAN_MSG and the presence of a timer property in one pass, with
 * decodeProperties' rules (the send hot path).
 */
export function scanSendProperties(s: string): SendProperties {
  const out: SendProperties = {};
  const len = s.length;
  let index = 0;
  while (index < len) {
    let next = s.indexOf(PROPERTY_SEPARATOR, index);
    if (next < 0) next = len;
    const kv = s.indexOf(NAME_VALUE_SEPARATOR, index);
    if (next - index >= 3 && kv > index && kv < next - 1) {
      const nameLen = kv - index;
      if (nameLen === 4 && s.startsWith('TAGS', index)) out.tags = s.substring(kv + 1, next);
      else if (nameLen === 4 && s.startsWith('KEYS', index)) out.keys = s.substring(kv + 1, next);
      else if (nameLen === 4 && s.startsWith('WAIT', index)) out.wait = s.substring(kv + 1, next);
      else if (nameLen === 5 && s.startsWith('DELAY', index)) out.delay = s.substring(kv + 1, next);
      else if (nameLen === 8 && s.startsWith('UNIQ_KEY', index)) out.uniqKey = s.substring(kv + 1, next);
      else if (nameLen === 8 && s.startsWith('TRAN_MSG', index)) out.tranMsg = s.substring(kv + 1, next);
      else if (nameLen >= 14 && isTimerProperty(s, index, nameLen)) out.timer = true;
    }
    index = next + 1;
  }
  return out;
}

/**
 * The scan of `a` followed by `b` from the scans of each: what b sets wins, as the later entry of a
 * joined properties string does (decodeProperties' map).
 */
export function overlaySendProperties(a: SendProperties, b: SendProperties): SendProperties {
  if (b.tags !== undefined) a.tags = b.tags;
  if (b.keys !== undefined) a.keys = b.keys;
  if (b.uniqKey !== undefined) a.uniqKey = b.uniqKey;
  if (b.wait !== undefined) a.wait = b.wait;
  if (b.delay !== undefined) a.delay = b.delay;
  if (b.tranMsg !== undefined) a.tranMsg = b.tranMsg;
  if (b.timer) a.timer = true;
  return a;
}

/** TIMER_DELAY_MS (14), TIMER_DELAY_SEC (15), TIMER_DELIVER_MS (16), __STARTDELIVERTIME (18). */
function isTimerProperty(s: string, index: number, nameLen: number): boolean {
  switch (nameLen) {
    case 14:
      return s.startsWith('TIMER_DELAY_MS', index);
    case 15:
      return s.startsWith('TIMER_DELAY_SEC', index);
    case 16:
      return s.startsWith('TIMER_DELIVER_MS', index);
    case 18:
      return s.startsWith('__STARTDELIVERTIME', index);
    default:
      return false;
  }
}
