import { NumberType } from './sql-ast';
import type { SqlNumber, SqlValue } from './sql-ast';

/**
 * Java's value semantics as RocketMQ's filter sees them: Integer/Long/Double.valueOf and Boolean.valueOf
 * for property strings, the widening and ordering of ComparisonExpression.__compare, Double.compare.
 *
 * Where Java throws (NumberFormatException, ClassCastException), parsers return undefined and comparisons
 * return NaN (COMPARE_FAILED): a failure can happen for every message on the pull path, and a JS throw
 * costs about a microsecond. Nothing here allocates except a String→Long parse of more than 15 digits
 * (a BigInt) and a Double parse of a padded string (a trimmed copy).
 */

/** What a comparison returns instead of -1/0/1 when a value does not convert. */
export const COMPARE_FAILED = Number.NaN;

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
const LONG_MIN = -9_223_372_036_854_775_808n;
const LONG_MAX = 9_223_372_036_854_775_807n;
/** Up to this many digits a Long value is below 2^53 and parses exactly as a JS number. */
const SAFE_LONG_DIGITS = 15;
const CHAR_PLUS = 0x2b;
const CHAR_MINUS = 0x2d;
const CHAR_ZERO = 0x30;

/** Integer/Long values: a Long parsed from a string stays a number while it is exact. */
type IntegralValue = number | bigint;

/** Start of the digits after an optional sign, or -1 when there are no digits or a non-digit. */
function digitsStart(text: string): number {
  const first = text.charCodeAt(0);
  const start = first === CHAR_PLUS || first === CHAR_MINUS ? 1 : 0;
  if (start === text.length) return -1;
  for (let i = start; i < text.length; i++) {
    const d = text.charCodeAt(i) - CHAR_ZERO;
    if (d < 0 || d > 9) return -1;
  }
  return start;
}

/** Integer.valueOf: optional sign, ASCII digits, 32-bit range; "3.0" and " 3" fail. */
export function parseJavaInt(text: string): number | undefined {
  const first = text.charCodeAt(0);
  const negative = first === CHAR_MINUS;
  let i = negative || first === CHAR_PLUS ? 1 : 0;
  if (i === text.length) return undefined;
  let value = 0;
  for (; i < text.length; i++) {
    const digit = text.charCodeAt(i) - CHAR_ZERO;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
    // Past 2^31 the value can only grow; stopping here keeps the arithmetic exact.
    if (value > -INT_MIN) return undefined;
  }
  if (negative) return value === 0 ? 0 : -value;
  return value > INT_MAX ? undefined : value;
}

/** Long.valueOf: optional sign, ASCII digits, 64-bit range. */
export function parseJavaLong(text: string): IntegralValue | undefined {
  const start = digitsStart(text);
  if (start < 0) return undefined;
  if (text.length - start <= SAFE_LONG_DIGITS) {
    const value = Number(text);
    return value === 0 ? 0 : value;
  }
  const value = BigInt(text);
  return value < LONG_MIN || value > LONG_MAX ? undefined : value;
}

// Double.valueOf's decimal grammar (FloatingDecimal.readJavaFormatString), with its optional f/F/d/D suffix.
const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
const SUFFIX = /[fFdD]$/;

/**
 * Double.valueOf: String.trim() first (every char <= U+0020 at either end), then a Java decimal float,
 * NaN or Infinity. Hexadecimal floats ("0x1p3") are not accepted: they fail like any malformed number.
 */
export function parseJavaDouble(text: string): number | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  const trimmed = start === 0 && end === text.length ? text : text.slice(start, end);
  if (!JAVA_DOUBLE.test(trimmed)) return undefined;
  return Number(SUFFIX.test(trimmed) ? trimmed.slice(0, -1) : trimmed);
}

/** Boolean.valueOf: true iff "true" ignoring case; anything else, "yes" and "1" included, is false. */
export function parseJavaBoolean(text: string): boolean {
  // OR-ing 0x20 lower-cases ASCII letters and leaves no other character equal to a lower-case letter.
  return (
    text.length === 4 &&
    (text.charCodeAt(0) | 0x20) === 0x74 &&
    (text.charCodeAt(1) | 0x20) === 0x72 &&
    (text.charCodeAt(2) | 0x20) === 0x75 &&
    (text.charCodeAt(3) | 0x20) === 0x65
  );
}

/** Double.compare: -0.0 < 0.0, and NaN equals itself and is above everything else. */
export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const aNegative = Object.is(a, -0);
    return aNegative === Object.is(b, -0) ? 0 : aNegative ? -1 : 1;
  }
  const aIsNaN = Number.isNaN(a);
  return aIsNaN === Number.isNaN(b) ? 0 : aIsNaN ? 1 : -1;
}

/** Integer→Long→Double widening: Double as soon as one side is Double, exact integer order otherwise. */
function compareNumbers(
  leftType: NumberType,
  left: IntegralValue,
  rightType: NumberType,
  right: IntegralValue,
) {
  if (leftType === NumberType.DOUBLE || rightType === NumberType.DOUBLE) {
    return compareDoubles(Number(left), Number(right));
  }
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Compares two numeric literals the way BETWEEN's compile-time check does. */
export function compareNumberValues(left: SqlNumber, right: SqlNumber): number {
  return compareNumbers(left.numberType, left.value, right.numberType, right.value);
}

/** A property string read as the number type of the literal it meets ("convert string expressions"). */
export function parseAs(type: NumberType, text: string): IntegralValue | undefined {
  return type === NumberType.INT
    ? parseJavaInt(text)
    : type === NumberType.LONG
      ? parseJavaLong(text)
      : parseJavaDouble(text);
}

/** A property string compared with a numeric literal, the string on the left. */
export function compareStringToNumber(text: string, literal: SqlNumber): number {
  const type = literal.numberType;
  const value = parseAs(type, text);
  return value === undefined ? COMPARE_FAILED : compareNumbers(type, value, type, literal.value);
}

/**
 * ComparisonExpression.__compare with string conversion on, for the values a filter can produce; null is
 * handled by the callers. Values of unrelated types order as "less" (-1), so `=` between them is FALSE;
 * COMPARE_FAILED when a string does not convert.
 */
export function compareValues(left: NonNullable<SqlValue>, right: NonNullable<SqlValue>): number {
  if (typeof left === 'string') {
    if (typeof right === 'string') return left === right ? 0 : left < right ? -1 : 1;
    if (typeof right === 'boolean') return compareBooleans(parseJavaBoolean(left), right);
    return compareStringToNumber(left, right);
  }
  if (typeof left === 'boolean') {
    if (typeof right === 'boolean') return compareBooleans(left, right);
    // Java casts the Boolean to String here and fails with a ClassCastException.
    return typeof right === 'string' ? COMPARE_FAILED : -1;
  }
  if (typeof right === 'string') {
    const value = parseAs(left.numberType, right);
    return value === undefined
      ? COMPARE_FAILED
      : compareNumbers(left.numberType, left.value, left.numberType, value);
  }
  if (typeof right === 'boolean') return -1;
  return compareNumbers(left.numberType, left.value, right.numberType, right.value);
}

function compareBooleans(left: boolean, right: boolean): number {
  return left === right ? 0 : left ? 1 : -1;
}

/** Unary minus with Java's overflow: -Integer.MIN_VALUE stays MIN_VALUE, Long wraps at 64 bits. */
export function negateNumber(value: SqlNumber): SqlNumber {
  switch (value.numberType) {
    case NumberType.INT:
      return { numberType: NumberType.INT, value: (0 - value.value) | 0 };
    case NumberType.LONG:
      return { numberType: NumberType.LONG, value: BigInt.asIntN(64, -value.value) };
    case NumberType.DOUBLE:
      return { numberType: NumberType.DOUBLE, value: -value.value };
  }
}
