import { InvalidArgumentError } from '@rocketts/protocol';
import { nonNegativeInt } from '../options/validate';

/** Where a group starts on a queue it has no offset for (ConsumeFromWhere.java, §13). */
export const ConsumeFromWhere = {
  CONSUME_FROM_LAST_OFFSET: 'CONSUME_FROM_LAST_OFFSET',
  CONSUME_FROM_FIRST_OFFSET: 'CONSUME_FROM_FIRST_OFFSET',
  CONSUME_FROM_TIMESTAMP: 'CONSUME_FROM_TIMESTAMP',
} as const;
export type ConsumeFromWhereValue = (typeof ConsumeFromWhere)[keyof typeof ConsumeFromWhere];

/** Default start of CONSUME_FROM_TIMESTAMP: half an hour before start (DefaultMQPushConsumer.consumeTimestamp). */
export const DEFAULT_CONSUME_TIMESTAMP_AGO_MS = 30 * 60 * 1000; // 30 min

const TIMESTAMP_PATTERN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** "yyyyMMddHHmmss" (local time, UtilAll.parseDate) or ms; default 30 minutes ago. */
export function parseConsumeTimestamp(value: unknown, now = Date.now()): number {
  if (value === undefined) return now - DEFAULT_CONSUME_TIMESTAMP_AGO_MS;
  if (typeof value === 'number') return nonNegativeInt(value, 'consumeTimestamp');
  const m = typeof value === 'string' ? TIMESTAMP_PATTERN.exec(value) : null;
  if (!m)
    throw new InvalidArgumentError(
      'consumeTimestamp',
      `must be "yyyyMMddHHmmss" or ms, got ${String(value)}`,
    );
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  if (date.getMonth() !== mo - 1 || date.getDate() !== d || h > 23 || mi > 59 || s > 59)
    throw new InvalidArgumentError('consumeTimestamp', `is not a valid date: ${value}`);
  return date.getTime();
}
