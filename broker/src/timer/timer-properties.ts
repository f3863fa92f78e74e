import { MessageProperty, ResponseCode, type Properties } from '@rocketts/protocol';

/**
 * A delivery time this close (or already past) is not worth holding: the message is stored
 * normally, as TimerMessageStore does within its precision (timerPrecisionMs, 1 s by default).
 */
export const TIMER_IMMEDIATE_WINDOW_MS = 1_000;

/** Properties that ask for a delivery time, in the order the first one present is taken. */
export const TIMER_REQUEST_PROPERTIES = [
  MessageProperty.TIMER_DELIVER_MS,
  MessageProperty.TIMER_DELAY_SEC,
  MessageProperty.TIMER_DELAY_MS,
  MessageProperty.START_DELIVER_TIME,
] as const;

/** Every timer property: a DELAY level strips them, a delivered copy loses them. */
export const TIMER_PROPERTIES = [...TIMER_REQUEST_PROPERTIES, MessageProperty.TIMER_OUT_MS] as const;

export interface TimerPolicy {
  timerWheelEnable: boolean;
  timerMaxDelaySec: number;
}

/** What the broker does with a message carrying a timer property. */
export type TimerDecision =
  { kind: 'now' } | { kind: 'hold'; deliverMs: number } | { kind: 'refuse'; code: number; remark: string };

const DIGITS = /^-?\d+$/;

/**
 * The absolute delivery time the properties ask for (HookUtils.checkIfTimerMessage order:
 * TIMER_DELIVER_MS absolute, TIMER_DELAY_SEC and TIMER_DELAY_MS relative to `now`; then ali-ons/ONS
 * __STARTDELIVERTIME, absolute). undefined when none is present; a string when one does not parse.
 */
export function requestedDeliverMs(props: Properties, now: number): number | string | undefined {
  for (const name of TIMER_REQUEST_PROPERTIES) {
    const text = props[name];
    if (text === undefined) continue;
    if (!DIGITS.test(text)) return `the ${name} property '${text}' is not an integer`;
    const n = Number(text);
    if (!Number.isSafeInteger(n)) return `the ${name} property '${text}' is out of range`;
    switch (name) {
      case MessageProperty.TIMER_DELAY_SEC:
        return now + n * 1000;
      case MessageProperty.TIMER_DELAY_MS:
        return now + n;
      default:
        return n;
    }
  }
  return undefined;
}

/**
 * Hold, store now, or refuse (5.x HookUtils + SendMessageProcessor statuses): a disabled wheel →
 * SYSTEM_ERROR (WHEEL_TIMER_NOT_ENABLE); a delay beyond timerMaxDelaySec or a value that does not
 * parse → MESSAGE_ILLEGAL (WHEEL_TIMER_MSG_ILLEGAL); due within TIMER_IMMEDIATE_WINDOW_MS → now.
 */
export function decideTimer(props: Properties, now: number, policy: TimerPolicy): TimerDecision {
  const deliverMs = requestedDeliverMs(props, now);
  if (deliverMs === undefined) return { kind: 'now' };
  if (!policy.timerWheelEnable) {
    return {
      kind: 'refuse',
      code: ResponseCode.SYSTEM_ERROR,
      remark: 'accurate timer message is not enabled, timerWheelEnable is false',
    };
  }
  if (typeof deliverMs === 'string')
    return {
      kind: 'refuse',
      code: ResponseCode.MESSAGE_ILLEGAL,
      remark: `timer message illegal, ${deliverMs}`,
    };
  const maxMs = policy.timerMaxDelaySec * 1000;
  if (deliverMs - now > maxMs) {
    return {
      kind: 'refuse',
      code: ResponseCode.MESSAGE_ILLEGAL,
      remark: `timer message illegal, the delay time should not be bigger than the max delay ${maxMs}ms`,
    };
  }
  if (deliverMs - now <= TIMER_IMMEDIATE_WINDOW_MS) return { kind: 'now' };
  return { kind: 'hold', deliverMs };
}
