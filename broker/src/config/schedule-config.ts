import { DEFAULT_MESSAGE_DELAY_LEVEL, DelayLevelTable } from '../schedule/delay-levels';
import { resolveSchema, type ConfigOf, type Schema } from './config-schema';

/** Delayed messages (MessageStoreConfig.java names): the level table and how often cursors are saved. */
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
} as const satisfies Schema;

export type ScheduleConfig = ConfigOf<typeof SCHEDULE_SCHEMA>;

/** Resolve and validate: a `messageDelayLevel` that does not parse refuses the start, naming the key. */
export function resolveScheduleConfig(input: Record<string, unknown>): ScheduleConfig {
  const c = resolveSchema(SCHEDULE_SCHEMA, input);
  DelayLevelTable.parse(c.messageDelayLevel);
  return c;
}
