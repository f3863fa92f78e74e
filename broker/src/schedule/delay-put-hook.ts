import {
  decodeProperties,
  encodeProperties,
  findProperty,
  MessageProperty,
  MessageSysFlag,
  SystemTopic,
  transactionType,
} from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import type { ScheduleDeliverTime } from '../store/dispatch/reput-service';
import { TIMER_PROPERTIES } from '../timer/timer-properties';
import { parseDelayLevel, type DelayLevelTable } from './delay-levels';

/** Level L is queue L − 1 of SCHEDULE_TOPIC_XXXX (ScheduleMessageService.delayLevel2QueueId). */
export const delayLevelToQueueId = (level: number): number => level - 1;
export const queueIdToDelayLevel = (queueId: number): number => queueId + 1;

/**
 * Reroute a message with DELAY = `level` to SCHEDULE_TOPIC_XXXX (§11.1), as 4.x CommitLog.putMessage
 * and 5.x HookUtils.handleScheduleMessage do: only plain and committed messages, level clamped to the
 * table, the real topic and queue kept in REAL_TOPIC / REAL_QID. A level takes precedence over the
 * 5.x timer properties, which are stripped (HookUtils.checkIfTimerMessage). Callers invoke it only when the
 * message has a DELAY property, so undelayed messages never get here. Returns whether it rerouted.
 */
export function scheduleIfDelayed(msg: MessageInner, level: number, table: DelayLevelTable): boolean {
  if (level <= 0) return false;
  const tx = transactionType(msg.sysFlag);
  if (tx !== MessageSysFlag.TRANSACTION_NOT_TYPE && tx !== MessageSysFlag.TRANSACTION_COMMIT_TYPE)
    return false;
  const clamped = table.clamp(level);
  const props = decodeProperties(msg.properties);
  props[MessageProperty.DELAY] = String(clamped);
  for (const name of TIMER_PROPERTIES) delete props[name];
  props[MessageProperty.REAL_TOPIC] = msg.topic;
  props[MessageProperty.REAL_QID] = String(msg.queueId);
  msg.properties = encodeProperties(props);
  msg.topic = SystemTopic.SCHEDULE;
  msg.queueId = delayLevelToQueueId(clamped);
  // Close to what dispatch computes from the real store time (scheduleDeliverTime), which replaces it.
  msg.tagsCode = table.deliverTimestamp(clamped, Date.now());
  return true;
}

/** The dispatch hook giving SCHEDULE_TOPIC_XXXX units their delivery time as tagsCode. */
export function scheduleDeliverTime(table: DelayLevelTable): ScheduleDeliverTime {
  return (properties, storeTimestamp) => {
    const text = findProperty(properties, MessageProperty.DELAY);
    const level = text === undefined ? undefined : parseDelayLevel(text);
    return table.deliverTimestamp(level ?? 0, storeTimestamp);
  };
}
