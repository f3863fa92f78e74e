import type { MessageQueue } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { TopicPublishInfo } from '../route/topic-publish-info';
import {
  ISOLATION_LATENCY_MS,
  LatencyFaultTolerance,
  notAvailableDurationMs,
} from './latency-fault-tolerance';
import { chooseQueue } from './queue-choice';

describe('notAvailableDurationMs (MQFaultStrategy 4.x table)', () => {
  it.each([
    [0, 0],
    [49, 0],
    [50, 0],
    [549, 0],
    [550, 30_000],
    [999, 30_000],
    [1000, 60_000],
    [2000, 120_000],
    [3000, 180_000],
    [14_999, 180_000],
    [15_000, 600_000],
    [ISOLATION_LATENCY_MS, 600_000],
  ])('a %i ms attempt → avoided %i ms', (latency, duration) => {
    expect(notAvailableDurationMs(latency)).toBe(duration);
  });
});

describe('LatencyFaultTolerance', () => {
  const clock = (): { now: () => number; advance(ms: number): void } => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms) => (t += ms) };
  };

  it('avoids a slow broker for the window of its latency, then takes it again', () => {
    const c = clock();
    const f = new LatencyFaultTolerance(c.now);
    f.update('a', 700, false);
    expect(f.isAvailable('a')).toBe(false);
    expect(f.isAvailable('b')).toBe(true);
    c.advance(29_999);
    expect(f.isAvailable('a')).toBe(false);
    c.advance(1);
    expect(f.isAvailable('a')).toBe(true);
  });

  it('isolates a failed broker for 10 minutes whatever the latency', () => {
    const c = clock();
    const f = new LatencyFaultTolerance(c.now);
    f.update('a', 3, true);
    expect(f.get('a')).toEqual({
      brokerName: 'a',
      latencyMs: ISOLATION_LATENCY_MS,
      availableFrom: c.now() + 600_000,
    });
    c.advance(599_999);
    expect(f.isAvailable('a')).toBe(false);
    c.advance(1);
    expect(f.isAvailable('a')).toBe(true);
  });

  it('a fast answer ends the avoidance at once; fast brokers never get an entry', () => {
    const c = clock();
    const f = new LatencyFaultTolerance(c.now);
    f.update('b', 10, false);
    expect(f.get('b')).toBeUndefined();
    f.update('a', 5, true);
    expect(f.empty).toBe(false);
    f.update('a', 20, false);
    expect(f.isAvailable('a')).toBe(true);
    expect(f.empty).toBe(true);
    f.remove('a');
    expect(f.get('a')).toBeUndefined();
  });
});

describe('chooseQueue', () => {
  const info = (): TopicPublishInfo =>
    new TopicPublishInfo(
      'T',
      ['a', 'b', 'c'].flatMap((brokerName) =>
        [0, 1].map((queueId): MessageQueue => ({ topic: 'T', brokerName, queueId })),
      ),
      false,
    );
  const picks = (n: number, pick: () => MessageQueue | undefined): Set<string> =>
    new Set(Array.from({ length: n }, () => pick()?.brokerName ?? 'none'));

  it('skips avoided brokers and the last failed one', () => {
    const f = new LatencyFaultTolerance();
    f.update('a', 0, true);
    const i = info();
    expect(picks(30, () => chooseQueue(i, undefined, f, undefined))).toEqual(new Set(['b', 'c']));
    expect(picks(30, () => chooseQueue(i, 'b', f, undefined))).toEqual(new Set(['c']));
  });

  it('takes an available broker even if it failed last, when it is the only one', () => {
    const f = new LatencyFaultTolerance();
    f.update('a', 0, true);
    f.update('c', 0, true);
    expect(picks(20, () => chooseQueue(info(), 'b', f, undefined))).toEqual(new Set(['b']));
  });

  it('falls back to every broker but the last when all are avoided', () => {
    const f = new LatencyFaultTolerance();
    for (const b of ['a', 'b', 'c']) f.update(b, 0, true);
    expect(picks(30, () => chooseQueue(info(), 'a', f, undefined))).toEqual(new Set(['b', 'c']));
    expect(picks(30, () => chooseQueue(info(), undefined, f, undefined))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('keeps a sharding queue id through every step', () => {
    const f = new LatencyFaultTolerance();
    f.update('a', 0, true);
    const chosen = Array.from({ length: 20 }, () => chooseQueue(info(), 'b', f, 1));
    expect(chosen.every((q) => q?.brokerName === 'c' && q.queueId === 1)).toBe(true);
  });

  it('without fault avoidance goes round-robin, away from the last broker', () => {
    const i = info();
    const seq = Array.from({ length: 6 }, () => chooseQueue(i, undefined, undefined, undefined));
    expect(new Set(seq.map((q) => `${q?.brokerName}:${q?.queueId}`)).size).toBe(6);
    expect(picks(20, () => chooseQueue(i, 'a', undefined, undefined))).toEqual(new Set(['b', 'c']));
  });
});
