import { describe, expect, it } from 'vitest';
import { compileSql92, SqlFilterSyntaxError } from './index';
import { compileExpression, evaluateOutcome } from './sql-evaluator';
import type { SqlOutcome } from './sql-evaluator';
import { parseSql92 } from './sql-parser';

type Props = Readonly<Record<string, string>>;

function matches(expression: string, props: Props = {}): boolean {
  const lookup = new Map(Object.entries(props));
  return compileSql92(expression).matches((name) => lookup.get(name));
}

/** TRUE, FALSE, NULL or ERROR, for the cases where "no match" alone would hide which one. */
function outcome(expression: string, props: Props = {}): SqlOutcome {
  const lookup = new Map(Object.entries(props));
  return evaluateOutcome(compileExpression(parseSql92(expression)), (name) => lookup.get(name));
}

describe('compileSql92', () => {
  describe('the reference examples', () => {
    it("a > 5 AND b = 'abc'", () => {
      const expression = "a > 5 AND b = 'abc'";
      expect(matches(expression, { a: '6', b: 'abc' })).toBe(true);
      expect(matches(expression, { a: '5', b: 'abc' })).toBe(false);
      expect(matches(expression, { a: '6', b: 'abd' })).toBe(false);
      expect(outcome(expression, { b: 'abc' })).toBe('NULL');
      expect(outcome(expression, { a: 'six', b: 'abc' })).toBe('ERROR');
    });

    it('a BETWEEN 0 AND 3', () => {
      expect(['-1', '0', '2', '3', '4'].map((a) => matches('a BETWEEN 0 AND 3', { a }))).toEqual([
        false,
        true,
        true,
        true,
        false,
      ]);
      expect(outcome('a BETWEEN 0 AND 3')).toBe('NULL');
    });

    it("TAGS IN ('TagA','TagB')", () => {
      const expression = "TAGS IN ('TagA','TagB')";
      expect(matches(expression, { TAGS: 'TagA' })).toBe(true);
      expect(matches(expression, { TAGS: 'TagB' })).toBe(true);
      expect(matches(expression, { TAGS: 'TagC' })).toBe(false);
      expect(matches(expression, { TAGS: 'taga' })).toBe(false);
      expect(outcome(expression)).toBe('NULL');
    });

    it('a IS NOT NULL', () => {
      expect(matches('a IS NOT NULL', { a: '' })).toBe(true);
      expect(matches('a IS NOT NULL', { b: 'x' })).toBe(false);
    });

    it("(a IS NULL OR a = 'x') AND NOT b = 1 — NOT binds first, so this reads (NOT b) = 1", () => {
      const expression = "(a IS NULL OR a = 'x') AND NOT b = 1";
      // NOT b is TRUE for any present b (a bare property is FALSE), and TRUE = 1 compares a Boolean with
      // an Integer, which is never equal: the filter can never match, exactly as in RocketMQ.
      expect(outcome(expression, { b: '2' })).toBe('FALSE');
      expect(outcome(expression, { a: 'x', b: '1' })).toBe('FALSE');
      expect(outcome(expression, { a: 'x' })).toBe('NULL');
      expect(outcome(expression, { a: 'y', b: '2' })).toBe('FALSE');
    });

    it("(a IS NULL OR a = 'x') AND NOT (b = 1) — the intended meaning, written with parentheses", () => {
      const expression = "(a IS NULL OR a = 'x') AND NOT (b = 1)";
      expect(matches(expression, { b: '2' })).toBe(true);
      expect(matches(expression, { a: 'x', b: '2' })).toBe(true);
      expect(matches(expression, { a: 'x', b: '1' })).toBe(false);
      expect(matches(expression, { a: 'y', b: '2' })).toBe(false);
      expect(outcome(expression, { a: 'x' })).toBe('NULL');
    });
  });

  describe('lexical rules end to end', () => {
    it('ignores keyword case and comments', () => {
      const expression = "a BeTwEeN 0 aNd 3 -- range\n AND /* the tag */ tags iN ('x') and B is NOT null";
      expect(matches(expression, { a: '1', tags: 'x', B: '' })).toBe(true);
      expect(matches(expression, { a: '1', tags: 'x', b: '' })).toBe(false);
    });

    it("reads '' in string literals as one quote", () => {
      expect(matches("TAGS is not null and TAGS='''''tag'''''", { TAGS: "''tag''" })).toBe(true);
    });

    it('handles long and float literals', () => {
      expect(matches('a > 9999999999', { a: '10000000000' })).toBe(true);
      expect(matches('a = 1L', { a: '1' })).toBe(true);
      expect(
        matches('a = 1.5 AND b = .5 AND c = 1e3 AND d = 1.5E-2', {
          a: '1.5',
          b: '0.5',
          c: '1000',
          d: '0.015',
        }),
      ).toBe(true);
    });
  });

  describe('the compiled filter', () => {
    it('keeps the expression and can be evaluated many times', () => {
      const filter = compileSql92('a > 5');
      expect(filter.expression).toBe('a > 5');
      expect([filter.matches(() => '6'), filter.matches(() => '4'), filter.matches(() => undefined)]).toEqual(
        [true, false, false],
      );
    });

    it('throws SqlFilterSyntaxError for an invalid expression', () => {
      expect(() => compileSql92('a > ')).toThrow(SqlFilterSyntaxError);
      expect(() => compileSql92("a > 'x'")).toThrow(/cannot be compared/);
    });

    it('never throws from matches, even when the lookup does', () => {
      const filter = compileSql92('a = 1');
      expect(
        filter.matches(() => {
          throw new Error('broken lookup');
        }),
      ).toBe(false);
      expect(
        evaluateOutcome(compileExpression(parseSql92('a = 1')), () => {
          throw new Error('broken lookup');
        }),
      ).toBe('ERROR');
    });
  });
});
