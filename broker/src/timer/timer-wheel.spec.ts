import { describe, expect, it } from 'vitest';
import { TIMER_IMMEDIATE_WINDOW_MS } from './timer-properties';
import {
  bucketEnd,
  bucketOf,
  DEFAULT_WHEEL,
  slotOf,
  slotOfBucket,
  TIMER_MAX_DELAY_CAP_SEC,
  TIMER_SLOT_MS,
  wheelFor,
} from './timer-wheel';

describe('timer wheel geometry', () => {
  it('has one-minute slots covering three days plus two slots', () => {
    expect(DEFAULT_WHEEL).toEqual({ slotMs: TIMER_SLOT_MS, slots: 4_322 });
    expect((DEFAULT_WHEEL.slots - 1) * DEFAULT_WHEEL.slotMs).toBeGreaterThan(TIMER_MAX_DELAY_CAP_SEC * 1000);
  });

  it('maps a delivery time to its bucket and slot queue', () => {
    const g = wheelFor(10_000, 1_000); // 12 slots of 1 s
    expect(g.slots).toBe(12);
    expect(bucketOf(g, 0)).toBe(0);
    expect(bucketOf(g, 999)).toBe(0);
    expect(bucketOf(g, 1_000)).toBe(1);
    expect(slotOf(g, 11_999)).toBe(11);
    expect(slotOf(g, 12_000)).toBe(0);
    expect(slotOfBucket(g, -1)).toBe(11);
    expect(bucketEnd(g, 3)).toBe(4_000);
  });

  it('never puts a later round into a slot before every entry of the earlier round is due', () => {
    // Invariant the service relies on: an entry accepted at `now` (due within (now + window, now + max])
    // lands in a slot whose previous round ended at or before `now`.
    const max = 10_000;
    const g = wheelFor(max, 1_000);
    for (let now = 0; now < 30_000; now += 137) {
      for (let due = now + TIMER_IMMEDIATE_WINDOW_MS + 1; due <= now + max; due += 61) {
        const previousRoundEnd = bucketEnd(g, bucketOf(g, due) - g.slots);
        expect(previousRoundEnd).toBeLessThanOrEqual(now);
        expect(slotOf(g, due)).toBe(slotOfBucket(g, bucketOf(g, due) - g.slots));
      }
    }
  });
});
