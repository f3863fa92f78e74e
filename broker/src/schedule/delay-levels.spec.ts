import { describe, expect, it } from 'vitest';
import { ConfigError } from '@rocketts/protocol';
import { resolveBrokerConfig } from '../config';
import { DEFAULT_MESSAGE_DELAY_LEVEL, DelayLevelTable, parseDelayLevel } from './delay-levels';

describe('messageDelayLevel (§11.1)', () => {
  it('parses the default table: 18 levels, 1 s … 2 h', () => {
    const t = DelayLevelTable.parse(DEFAULT_MESSAGE_DELAY_LEVEL);
    expect(t.maxLevel).toBe(18);
    expect(t.levels().map((l) => t.delayMs(l))).toEqual([
      1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000, 420_000, 480_000,
      540_000, 600_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000,
    ]);
  });

  it('knows all four units and tolerates extra whitespace', () => {
    const t = DelayLevelTable.parse(' 2s  3m\t1h 1d ');
    expect(t.levels().map((l) => t.delayMs(l))).toEqual([2_000, 180_000, 3_600_000, 86_400_000]);
    expect(t.delayMs(0)).toBeUndefined();
    expect(t.delayMs(5)).toBeUndefined();
  });

  it.each([
    ['', /at least one/],
    ['1s 5x', /level 2 '5x'/],
    ['1s 10', /level 2 '10'/],
    ['-1s', /level 1 '-1s'/],
    ['1.5s', /level 1/],
    ['s', /level 1/],
    ['99999999999999999d', /level 1/],
  ])('refuses %j, naming the key and the item', (text, why) => {
    expect(() => DelayLevelTable.parse(text)).toThrow(ConfigError);
    expect(() => DelayLevelTable.parse(text)).toThrow(why);
    expect(() => DelayLevelTable.parse(text)).toThrow(/config key 'messageDelayLevel'/);
  });

  it('refuses a bad table when the broker config is resolved, so the broker never starts', () => {
    expect(() => resolveBrokerConfig({ messageDelayLevel: '1s 2q' })).toThrow(
      "config key 'messageDelayLevel': level 2 '2q'",
    );
    expect(resolveBrokerConfig({ messageDelayLevel: '1s 1s' }).schedule.messageDelayLevel).toBe('1s 1s');
    expect(resolveBrokerConfig({}).schedule.messageDelayLevel).toBe(DEFAULT_MESSAGE_DELAY_LEVEL);
  });

  it('refuses a timerMaxDelaySec longer than retention keeps the commit log, naming the key', () => {
    expect(() => resolveBrokerConfig({ fileReservedTime: 12, timerMaxDelaySec: 86_400 })).toThrow(
      /config key 'timerMaxDelaySec'.*fileReservedTime \(12 h = 43200 s\)/,
    );
    expect(() =>
      resolveBrokerConfig({ fileReservedTime: 12, timerMaxDelaySec: 86_400, timerWheelEnable: false }),
    ).not.toThrow();
    expect(resolveBrokerConfig({ fileReservedTime: 24 }).schedule.timerMaxDelaySec).toBe(86_400);
  });

  it('clamps levels above the table and computes delivery times from the store time', () => {
    const t = DelayLevelTable.parse('1s 5s 10s');
    expect(t.clamp(2)).toBe(2);
    expect(t.clamp(99)).toBe(3);
    expect(t.deliverTimestamp(1, 1_000_000)).toBe(1_001_000);
    expect(t.deliverTimestamp(99, 1_000_000)).toBe(1_010_000);
    // Not a level of the table: one second, as ScheduleMessageService.computeDeliverTimestamp.
    expect(t.deliverTimestamp(0, 1_000_000)).toBe(1_001_000);
  });

  it('reads DELAY values as Integer.parseInt does', () => {
    expect(parseDelayLevel('3')).toBe(3);
    expect(parseDelayLevel('+3')).toBe(3);
    expect(parseDelayLevel('-1')).toBe(-1);
    expect(parseDelayLevel('0')).toBe(0);
    expect(parseDelayLevel('3 ')).toBeUndefined();
    expect(parseDelayLevel('x')).toBeUndefined();
    expect(parseDelayLevel('')).toBeUndefined();
    expect(parseDelayLevel('9999999999')).toBeUndefined();
  });
});
