import { describe, expect, it } from 'vitest';
import { decideCheck, immunityMs, parseCheckTimes, type CheckRules } from './check-decision';

const RULES: CheckRules = {
  transactionTimeOutMs: 6_000,
  transactionCheckMax: 15,
  fileReservedTimeMs: 72 * 3_600_000,
};
const NOW = 1_700_000_000_000;
const ROUND = NOW;

const half = (
  ageMs: number,
  extra: { checkTimes?: number; immunityText?: string; storedAgoMs?: number } = {},
) => ({
  bornTimestamp: NOW - ageMs,
  storeTimestamp: NOW - (extra.storedAgoMs ?? ageMs),
  checkTimes: extra.checkTimes ?? 0,
  immunityText: extra.immunityText,
});

describe('check-back decision (TransactionalMessageServiceImpl.check)', () => {
  it('waits while a half message is younger than transactionTimeOut, checks after', () => {
    expect(decideCheck(half(5_999), NOW, ROUND, RULES)).toBe('stop');
    expect(decideCheck(half(6_000), NOW, ROUND, RULES)).toBe('check');
  });

  it('leaves messages stored during this round to the next round', () => {
    expect(decideCheck(half(60_000, { storedAgoMs: 0 }), NOW, ROUND, RULES)).toBe('stop');
  });

  it('discards after transactionCheckMax checks, counting from the stored TRANSACTION_CHECK_TIMES', () => {
    expect(decideCheck(half(60_000, { checkTimes: 14 }), NOW, ROUND, RULES)).toBe('check');
    expect(decideCheck(half(60_000, { checkTimes: 15 }), NOW, ROUND, RULES)).toBe('discard');
  });

  it('discards half messages older than the commit log keeps files', () => {
    expect(decideCheck(half(RULES.fileReservedTimeMs + 1), NOW, ROUND, RULES)).toBe('discard');
  });

  it('renews (re-appends without counting) while within CHECK_IMMUNITY_TIME_IN_SECONDS, checks after', () => {
    expect(decideCheck(half(10_000, { immunityText: '20' }), NOW, ROUND, RULES)).toBe('renew');
    expect(decideCheck(half(20_000, { immunityText: '20' }), NOW, ROUND, RULES)).toBe('check');
  });

  it('never lets an immunity be shorter than transactionTimeOut', () => {
    expect(immunityMs('1', 6_000)).toBe(6_000);
    expect(immunityMs('garbage', 6_000)).toBe(6_000);
    expect(immunityMs('30', 6_000)).toBe(30_000);
    expect(decideCheck(half(3_000, { immunityText: '1' }), NOW, ROUND, RULES)).toBe('renew');
  });

  it('checks at once when the born time lies in the future (clock set back)', () => {
    expect(decideCheck(half(-5_000, { storedAgoMs: 1 }), NOW, ROUND, RULES)).toBe('check');
  });

  it('reads TRANSACTION_CHECK_TIMES leniently', () => {
    expect(parseCheckTimes(undefined)).toBe(0);
    expect(parseCheckTimes('3')).toBe(3);
    expect(parseCheckTimes('x')).toBe(0);
  });
});
