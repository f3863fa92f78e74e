import { describe, expect, it } from 'vitest';
import { ResponseCode, type EndTransactionRequestHeader } from '@rocketts/protocol';
import { checkEndRequest, type HalfIdentity } from './end-transaction-check';

const NOW = 1_700_000_000_000;
const TIMEOUT = 6_000;

const half = (props: Record<string, string> = {}, ageMs = 1_000): HalfIdentity => ({
  properties: { PGROUP: 'pg', ...props },
  bornTimestamp: NOW - ageMs,
  queueOffset: 5,
  commitLogOffset: 1234,
});

const req = (o: Partial<EndTransactionRequestHeader> = {}): EndTransactionRequestHeader => ({
  producerGroup: 'pg',
  tranStateTableOffset: 5,
  commitLogOffset: 1234,
  commitOrRollback: 8,
  msgId: 'UNIQ',
  ...o,
});

describe('END_TRANSACTION validation (§10.2)', () => {
  it.each([
    [
      'unknown half message',
      req(),
      undefined,
      ResponseCode.SYSTEM_ERROR,
      'Find prepared transaction message failed',
    ],
    [
      'wrong producer group',
      req({ producerGroup: 'other' }),
      half(),
      ResponseCode.SYSTEM_ERROR,
      'The producer group wrong',
    ],
    [
      'wrong half-queue offset',
      req({ tranStateTableOffset: 6 }),
      half(),
      ResponseCode.SYSTEM_ERROR,
      'The transaction state table offset wrong',
    ],
    [
      'wrong commit-log offset',
      req({ commitLogOffset: 1 }),
      half(),
      ResponseCode.SYSTEM_ERROR,
      'The commit log offset wrong',
    ],
    [
      'late answer past its own immunity, not from a check',
      req(),
      half({ CHECK_IMMUNITY_TIME_IN_SECONDS: '10' }, 10_001),
      ResponseCode.ILLEGAL_OPERATION,
      'immunity',
    ],
  ] as const)('refuses: %s', (_name, h, hm, code, remark) => {
    const r = checkEndRequest(h, hm, NOW, TIMEOUT);
    expect(r?.code).toBe(code);
    expect(r?.remark).toContain(remark);
  });

  it.each([
    ['a matching request', req(), half()],
    ['a rollback', req({ commitOrRollback: 12 }), half()],
    ['within its immunity', req(), half({ CHECK_IMMUNITY_TIME_IN_SECONDS: '10' }, 9_000)],
    [
      'past its immunity but answering a check',
      req({ fromTransactionCheck: true }),
      half({ CHECK_IMMUNITY_TIME_IN_SECONDS: '10' }, 60_000),
    ],
    ['old, without immunity', req(), half({}, 600_000)],
  ] as const)('accepts %s', (_name, h, hm) => {
    expect(checkEndRequest(h, hm, NOW, TIMEOUT)).toBeUndefined();
  });
});
