import { describe, expect, it } from 'vitest';
import type { SqlNumber } from './sql-ast';
import {
  compareDoubles,
  compareValues,
  negateNumber,
  parseJavaBoolean,
  parseJavaDouble,
  parseJavaInt,
  parseJavaLong,
} from './sql-values';

const int = (value: number): SqlNumber => ({ numberType: 'int', value });
const long = (value: bigint): SqlNumber => ({ numberType: 'long', value });
const double = (value: number): SqlNumber => ({ numberType: 'double', value });

describe('Java value semantics', () => {
  describe('parseJavaInt (Integer.valueOf)', () => {
    it.each([
      ['3', 3],
      ['+3', 3],
      ['-3', -3],
      ['003', 3],
      ['2147483647', 2147483647],
      ['-2147483648', -2147483648],
      ['00000000000000000000007', 7],
    ])('reads %j as %d', (text, value) => {
      expect(parseJavaInt(text)).toBe(value);
    });

    it('reads -0 as 0, not -0', () => {
      expect(Object.is(parseJavaInt('-0'), 0)).toBe(true);
    });

    it.each([
      '',
      '-',
      '+',
      '3.0',
      ' 3',
      '3 ',
      '1e3',
      '0x10',
      '2147483648',
      '-2147483649',
      '99999999999999999999',
      '３',
    ])('refuses %j', (text) => {
      expect(parseJavaInt(text)).toBeUndefined();
    });
  });

  describe('parseJavaLong (Long.valueOf)', () => {
    it.each([
      ['123', 123],
      ['-123', -123],
      ['9999999999', 9999999999],
      ['9223372036854775807', 9223372036854775807n],
      ['-9223372036854775808', -9223372036854775808n],
      ['+0000000000000000000001', 1n],
    ])('reads %j as %s', (text, value) => {
      expect(parseJavaLong(text)).toBe(value);
    });

    it.each(['', '-', '1.0', '1L', ' 1', '9223372036854775808', '-9223372036854775809'])(
      'refuses %j',
      (text) => {
        expect(parseJavaLong(text)).toBeUndefined();
      },
    );
  });

  describe('parseJavaDouble (Double.valueOf)', () => {
    it.each([
      ['1.5', 1.5],
      ['-1.5', -1.5],
      ['.5', 0.5],
      ['5.', 5],
      ['+.5e-1', 0.05],
      ['1e3', 1000],
      ['1.5d', 1.5],
      ['1.5F', 1.5],
      ['3', 3],
      [' 1.5\t', 1.5],
      ['\u00011.5\u001f', 1.5],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
      ['1e400', Infinity],
    ])('reads %j as %d', (text, value) => {
      expect(parseJavaDouble(text)).toBe(value);
    });

    it('reads NaN', () => {
      expect(parseJavaDouble('NaN')).toBeNaN();
      expect(parseJavaDouble('-NaN')).toBeNaN();
    });

    it.each(['', ' ', 'abc', '1,5', '1.5.1', '0x1p3', 'NaNd', 'infinity', '1e', '\u00a01.5', '1_000'])(
      'refuses %j',
      (text) => {
        expect(parseJavaDouble(text)).toBeUndefined();
      },
    );
  });

  describe('parseJavaBoolean (Boolean.valueOf)', () => {
    it('is true for "true" in any case', () => {
      expect(['true', 'TRUE', 'True', 'tRuE'].map(parseJavaBoolean)).toEqual([true, true, true, true]);
    });

    it('is false for anything else', () => {
      expect(
        ['false', 'yes', '1', 'truex', 'tru', ' true', 'true ', '', 'trUe\u0000'].map(parseJavaBoolean),
      ).toEqual(Array(9).fill(false));
    });
  });

  describe('compareDoubles (Double.compare)', () => {
    it.each([
      [1, 2, -1],
      [2, 1, 1],
      [1, 1, 0],
      [-0, 0, -1],
      [0, -0, 1],
      [NaN, NaN, 0],
      [NaN, Infinity, 1],
      [Infinity, NaN, -1],
    ])('compare(%d, %d) = %d', (a, b, order) => {
      expect(compareDoubles(a, b)).toBe(order);
    });
  });

  describe('compareValues (ComparisonExpression.__compare)', () => {
    it('widens Integer → Long → Double', () => {
      expect(compareValues(int(3), long(3n))).toBe(0);
      expect(compareValues(long(9999999999n), int(1))).toBe(1);
      expect(compareValues(int(1), double(1.5))).toBe(-1);
      // 2^53 + 1 becomes 2^53 as a double, as Java's long-to-double conversion does.
      expect(compareValues(long(9007199254740993n), double(9007199254740992))).toBe(0);
      expect(compareValues(long(9007199254740993n), long(9007199254740992n))).toBe(1);
    });

    it('parses a string into the type of the number it meets, on either side', () => {
      expect(compareValues('3', int(3))).toBe(0);
      expect(compareValues(int(3), '4')).toBe(-1);
      expect(compareValues('3.0', int(3))).toBeNaN();
      expect(compareValues(double(3), '3')).toBe(0);
      expect(compareValues('9007199254740993', long(9007199254740992n))).toBe(1);
    });

    it('reads a string with Boolean.valueOf against a boolean, and fails the other way round', () => {
      expect(compareValues('TRUE', true)).toBe(0);
      expect(compareValues('yes', true)).toBe(-1);
      expect(compareValues(true, 'true')).toBeNaN();
    });

    it('orders unrelated types as less', () => {
      expect(compareValues(int(1), true)).toBe(-1);
      expect(compareValues(false, int(0))).toBe(-1);
    });

    it('orders strings and booleans among themselves', () => {
      expect(compareValues('a', 'b')).toBe(-1);
      expect(compareValues('b', 'a')).toBe(1);
      expect(compareValues('a', 'a')).toBe(0);
      expect(compareValues(true, false)).toBe(1);
    });
  });

  describe('negateNumber', () => {
    it('keeps the type and wraps like Java', () => {
      expect(negateNumber(int(5))).toEqual(int(-5));
      expect(Object.is(negateNumber(int(0)).value, 0)).toBe(true);
      expect(negateNumber(int(-2147483648))).toEqual(int(-2147483648));
      expect(negateNumber(long(2147483648n))).toEqual(long(-2147483648n));
      expect(negateNumber(long(-9223372036854775808n))).toEqual(long(-9223372036854775808n));
      expect(negateNumber(double(1.5))).toEqual(double(-1.5));
    });
  });
});
