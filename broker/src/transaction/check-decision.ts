/**
 * What the check service does with one half message (TransactionalMessageServiceImpl.check, §10.3),
 * as a pure function so the timing rules are tested without a store or a clock.
 */

/** What the walk needs to know about one half message. */
export interface HalfFacts {
  bornTimestamp: number;
  storeTimestamp: number;
  /** TRANSACTION_CHECK_TIMES, 0 when absent. */
  checkTimes: number;
  /** CHECK_IMMUNITY_TIME_IN_SECONDS as sent, when present. */
  immunityText?: string | undefined;
}

export interface CheckRules {
  transactionTimeOutMs: number;
  transactionCheckMax: number;
  /** Half messages born longer ago than this are given up (the commit log is about to lose them). */
  fileReservedTimeMs: number;
}

/**
 * - discard: checked transactionCheckMax times already, or too old; copy it to TRANS_CHECK_MAX_TIME_TOPIC.
 * - stop: stored during this round, or younger than transactionTimeOut; later entries are younger still.
 * - renew: still within its immunity; append a copy so the walk can move on, without counting a check.
 * - check: ask a producer of its group.
 */
export type CheckAction = 'discard' | 'stop' | 'renew' | 'check';

/**
 * Immunity in ms (5.x TransactionalMessageUtil.getImmunityTime): seconds × 1000, never below
 * transactionTimeOut (an unparsable value counts as 0, so it is transactionTimeOut).
 */
export function immunityMs(text: string | undefined, transactionTimeOutMs: number): number {
  const t = text?.trim() ?? '';
  const ms = /^-?\d+$/.test(t) ? Number(t) * 1000 : 0;
  return Math.max(ms, transactionTimeOutMs);
}

/** TRANSACTION_CHECK_TIMES as stored; absent or garbled counts as none. */
export function parseCheckTimes(text: string | undefined): number {
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function decideCheck(m: HalfFacts, now: number, roundStart: number, rules: CheckRules): CheckAction {
  if (m.checkTimes >= rules.transactionCheckMax) return 'discard';
  if (now - m.bornTimestamp > rules.fileReservedTimeMs) return 'discard';
  if (m.storeTimestamp >= roundStart) return 'stop';
  const age = now - m.bornTimestamp;
  // A negative age is a clock set back: check rather than wait forever (valueOfCurrentMinusBorn <= -1).
  if (age < 0) return 'check';
  if (m.immunityText !== undefined) {
    return age < immunityMs(m.immunityText, rules.transactionTimeOutMs) ? 'renew' : 'check';
  }
  return age < rules.transactionTimeOutMs ? 'stop' : 'check';
}
