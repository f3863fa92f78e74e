import {
  decodeProperties,
  encodeProperties,
  MessageProperty,
  MessageSysFlag,
  SystemTopic,
  transactionType,
} from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import { decideTimer, type TimerPolicy } from './timer-properties';
import { slotOf, type WheelGeometry } from './timer-wheel';

/** Why a timer message is refused: the response code and remark to answer with. */
export interface TimerRefusal {
  code: number;
  remark: string;
}

/**
 * Reroute a message carrying a timer property to rmq_sys_wheel_timer (5.x HookUtils
 * .transformTimerMessage): only plain and committed messages; REAL_TOPIC / REAL_QID keep the real
 * address, TIMER_OUT_MS the absolute delivery time, which is also the consume-queue tagsCode (the
 * store re-reads it from TIMER_OUT_MS at dispatch, live and in recovery). A message due within the
 * immediate window is left as it is. Callers invoke it only when the property scan found a timer
 * property, so ordinary sends never decode their properties here.
 */
export function holdIfTimer(
  msg: MessageInner,
  policy: TimerPolicy,
  wheel: WheelGeometry,
  now: number,
): TimerRefusal | undefined {
  const tx = transactionType(msg.sysFlag);
  if (tx !== MessageSysFlag.TRANSACTION_NOT_TYPE && tx !== MessageSysFlag.TRANSACTION_COMMIT_TYPE)
    return undefined;
  const props = decodeProperties(msg.properties);
  const d = decideTimer(props, now, policy);
  if (d.kind === 'refuse') return { code: d.code, remark: d.remark };
  if (d.kind === 'now') return undefined;
  props[MessageProperty.TIMER_OUT_MS] = String(d.deliverMs);
  props[MessageProperty.REAL_TOPIC] = msg.topic;
  props[MessageProperty.REAL_QID] = String(msg.queueId);
  msg.properties = encodeProperties(props);
  msg.topic = SystemTopic.TIMER;
  msg.queueId = slotOf(wheel, d.deliverMs);
  msg.tagsCode = d.deliverMs;
  return undefined;
}
