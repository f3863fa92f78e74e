import { ConfigError } from '@rocketts/protocol';

/** RocketMQ's default `messageDelayLevel` (MessageStoreConfig): levels 1…18. */
export const DEFAULT_MESSAGE_DELAY_LEVEL = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';

/** Milliseconds per unit letter (ScheduleMessageService.parseDelayLevel). */
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
};

/** Without a table entry a level is delivered 1 s after it was stored (computeDeliverTimestamp). */
const UNKNOWN_LEVEL_DELAY_MS = 1000;

/**
 * The delay of each level, 1-based: level L is queue L − 1 of SCHEDULE_TOPIC_XXXX. Built from
 * `messageDelayLevel`, whitespace-separated `<integer><s|m|h|d>` items.
 */
export class DelayLevelTable {
  private constructor(private readonly delaysMs: readonly number[]) {}

  /** Parse `messageDelayLevel`; a bad item throws ConfigError naming the key (the broker refuses to start). */
  static parse(text: string, key = 'messageDelayLevel'): DelayLevelTable {
    const items = text.trim().split(/\s+/).filter(Boolean);
    if (items.length === 0) throw new ConfigError(key, 'needs at least one delay level');
    const delays = items.map((item, i) => {
      const m = /^(\d+)([smhd])$/.exec(item);
      const ms = m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : NaN;
      if (!Number.isSafeInteger(ms)) {
        throw new ConfigError(
          key,
          `level ${i + 1} '${item}' is not a whole number followed by s, m, h or d (e.g. 10s, 2m)`,
        );
      }
      return ms;
    });
    return new DelayLevelTable(delays);
  }

  /** Highest level; larger DELAY values are clamped to it. */
  get maxLevel(): number {
    return this.delaysMs.length;
  }

  /** Delay of `level` in ms, or undefined for a level outside 1…maxLevel. */
  delayMs(level: number): number | undefined {
    return this.delaysMs[level - 1];
  }

  /** Level a message with DELAY = `level` (> 0) is scheduled at. */
  clamp(level: number): number {
    return Math.min(level, this.maxLevel);
  }

  /** Delivery time of a message stored at `storeTimestamp` with `level` (ScheduleMessageService.computeDeliverTimestamp). */
  deliverTimestamp(level: number, storeTimestamp: number): number {
    return storeTimestamp + (this.delayMs(this.clamp(level)) ?? UNKNOWN_LEVEL_DELAY_MS);
  }

  levels(): number[] {
    return this.delaysMs.map((_, i) => i + 1);
  }
}

/**
 * The level of a DELAY property value: Java reads it with Integer.parseInt; anything else is not a
 * level (undefined), and 0 or less means "not delayed".
 */
export function parseDelayLevel(text: string): number | undefined {
  if (!/^[+-]?\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}
