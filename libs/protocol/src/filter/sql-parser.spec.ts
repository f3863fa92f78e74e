import { describe, expect, it } from 'vitest';
import type { SqlNode } from './sql-ast';
import { SqlFilterSyntaxError } from './sql-errors';
import { MAX_NESTING_DEPTH, MAX_TREE_HEIGHT, parseSql92 } from './sql-parser';

/** The tree as an S-expression, so precedence is visible in one string. */
function show(node: SqlNode): string {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      if (value === null) return 'NULL';
      if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
      if (typeof value === 'string') return `'${value}'`;
      return `${String(value.value)}${value.numberType === 'long' ? 'L' : value.numberType === 'double' ? 'd' : ''}`;
    }
    case 'property':
      return node.name;
    case 'negate':
      return `(- ${show(node.operand)})`;
    case 'not':
      return `(NOT ${show(node.operand)})`;
    case 'and':
    case 'or':
      return `(${node.kind.toUpperCase()} ${node.operands.map(show).join(' ')})`;
    case 'compare':
      return `(${node.operator} ${show(node.left)} ${show(node.right)})`;
    case 'isNull':
      return `(${node.negated ? 'IS NOT NULL' : 'IS NULL'} ${show(node.operand)})`;
    case 'between':
      return `(${node.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${show(node.value)} ${show(node.low)} ${show(node.high)})`;
    case 'in':
      return `(${node.negated ? 'NOT IN' : 'IN'} ${node.property.name} ${node.values.map((v) => `'${v}'`).join(' ')})`;
    case 'stringMatch':
      return `(${node.negated ? 'NOT ' : ''}${node.operator} ${show(node.operand)} '${node.search}')`;
    case 'booleanCast':
      return `(bool ${node.property.name})`;
  }
}

const tree = (expression: string): string => show(parseSql92(expression));

function parseError(expression: string): SqlFilterSyntaxError {
  try {
    parseSql92(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(SqlFilterSyntaxError);
    return error as SqlFilterSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be refused`);
}

describe('parseSql92', () => {
  describe('the reference examples', () => {
    it.each([
      ["a > 5 AND b = 'abc'", "(AND (> a 5) (= b 'abc'))"],
      ['a BETWEEN 0 AND 3', '(BETWEEN a 0 3)'],
      ["TAGS IN ('TagA','TagB')", "(IN TAGS 'TagA' 'TagB')"],
      ['a IS NOT NULL', '(IS NOT NULL a)'],
      ["(a IS NULL OR a = 'x') AND NOT b = 1", "(AND (OR (IS NULL a) (= a 'x')) (= (NOT (bool b)) 1))"],
    ])('%s', (expression, expected) => {
      expect(tree(expression)).toBe(expected);
    });
  });

  describe('precedence, lowest to highest: OR, AND, equality, comparison, unary', () => {
    it('binds AND tighter than OR', () => {
      expect(tree('a = 1 OR b = 2 AND c = 3')).toBe('(OR (= a 1) (AND (= b 2) (= c 3)))');
      expect(tree('a = 1 AND b = 2 OR c = 3')).toBe('(OR (AND (= a 1) (= b 2)) (= c 3))');
    });

    it('collects a chain of one operator into one node', () => {
      expect(tree('a=3 and b<>4 And c>5 AND d<=4')).toBe('(AND (= a 3) (<> b 4) (> c 5) (<= d 4))');
      expect(tree('a=3 or b<>4 Or c>5 OR d<=4')).toBe('(OR (= a 3) (<> b 4) (> c 5) (<= d 4))');
    });

    it('keeps parenthesised groups as written', () => {
      expect(tree('(a = 1 OR b = 2) AND c = 3')).toBe('(AND (OR (= a 1) (= b 2)) (= c 3))');
      expect(tree('a = 1 AND (b = 2 AND c = 3)')).toBe('(AND (= a 1) (AND (= b 2) (= c 3)))');
    });

    it('binds comparisons tighter than equality', () => {
      expect(tree('a > 1 = TRUE')).toBe('(= (> a 1) TRUE)');
      expect(tree('a = b > 1')).toBe('(= a (> b 1))');
      expect(tree("a BETWEEN 1 AND 2 = b IN ('x')")).toBe("(= (BETWEEN a 1 2) (IN b 'x'))");
    });

    it('applies equality left to right', () => {
      expect(tree('a = b <> c')).toBe('(<> (= a b) c)');
      expect(tree('a IS NULL = TRUE')).toBe('(= (IS NULL a) TRUE)');
    });

    it('binds NOT tighter than any comparison, as the unary operator it is in SelectorParser.jj', () => {
      expect(tree('NOT b = 1')).toBe('(= (NOT (bool b)) 1)');
      expect(tree('NOT (b = 1)')).toBe('(NOT (= b 1))');
      expect(tree('NOT a IS NULL')).toBe('(IS NULL (NOT (bool a)))');
      expect(tree('NOT NOT a')).toBe('(NOT (NOT (bool a)))');
    });

    it('lets BETWEEN take its own AND before the logical one', () => {
      expect(tree('a BETWEEN 1 AND 2 AND b = 1')).toBe('(AND (BETWEEN a 1 2) (= b 1))');
      expect(tree('a NOT BETWEEN 2 AND 10')).toBe('(NOT BETWEEN a 2 10)');
    });
  });

  describe('unary operators and primaries', () => {
    it('drops unary plus and keeps unary minus as a node', () => {
      expect(tree('a > +5')).toBe('(> a 5)');
      expect(tree('a > -5')).toBe('(> a (- 5))');
      expect(tree('a > - -5')).toBe('(> a (- (- 5)))');
      expect(tree('-a = 1')).toBe('(= (- a) 1)');
    });

    it('reads the literal kinds', () => {
      expect(tree("a = 'x' OR a = 9999999999 OR a = 1.5 OR a = TRUE OR a IS NULL")).toBe(
        "(OR (= a 'x') (= a 9999999999L) (= a 1.5d) (= a TRUE) (IS NULL a))",
      );
    });

    it('accepts a boolean literal or NULL as the whole filter', () => {
      expect(tree('TRUE')).toBe('TRUE');
      expect(tree('false')).toBe('FALSE');
      expect(tree('NULL')).toBe('NULL');
      expect(tree('TRUE AND NULL')).toBe('(AND TRUE NULL)');
    });

    it('casts a bare property used as a boolean', () => {
      expect(tree('a')).toBe('(bool a)');
      expect(tree('a AND b = 1')).toBe('(AND (bool a) (= b 1))');
      expect(tree('NOT a')).toBe('(NOT (bool a))');
      expect(tree('(a)')).toBe('(bool a)');
    });

    it('parses IN, NOT IN and the string operators with their NOT forms', () => {
      expect(tree("a not in ('3', '4', '5')")).toBe("(NOT IN a '3' '4' '5')");
      expect(tree("(a) IN ('x')")).toBe("(IN a 'x')");
      expect(tree("a CONTAINS 'x' AND a NOT CONTAINS 'y'")).toBe(
        "(AND (CONTAINS a 'x') (NOT CONTAINS a 'y'))",
      );
      expect(tree("a startswith 'x' OR a not startswith 'y'")).toBe(
        "(OR (STARTSWITH a 'x') (NOT STARTSWITH a 'y'))",
      );
      expect(tree("a EndsWith 'x' AND a Not EndsWith ''")).toBe("(AND (ENDSWITH a 'x') (NOT ENDSWITH a ''))");
    });

    it('is case-insensitive for keywords and case-preserving for property names', () => {
      expect(tree('UserId Is Not Null aNd userid bEtWeEn 1 AnD 2')).toBe(
        '(AND (IS NOT NULL UserId) (BETWEEN userid 1 2))',
      );
    });

    it('ignores comments', () => {
      expect(tree('a /* x */ > -- y\n 1')).toBe('(> a 1)');
    });
  });

  describe('compile-time restrictions', () => {
    it.each([
      ["a > 'abc'", 4, "the string 'abc' cannot be compared with '>'"],
      ["'abc' < a", 0, "the string 'abc' cannot be compared with '<'"],
      ['a >= TRUE', 5, "TRUE cannot be compared with '>='"],
      ['a <= FALSE', 5, "FALSE cannot be compared with '<='"],
      ['a < NULL', 4, "NULL cannot be compared with '<'"],
      ['(a > 1) > 2', 1, "a boolean expression cannot be compared with '>'"],
      ['a > (b IS NULL)', 5, "a boolean expression cannot be compared with '>'"],
    ])('refuses non-numeric constants and booleans in orderings: %s', (expression, position, message) => {
      const error = parseError(expression);
      expect(error.position).toBe(position);
      expect(error.message).toContain(message);
    });

    it('hints at parentheses when NOT meets an ordering', () => {
      const error = parseError('NOT a > 1');
      expect(error.position).toBe(0);
      expect(error.message).toContain('NOT binds tighter');
    });

    it('allows numbers, properties and negations in orderings', () => {
      expect(tree('a > b AND 1 < a AND a >= -b AND -1.5 <= a')).toBe(
        '(AND (> a b) (< 1 a) (>= a (- b)) (<= (- 1.5d) a))',
      );
      expect(tree("a > -'x'")).toBe("(> a (- 'x'))");
    });

    it.each([
      ["a BETWEEN 'x' AND 'y'", 10],
      ['a BETWEEN 1 AND TRUE', 16],
      ['a NOT BETWEEN NULL AND 1', 14],
      ["'x' BETWEEN 1 AND 2", 0],
      ['(a = 1) BETWEEN 1 AND 2', 1],
    ])('refuses non-numeric constants and booleans in BETWEEN: %s', (expression, position) => {
      expect(parseError(expression).position).toBe(position);
    });

    it('requires low <= high when both BETWEEN bounds are literals', () => {
      const error = parseError(' a between 10 and 0');
      expect(error.position).toBe(11);
      expect(error.message).toContain('BETWEEN needs low <= high, but 10 > 0');
      expect(parseError('a BETWEEN 2.5 AND 2').message).toContain('2.5 > 2');
      expect(parseError('a BETWEEN 9999999999 AND 1').message).toContain('9999999999 > 1');
      expect(tree('a BETWEEN 3 AND 3')).toBe('(BETWEEN a 3 3)');
      expect(tree('a BETWEEN 1 AND 2.5')).toBe('(BETWEEN a 1 2.5d)');
      expect(tree('a BETWEEN 1.0 AND 1')).toBe('(BETWEEN a 1d 1)');
      expect(tree('a BETWEEN 1 AND 9999999999')).toBe('(BETWEEN a 1 9999999999L)');
    });

    it('does not check bounds that are not literals, nor NOT BETWEEN, as RocketMQ', () => {
      expect(tree('a BETWEEN -1 AND -5')).toBe('(BETWEEN a (- 1) (- 5))');
      expect(tree('a BETWEEN b AND 1')).toBe('(BETWEEN a b 1)');
      expect(tree('a NOT BETWEEN 5 AND 3')).toBe('(NOT BETWEEN a 5 3)');
    });

    it.each([
      ['a = NULL', 4],
      ['NULL = a', 0],
      ['a <> NULL', 5],
      ['(NULL) = a', 1],
    ])('refuses a NULL literal in = and <>: %s', (expression, position) => {
      const error = parseError(expression);
      expect(error.position).toBe(position);
      expect(error.message).toContain('use IS NULL or IS NOT NULL');
    });

    it('refuses TRUE/FALSE compared with a non-boolean literal', () => {
      expect(parseError('TRUE = 1').message).toContain('TRUE cannot be compared with the number 1');
      expect(parseError("FALSE <> 'x'").message).toContain("FALSE cannot be compared with the string 'x'");
      expect(parseError('a = 1 OR TRUE = 1.5').position).toBe(9);
    });

    it('lets through what RocketMQ lets through: boolean pairs, and a boolean literal on the right', () => {
      expect(tree('TRUE = FALSE')).toBe('(= TRUE FALSE)');
      expect(tree('1 = TRUE')).toBe('(= 1 TRUE)');
      expect(tree('a = TRUE')).toBe('(= a TRUE)');
      expect(tree('(a > 1) = TRUE')).toBe('(= (> a 1) TRUE)');
    });

    it('needs a property on the left of IN and NOT IN', () => {
      expect(parseError("'x' IN ('a')").message).toContain(
        "IN needs a property on its left, found the string 'x'",
      );
      expect(parseError("(a > 1) NOT IN ('a')").message).toContain('NOT IN needs a property');
      expect(parseError("-a IN ('a')").position).toBe(0);
    });

    it('needs string literals in an IN list', () => {
      expect(parseError('a IN (1, 2)').message).toContain('IN takes a string literal');
      expect(parseError("a IN ('x', b)").position).toBe(11);
      expect(parseError('a IN ()').position).toBe(6);
      expect(parseError("a IN 'x'").message).toContain("expected '(' after IN");
      expect(parseError("a NOT IN ('x'").message).toContain("expected ')' to close the NOT IN list");
    });

    it.each(['CONTAINS', 'STARTSWITH', 'ENDSWITH', 'NOT CONTAINS', 'NOT STARTSWITH', 'NOT ENDSWITH'])(
      'needs a string literal after %s',
      (operator) => {
        for (const operand of ['1', 'b', 'NULL', 'TRUE', "('x')"]) {
          const expression = `a ${operator} ${operand}`;
          const error = parseError(expression);
          expect(error.position).toBe(operator.length + 3);
          expect(error.message).toContain(`${operator} takes a string literal`);
        }
      },
    );

    it.each([
      ['1', 0],
      ["'x'", 0],
      ['-a', 0],
      ['a AND 1', 6],
      ['2 OR a', 0],
      ["NOT 'x'", 4],
      ['1.5 AND TRUE', 0],
    ])('needs a boolean expression where one is used: %s', (expression, position) => {
      const error = parseError(expression);
      expect(error.position).toBe(position);
      expect(error.message).toContain('needs a boolean expression');
    });
  });

  describe('syntax errors', () => {
    it.each([
      ['', 0, 'the end of the expression'],
      ['a and between 2 and 10', 6, "'between'"],
      ['a =', 3, 'the end of the expression'],
      ['(a = 1', 6, "expected ')' to close the '(' at position 0"],
      ['a = 1)', 5, "unexpected ')'"],
      ['a = 1 b = 2', 6, "unexpected 'b'"],
      ['a == 1', 3, "'='"],
      ['a IS 1', 5, 'expected NULL after IS'],
      ['a IS NOT 1', 9, 'expected NULL after IS NOT'],
      ["a NOT LIKE 'x'", 6, 'expected BETWEEN, IN, CONTAINS, STARTSWITH or ENDSWITH after NOT'],
      ['a BETWEEN 1 OR 2', 12, 'expected AND after BETWEEN … AND'],
      ['a + 1 > 2', 2, "unexpected '+'"],
      ['0123 = a', 1, "unexpected '123'"],
      ['a IN', 4, "expected '(' after IN"],
    ])('%j', (expression, position, message) => {
      const error = parseError(expression);
      expect(error.position).toBe(position);
      expect(error.message).toContain(message);
      expect(error.expression).toBe(expression);
    });

    it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
      const ok = `${'('.repeat(MAX_NESTING_DEPTH - 1)}a = 1${')'.repeat(MAX_NESTING_DEPTH - 1)}`;
      expect(tree(ok)).toBe('(= a 1)');
      const deep = `${'('.repeat(10_000)}a = 1${')'.repeat(10_000)}`;
      expect(parseError(deep).message).toContain('nested more than');
      expect(parseError(`a = ${'- '.repeat(10_000)}1`).message).toContain('nested more than');
      expect(parseError(`${'NOT '.repeat(10_000)}a`).message).toContain('nested more than');
    });

    it('refuses a tree taller than the limit, but not a long flat AND/OR chain', () => {
      const chain = Array.from({ length: 5_000 }, (_, i) => `TAGS = 'tag${i}'`).join(' OR ');
      expect(parseSql92(chain)).toMatchObject({ kind: 'or' });
      const tall = `a = 1${' = TRUE'.repeat(MAX_TREE_HEIGHT)}`;
      expect(parseError(tall).message).toContain(`more than ${MAX_TREE_HEIGHT} levels deep`);
    });
  });
});
