import { DEFAULT_MESSAGE_DELAY_LEVEL, DelayLevelTable } from '../schedule/delay-levels';
import { TIMER_MAX_DELAY_CAP_SEC } from '../timer/timer-wheel';
import { resolveSchema, type ConfigOf, type Schema } from './config-schema';

/**
 * Delayed messages (MessageStoreConfig.java names): the level table, the 5.x timer (arbitrary
 * delivery time) and how often their cursors are saved.
 */
export const SCHEDULE_SCHEMA = {
  messageDelayLevel: {
    type: 'string',
    default: DEFAULT_MESSAGE_DELAY_LEVEL,
    doc: 'delay of each level 1, 2, …: whitespace-separated <n>s|m|h|d',
  },
  flushDelayOffsetInterval: {
    type: 'int',
    default: 10_000,
    min: 100,
    doc: 'ms between writes of the delivery cursors (config/delayOffset.json)',
  },
  timerWheelEnable: {
    type: 'bool',
    default: true,
    doc: 'accept timer messages (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS, __STARTDELIVERTIME); off → SYSTEM_ERROR',
  },
  timerMaxDelaySec: {
    type: 'int',
    default: 86_400,
    min: 1,
    max: TIMER_MAX_DELAY_CAP_SEC,
    doc: 'longest accepted timer delay, s; beyond → MESSAGE_ILLEGAL',
  },
  timerFlushIntervalMs: {
    type: 'int',
    default: 1_000,
    min: 100,
    doc: 'ms between writes of the timer cursors (config/timerWheel.json)',
  },
} as const satisfies Schema;

export type ScheduleConfig = ConfigOf<typeof SCHEDULE_SCHEMA>;

/** Resolve and validate: a `messageDelayLevel` that does not parse refuses the start, naming the key. */
export function resolveScheduleConfig(input: Record<string, unknown>): ScheduleConfig {
  const c = resolveSchema(SCHEDULE_SCHEMA, input);
  DelayLevelTable.parse(c.messageDelayLevel);
  return c;
}
