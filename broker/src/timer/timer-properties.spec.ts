import { describe, expect, it } from 'vitest';
import { ResponseCode, type Properties } from '@rocketts/protocol';
import { decideTimer, requestedDeliverMs, TIMER_IMMEDIATE_WINDOW_MS } from './timer-properties';

const NOW = 1_700_000_000_000;
const POLICY = { timerWheelEnable: true, timerMaxDelaySec: 86_400 };

describe('timer properties', () => {
  it('reads absolute and relative delivery times', () => {
    expect(requestedDeliverMs({ TIMER_DELIVER_MS: String(NOW + 5000) }, NOW)).toBe(NOW + 5000);
    expect(requestedDeliverMs({ TIMER_DELAY_SEC: '7' }, NOW)).toBe(NOW + 7000);
    expect(requestedDeliverMs({ TIMER_DELAY_MS: '2500' }, NOW)).toBe(NOW + 2500);
    expect(requestedDeliverMs({ __STARTDELIVERTIME: String(NOW + 9000) }, NOW)).toBe(NOW + 9000);
    expect(requestedDeliverMs({ TAGS: 'x' }, NOW)).toBeUndefined();
  });

  it('takes TIMER_DELIVER_MS, then TIMER_DELAY_SEC, then TIMER_DELAY_MS, then __STARTDELIVERTIME', () => {
    const all = {
      TIMER_DELIVER_MS: String(NOW + 1),
      TIMER_DELAY_SEC: '2',
      TIMER_DELAY_MS: '3',
      __STARTDELIVERTIME: String(NOW + 4),
    };
    expect(requestedDeliverMs(all, NOW)).toBe(NOW + 1);
    const { TIMER_DELIVER_MS: _a, ...noAbs } = all;
    expect(requestedDeliverMs(noAbs, NOW)).toBe(NOW + 2000);
    const { TIMER_DELAY_SEC: _b, ...noSec } = noAbs;
    expect(requestedDeliverMs(noSec, NOW)).toBe(NOW + 3);
    const { TIMER_DELAY_MS: _c, ...onlyOns } = noSec;
    expect(requestedDeliverMs(onlyOns, NOW)).toBe(NOW + 4);
  });

  it('holds a message due beyond the immediate window, up to the max delay inclusive', () => {
    expect(decideTimer({ TIMER_DELAY_SEC: '10' }, NOW, POLICY)).toEqual({
      kind: 'hold',
      deliverMs: NOW + 10_000,
    });
    expect(decideTimer({ TIMER_DELAY_SEC: '86400' }, NOW, POLICY)).toEqual({
      kind: 'hold',
      deliverMs: NOW + 86_400_000,
    });
    expect(decideTimer({ TIMER_DELAY_MS: String(TIMER_IMMEDIATE_WINDOW_MS + 1) }, NOW, POLICY).kind).toBe(
      'hold',
    );
  });

  it('stores now what is past or due within the immediate window', () => {
    expect(decideTimer({ TIMER_DELIVER_MS: String(NOW - 60_000) }, NOW, POLICY)).toEqual({ kind: 'now' });
    expect(decideTimer({ TIMER_DELAY_MS: String(TIMER_IMMEDIATE_WINDOW_MS) }, NOW, POLICY)).toEqual({
      kind: 'now',
    });
    expect(decideTimer({ TIMER_DELAY_SEC: '-5' }, NOW, POLICY)).toEqual({ kind: 'now' });
    expect(decideTimer({ KEYS: 'k' }, NOW, POLICY)).toEqual({ kind: 'now' });
  });

  it('refuses a delay beyond timerMaxDelaySec with MESSAGE_ILLEGAL', () => {
    const d = decideTimer({ TIMER_DELAY_SEC: '86401' }, NOW, POLICY);
    expect(d).toMatchObject({ kind: 'refuse', code: ResponseCode.MESSAGE_ILLEGAL });
    expect(d.kind === 'refuse' && d.remark).toMatch(/timer message illegal.*86400000ms/);
    expect(decideTimer({ TIMER_DELAY_SEC: '11' }, NOW, { ...POLICY, timerMaxDelaySec: 10 }).kind).toBe(
      'refuse',
    );
  });

  it('refuses values that are not integers with MESSAGE_ILLEGAL', () => {
    for (const v of ['abc', '1.5', '', '99999999999999999999']) {
      const d = decideTimer({ TIMER_DELIVER_MS: v }, NOW, POLICY);
      expect(v === '' ? d.kind : d).toEqual(v === '' ? 'refuse' : expect.objectContaining({ code: 13 }));
    }
  });

  it('refuses every timer property with SYSTEM_ERROR when timerWheelEnable is off (WHEEL_TIMER_NOT_ENABLE)', () => {
    const off = { ...POLICY, timerWheelEnable: false };
    for (const props of [
      { TIMER_DELAY_SEC: '5' },
      { __STARTDELIVERTIME: String(NOW + 5000) },
    ] as Properties[]) {
      expect(decideTimer(props, NOW, off)).toMatchObject({
        kind: 'refuse',
        code: ResponseCode.SYSTEM_ERROR,
        remark: expect.stringContaining('timerWheelEnable') as unknown,
      });
    }
    expect(decideTimer({ TAGS: 't' }, NOW, off)).toEqual({ kind: 'now' });
  });
});
