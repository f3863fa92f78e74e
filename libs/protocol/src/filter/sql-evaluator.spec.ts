import { describe, expect, it } from 'vitest';
import { compileSql92 } from './index';
import { compileExpression, evaluateOutcome } from './sql-evaluator';
import type { SqlOutcome } from './sql-evaluator';
import { parseSql92 } from './sql-parser';

type Props = Readonly<Record<string, string>>;

/** TRUE, FALSE, NULL or ERROR for the expression against these properties. */
function outcome(expression: string, props: Props = {}): SqlOutcome {
  const lookup = new Map(Object.entries(props));
  return evaluateOutcome(compileExpression(parseSql92(expression)), (name) => lookup.get(name));
}

function matches(expression: string, props: Props = {}): boolean {
  const lookup = new Map(Object.entries(props));
  return compileSql92(expression).matches((name) => lookup.get(name));
}

describe('SQL92 evaluation', () => {
  describe('three-valued logic', () => {
    const values = ['TRUE', 'FALSE', 'NULL'] as const;
    const AND: Record<string, SqlOutcome> = {
      'TRUE TRUE': 'TRUE',
      'TRUE FALSE': 'FALSE',
      'TRUE NULL': 'NULL',
      'FALSE TRUE': 'FALSE',
      'FALSE FALSE': 'FALSE',
      'FALSE NULL': 'FALSE',
      'NULL TRUE': 'NULL',
      'NULL FALSE': 'FALSE',
      'NULL NULL': 'NULL',
    };
    const OR: Record<string, SqlOutcome> = {
      'TRUE TRUE': 'TRUE',
      'TRUE FALSE': 'TRUE',
      'TRUE NULL': 'TRUE',
      'FALSE TRUE': 'TRUE',
      'FALSE FALSE': 'FALSE',
      'FALSE NULL': 'NULL',
      'NULL TRUE': 'TRUE',
      'NULL FALSE': 'NULL',
      'NULL NULL': 'NULL',
    };
    // The same values produced from properties: a = '1' is TRUE, FALSE or (a absent) NULL.
    const fromProperty = { TRUE: ['1', 'x'], FALSE: ['2', 'x'], NULL: [undefined, 'x'] } as const;

    it.each(values.flatMap((l) => values.map((r) => [l, r] as const)))('%s AND %s, %s OR %s', (l, r) => {
      expect(outcome(`${l} AND ${r}`)).toBe(AND[`${l} ${r}`]);
      expect(outcome(`${l} OR ${r}`)).toBe(OR[`${l} ${r}`]);
      const props: Record<string, string> = {};
      const [a] = fromProperty[l];
      const [b] = fromProperty[r];
      if (a !== undefined) props['a'] = a;
      if (b !== undefined) props['b'] = b;
      expect(outcome('a = 1 AND b = 1', props)).toBe(AND[`${l} ${r}`]);
      expect(outcome('a = 1 OR b = 1', props)).toBe(OR[`${l} ${r}`]);
    });

    it('NOT TRUE is FALSE, NOT FALSE is TRUE, NOT NULL is NULL', () => {
      expect(outcome('NOT TRUE')).toBe('FALSE');
      expect(outcome('NOT FALSE')).toBe('TRUE');
      expect(outcome('NOT NULL')).toBe('NULL');
      expect(outcome('NOT (a = 1)', { a: '2' })).toBe('TRUE');
      expect(outcome('NOT (a = 1)')).toBe('NULL');
    });

    it('folds longer chains the same way', () => {
      expect(outcome('TRUE AND NULL AND TRUE')).toBe('NULL');
      expect(outcome('TRUE AND NULL AND FALSE')).toBe('FALSE');
      expect(outcome('FALSE OR NULL OR FALSE')).toBe('NULL');
      expect(outcome('NULL OR FALSE OR TRUE')).toBe('TRUE');
    });

    it('matches only on exactly TRUE', () => {
      expect(matches('TRUE')).toBe(true);
      expect(matches('FALSE')).toBe(false);
      expect(matches('NULL')).toBe(false);
      expect(matches('NOT NULL')).toBe(false);
    });

    it('stops at the first FALSE (AND) or TRUE (OR), so a later failure does not count', () => {
      expect(outcome('b = 1 OR a = 1', { a: 'x', b: '1' })).toBe('TRUE');
      expect(outcome('a = 1 OR b = 1', { a: 'x', b: '1' })).toBe('ERROR');
      expect(outcome('b = 2 AND a = 1', { a: 'x', b: '1' })).toBe('FALSE');
      expect(outcome('a = 1 AND b = 2', { a: 'x', b: '1' })).toBe('ERROR');
      expect(outcome('NULL AND a = 1', { a: 'x' })).toBe('ERROR');
    });

    it('carries a failure through NOT, IS NULL and comparisons of booleans', () => {
      expect(outcome('NOT (a = 1)', { a: 'x' })).toBe('ERROR');
      expect(outcome('(a = 1) IS NULL', { a: 'x' })).toBe('ERROR');
      expect(outcome('(a = 1) = TRUE', { a: 'x' })).toBe('ERROR');
      expect(outcome('a <> 1', { a: 'x' })).toBe('ERROR');
      expect(outcome('-(a = 1) IS NULL', { a: 'x' })).toBe('ERROR');
      expect(outcome("(a = 1) CONTAINS 'x'", { a: 'x' })).toBe('ERROR');
    });
  });

  describe('= and <>', () => {
    it('compares strings exactly', () => {
      expect(outcome("a = 'abc'", { a: 'abc' })).toBe('TRUE');
      expect(outcome("a = 'abc'", { a: 'ABC' })).toBe('FALSE');
      expect(outcome("a <> 'abc'", { a: 'abd' })).toBe('TRUE');
      expect(outcome("a <> 'abc'", { a: 'abc' })).toBe('FALSE');
      expect(outcome('a = b', { a: '3.14', b: '3.14' })).toBe('TRUE');
      expect(outcome('a <> b', { a: '3.14', b: '3.141' })).toBe('TRUE');
      expect(outcome('a = b', { a: '1', b: '1.0' })).toBe('FALSE');
    });

    it('is NULL when the left side is NULL, FALSE when only the right side is, TRUE when both are', () => {
      expect(outcome("a = 'x'")).toBe('NULL');
      expect(outcome("a <> 'x'")).toBe('NULL');
      expect(outcome("'x' = a")).toBe('FALSE');
      expect(outcome("'x' <> a")).toBe('TRUE');
      expect(outcome('a = b', { a: 'x' })).toBe('FALSE');
      expect(outcome('a = b', { b: 'x' })).toBe('NULL');
      expect(outcome('a = b')).toBe('TRUE');
      expect(outcome('a <> b')).toBe('FALSE');
    });

    it('compares literals of the same or widened types', () => {
      expect(outcome("'x' = 'x'")).toBe('TRUE');
      expect(outcome('1 = 1.0')).toBe('TRUE');
      expect(outcome('2147483648 = 2147483648.0')).toBe('TRUE');
      expect(outcome('9999999999 = 9999999999L')).toBe('TRUE');
      expect(outcome('TRUE = FALSE')).toBe('FALSE');
      expect(outcome("1 = '1'")).toBe('TRUE');
    });

    it('treats values of unrelated types as different', () => {
      expect(outcome('1 = TRUE')).toBe('FALSE');
      expect(outcome('1 <> TRUE')).toBe('TRUE');
      expect(outcome('(a > 1) = 1', { a: '2' })).toBe('FALSE');
    });
  });

  describe('conversion of property strings (exhaustive parsing tables in sql-values.spec.ts)', () => {
    it('parses the string as an Integer against an Integer literal: "3.0" = 3 fails, so no match', () => {
      expect(outcome('a = 3', { a: '3' })).toBe('TRUE');
      expect(outcome('a = 3', { a: '+3' })).toBe('TRUE');
      expect(outcome('a = 3', { a: '3.0' })).toBe('ERROR');
      expect(outcome('a = 3', { a: ' 3' })).toBe('ERROR');
      expect(outcome('a = 3', { a: 'abc' })).toBe('ERROR');
      expect(outcome('a < 2147483647', { a: '2147483648' })).toBe('ERROR');
      expect(matches('a = 3', { a: '3.0' })).toBe(false);
      expect(matches('NOT (a = 3)', { a: '3.0' })).toBe(false);
    });

    it('parses the string as a Long against a Long literal', () => {
      expect(outcome('a = 9999999999', { a: '9999999999' })).toBe('TRUE');
      expect(outcome('a < 9999999999', { a: '2147483648' })).toBe('TRUE');
      expect(outcome('a = 9223372036854775807', { a: '9223372036854775806' })).toBe('FALSE');
      expect(outcome('a > 9999999999', { a: '9223372036854775808' })).toBe('ERROR');
      expect(outcome('a = 9999999999', { a: '9999999999.0' })).toBe('ERROR');
    });

    it('parses the string as a Double against a Double literal', () => {
      expect(outcome('a = 3.0', { a: '3' })).toBe('TRUE');
      expect(outcome('a > 3.14', { a: '3.1415' })).toBe('TRUE');
      expect(outcome('a > 3.1E10', { a: '31415000000' })).toBe('TRUE');
      expect(outcome('a > 1.5', { a: ' 1.6d ' })).toBe('TRUE');
      expect(outcome('a > 1.5', { a: 'NaN' })).toBe('TRUE');
      expect(outcome('a = 1.5', { a: 'NaN' })).toBe('FALSE');
      expect(outcome('a > 1.5', { a: '1,6' })).toBe('ERROR');
    });

    it("reads two strings as Doubles for > >= < <=, so '10' > '9'", () => {
      expect(outcome('a > b', { a: '10', b: '9' })).toBe('TRUE');
      expect(outcome('a < b', { a: '10', b: '9' })).toBe('FALSE');
      expect(outcome('a >= b', { a: '2.0', b: '2' })).toBe('TRUE');
      expect(outcome('a > b', { a: 'abc', b: '1' })).toBe('ERROR');
      expect(outcome('a > b', { a: '1', b: 'abc' })).toBe('ERROR');
      expect(outcome('a > b', { a: '1' })).toBe('NULL');
    });

    it('reads the string with Boolean.valueOf against TRUE or FALSE', () => {
      expect(outcome('a = TRUE', { a: 'True' })).toBe('TRUE');
      expect(outcome('a = TRUE', { a: 'yes' })).toBe('FALSE');
      expect(outcome('a = TRUE', { a: 'truex' })).toBe('FALSE');
      expect(outcome('a = FALSE', { a: 'no' })).toBe('TRUE');
      expect(outcome('a <> TRUE', { a: 'truE' })).toBe('FALSE');
      expect(outcome('a=TRUE OR b=FALSE', { a: 'true', b: 'false' })).toBe('TRUE');
      expect(outcome('a=TRUE OR b=FALSE', { a: 'false', b: 'true' })).toBe('FALSE');
    });

    it('fails a Boolean on the left of a string, as the ClassCastException in Java', () => {
      expect(outcome('TRUE = a', { a: 'true' })).toBe('ERROR');
      expect(outcome('(b IS NULL) = a', { a: 'true' })).toBe('ERROR');
    });
  });

  describe('IS NULL and bare properties', () => {
    it('IS NULL is TRUE exactly when the property is absent, never NULL', () => {
      expect(outcome('a IS NULL')).toBe('TRUE');
      expect(outcome('a IS NULL', { a: '' })).toBe('FALSE');
      expect(outcome('a IS NOT NULL')).toBe('FALSE');
      expect(outcome('(a = 1) IS NULL')).toBe('TRUE');
      expect(outcome('(a = 1) IS NOT NULL', { a: '1' })).toBe('TRUE');
      expect(outcome('NULL IS NULL')).toBe('TRUE');
    });

    it('a bare property is FALSE when present, whatever its value, and NULL when absent', () => {
      expect(outcome('a', { a: 'true' })).toBe('FALSE');
      expect(outcome('a')).toBe('NULL');
      expect(outcome('NOT a', { a: 'false' })).toBe('TRUE');
      expect(outcome('a OR b = 1', { a: 'true', b: '1' })).toBe('TRUE');
    });
  });

  describe('BETWEEN and NOT BETWEEN', () => {
    it('includes both bounds and widens numbers', () => {
      expect(outcome('a between 2 and 10', { a: '2' })).toBe('TRUE');
      expect(outcome('a between 2 and 10', { a: '10' })).toBe('TRUE');
      expect(outcome('a between 2 and 10', { a: '11' })).toBe('FALSE');
      expect(outcome('a BETWEEN 1.5 AND 2.5', { a: '2' })).toBe('TRUE');
      expect(outcome('a BETWEEN 1 AND 9999999999', { a: '5' })).toBe('TRUE');
      expect(outcome('a BETWEEN low AND high', { a: '5', low: '1', high: '9' })).toBe('TRUE');
    });

    it('is NULL for an absent value and fails for a non-number', () => {
      expect(outcome('a BETWEEN 0 AND 100')).toBe('NULL');
      expect(outcome('a BETWEEN 0 AND 100', { a: 'abc' })).toBe('ERROR');
      expect(outcome('a BETWEEN 0 AND 100', { a: '5.5' })).toBe('ERROR');
      expect(outcome('key is not null and key between 0 and 100', { key: 'con' })).toBe('ERROR');
    });

    it('NOT BETWEEN is < low OR > high', () => {
      expect(outcome('a not between 2 and 10', { a: '1' })).toBe('TRUE');
      expect(outcome('a not between 2 and 10', { a: '11' })).toBe('TRUE');
      expect(outcome('a not between 2 and 10', { a: '2' })).toBe('FALSE');
      expect(outcome('a not between 2 and 10', { a: '10' })).toBe('FALSE');
      expect(outcome('a not between 2 and 10')).toBe('NULL');
      expect(outcome('a NOT BETWEEN 5 AND 3', { a: '4' })).toBe('TRUE');
      expect(outcome('a NOT BETWEEN low AND 3', { a: '4' })).toBe('TRUE');
      expect(outcome('a NOT BETWEEN low AND 3', { a: '2' })).toBe('NULL');
    });
  });

  describe('IN and NOT IN', () => {
    it('tests membership by exact string equality', () => {
      expect(outcome("a in ('3', '4', '5')", { a: '4' })).toBe('TRUE');
      expect(outcome("a in ('3', '4', '5')", { a: '8' })).toBe('FALSE');
      expect(outcome("a in ('3', '4', '5')", { a: '4.0' })).toBe('FALSE');
      expect(outcome("a not in ('3', '4', '5')", { a: '8' })).toBe('TRUE');
      expect(outcome("a not in ('3', '4', '5')", { a: '3' })).toBe('FALSE');
    });

    it('is NULL for an absent property, so NOT IN does not match it', () => {
      expect(outcome("a IN ('x')")).toBe('NULL');
      expect(outcome("a NOT IN ('x')")).toBe('NULL');
      expect(matches("a NOT IN ('x')")).toBe(false);
      expect(matches("a NOT IN ('x')", { a: 'y' })).toBe(true);
    });

    it('handles long lists and quotes inside values', () => {
      const list = Array.from({ length: 50 }, (_, i) => `'tag${i}'`).join(', ');
      expect(outcome(`TAGS IN (${list})`, { TAGS: 'tag49' })).toBe('TRUE');
      expect(outcome(`TAGS IN (${list})`, { TAGS: 'tag50' })).toBe('FALSE');
      expect(outcome("a IN ('it''s')", { a: "it's" })).toBe('TRUE');
    });
  });

  describe('CONTAINS, STARTSWITH, ENDSWITH', () => {
    it.each([
      ['CONTAINS', 'a-b-c', '-b-', 'abc'],
      ['STARTSWITH', 'order-42', 'order-', 'x-order-42'],
      ['ENDSWITH', 'order-42', '-42', 'order-42-x'],
    ])('%s and NOT %s', (operator, value, search, other) => {
      expect(outcome(`a ${operator} '${search}'`, { a: value })).toBe('TRUE');
      expect(outcome(`a ${operator} '${search}'`, { a: other })).toBe('FALSE');
      expect(outcome(`a NOT ${operator} '${search}'`, { a: value })).toBe('FALSE');
      expect(outcome(`a NOT ${operator} '${search}'`, { a: other })).toBe('TRUE');
      // FALSE, not NULL, for an absent property, for both forms.
      expect(outcome(`a ${operator} '${search}'`)).toBe('FALSE');
      expect(outcome(`a NOT ${operator} '${search}'`)).toBe('FALSE');
      // An empty search string never matches, in either form.
      expect(outcome(`a ${operator} ''`, { a: value })).toBe('FALSE');
      expect(outcome(`a NOT ${operator} ''`, { a: value })).toBe('FALSE');
      // A non-string operand is FALSE too.
      expect(outcome(`1 ${operator} '1'`)).toBe('FALSE');
    });

    it('is case-sensitive, and NOT (…) of an absent property is TRUE', () => {
      expect(outcome("a CONTAINS 'B'", { a: 'abc' })).toBe('FALSE');
      expect(outcome("NOT (a CONTAINS 'x')")).toBe('TRUE');
    });
  });

  describe('unary minus', () => {
    it('negates number literals', () => {
      expect(outcome('a > -5', { a: '-4' })).toBe('TRUE');
      expect(outcome('a < -5', { a: '-4' })).toBe('FALSE');
      expect(outcome('a = -1.5', { a: '-1.5' })).toBe('TRUE');
      expect(outcome('a = - -5', { a: '5' })).toBe('TRUE');
      expect(outcome('-2147483648 = a', { a: '-2147483648' })).toBe('TRUE');
      // 2147483648 is a Long, and so is its negation: the string is parsed as a Long.
      expect(outcome('a = -2147483648', { a: '-2147483648' })).toBe('TRUE');
      expect(outcome('a = -2147483648', { a: '-2147483648.0' })).toBe('ERROR');
      expect(outcome('a = -1.5', { a: '-1' })).toBe('FALSE');
      expect(outcome('a = -1', { a: '-1.0' })).toBe('ERROR');
      expect(outcome('a = -9223372036854775807', { a: '-9223372036854775807' })).toBe('TRUE');
      expect(outcome('a BETWEEN -1 AND -5', { a: '-3' })).toBe('FALSE');
    });

    it('gives NULL for anything but a number', () => {
      expect(outcome('-a IS NULL', { a: '5' })).toBe('TRUE');
      expect(outcome("-'x' IS NULL")).toBe('TRUE');
      expect(outcome('a > -b', { a: '1', b: '2' })).toBe('NULL');
    });
  });
});
