import { NumberType } from './sql-ast';
import type { SqlNumber } from './sql-ast';
import { SqlFilterSyntaxError } from './sql-errors';

/**
 * Tokens of RocketMQ's SQL92 filter, as the TOKEN/SKIP sections of SelectorParser.jj define them. Like the
 * JavaCC token manager this lexer takes the longest match, so `0123` is `0` then `123` and `1E` is `1`
 * then the identifier `E` (both then fail to parse), while `0123.5` is one float.
 */

/** Reserved words, matched ignoring case; a reserved word can never be a property name. */
export const SQL_KEYWORDS = [
  'NOT',
  'AND',
  'OR',
  'BETWEEN',
  'IN',
  'TRUE',
  'FALSE',
  'NULL',
  'IS',
  'CONTAINS',
  'STARTSWITH',
  'ENDSWITH',
] as const;
export type SqlKeyword = (typeof SQL_KEYWORDS)[number];
const KEYWORDS: ReadonlySet<string> = new Set(SQL_KEYWORDS);

export const SqlOperator = {
  EQ: '=',
  NE: '<>',
  GT: '>',
  GE: '>=',
  LT: '<',
  LE: '<=',
  PLUS: '+',
  MINUS: '-',
  LPAREN: '(',
  RPAREN: ')',
  COMMA: ',',
} as const;
export type SqlOperator = (typeof SqlOperator)[keyof typeof SqlOperator];

interface TokenBase {
  /** The token's source text. */
  readonly text: string;
  readonly position: number;
}
export interface IdentifierToken extends TokenBase {
  readonly kind: 'identifier';
}
export interface KeywordToken extends TokenBase {
  readonly kind: 'keyword';
  readonly keyword: SqlKeyword;
}
export interface NumberToken extends TokenBase {
  readonly kind: 'number';
  readonly value: SqlNumber;
}
export interface StringToken extends TokenBase {
  readonly kind: 'string';
  /** With each `''` turned into one quote. */
  readonly value: string;
}
export interface OperatorToken extends TokenBase {
  readonly kind: 'operator';
  readonly operator: SqlOperator;
}
export interface EndToken extends TokenBase {
  readonly kind: 'end';
}
export type SqlToken = IdentifierToken | KeywordToken | NumberToken | StringToken | OperatorToken | EndToken;

// Largest java.lang.Integer / java.lang.Long values.
const INT_MAX = 2_147_483_647n;
const LONG_MAX = 9_223_372_036_854_775_807n;

const CH = {
  TAB: 0x09,
  LF: 0x0a,
  FF: 0x0c,
  CR: 0x0d,
  SPACE: 0x20,
  DOLLAR: 0x24,
  QUOTE: 0x27,
  STAR: 0x2a,
  PLUS: 0x2b,
  MINUS: 0x2d,
  DOT: 0x2e,
  SLASH: 0x2f,
  LT: 0x3c,
  EQ: 0x3d,
  GT: 0x3e,
  ZERO: 0x30,
  UPPER_E: 0x45,
  UPPER_L: 0x4c,
  UNDERSCORE: 0x5f,
  LOWER_E: 0x65,
  LOWER_L: 0x6c,
} as const;

const SINGLE_CHAR_OPERATORS: ReadonlyMap<string, SqlOperator> = new Map<string, SqlOperator>([
  ['=', SqlOperator.EQ],
  ['+', SqlOperator.PLUS],
  ['-', SqlOperator.MINUS],
  ['(', SqlOperator.LPAREN],
  [')', SqlOperator.RPAREN],
  [',', SqlOperator.COMMA],
]);

const isDigit = (c: number): boolean => c >= CH.ZERO && c <= CH.ZERO + 9;
// ASCII letters only: the ID token is ["a"-"z"] with IGNORE_CASE.
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isIdentifierStart = (c: number): boolean => isLetter(c) || c === CH.UNDERSCORE || c === CH.DOLLAR;
const isIdentifierPart = (c: number): boolean => isIdentifierStart(c) || isDigit(c);
// Only these five, as in SelectorParser.jj; other Unicode spaces are errors there too.
const isWhitespace = (c: number): boolean =>
  c === CH.SPACE || c === CH.TAB || c === CH.LF || c === CH.CR || c === CH.FF;

export function tokenize(expression: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const length = expression.length;
  const fail = (reason: string, position: number): never => {
    throw new SqlFilterSyntaxError(reason, expression, position);
  };
  const digitsEnd = (from: number): number => {
    let i = from;
    while (isDigit(expression.charCodeAt(i))) i++;
    return i;
  };
  /** End of a complete `E[+-]digits` exponent at `from`, or `from` when there is none. */
  const exponentEnd = (from: number): number => {
    const e = expression.charCodeAt(from);
    if (e !== CH.UPPER_E && e !== CH.LOWER_E) return from;
    let i = from + 1;
    const sign = expression.charCodeAt(i);
    if (sign === CH.PLUS || sign === CH.MINUS) i++;
    const end = digitsEnd(i);
    return end > i ? end : from;
  };

  let i = 0;
  while (i < length) {
    const c = expression.charCodeAt(i);
    const next = expression.charCodeAt(i + 1);
    const start = i;
    if (isWhitespace(c)) {
      i++;
    } else if (c === CH.MINUS && next === CH.MINUS) {
      // A line comment may also end the input. JavaCC's needs a newline and otherwise reads two minus signs,
      // which its parser then ignores as trailing input: the same outcome for `a = 1 -- note`.
      while (i < length && expression.charCodeAt(i) !== CH.LF && expression.charCodeAt(i) !== CH.CR) i++;
    } else if (c === CH.SLASH && next === CH.STAR) {
      const close = expression.indexOf('*/', i + 2);
      if (close < 0) fail('unterminated /* comment', start);
      i = close + 2;
    } else if (isIdentifierStart(c)) {
      while (isIdentifierPart(expression.charCodeAt(i))) i++;
      const text = expression.slice(start, i);
      const upper = text.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { kind: 'keyword', keyword: upper as SqlKeyword, text, position: start }
          : { kind: 'identifier', text, position: start },
      );
    } else if (isDigit(c) || (c === CH.DOT && isDigit(next))) {
      i = digitsEnd(i);
      let isFloat = false;
      if (expression.charCodeAt(i) === CH.DOT) {
        i = digitsEnd(i + 1);
        isFloat = true;
      }
      const afterExponent = exponentEnd(i);
      if (afterExponent > i) {
        i = afterExponent;
        isFloat = true;
      }
      if (isFloat) {
        const text = expression.slice(start, i);
        tokens.push({ kind: 'number', value: floatLiteral(text, start, fail), text, position: start });
      } else {
        // DECIMAL_LITERAL is "0" | [1-9][0-9]*, so a leading zero ends the literal.
        if (c === CH.ZERO) i = start + 1;
        const digits = expression.slice(start, i);
        const suffix = expression.charCodeAt(i);
        if (suffix === CH.UPPER_L || suffix === CH.LOWER_L) i++;
        const text = expression.slice(start, i);
        tokens.push({ kind: 'number', value: decimalLiteral(digits, start, fail), text, position: start });
      }
    } else if (c === CH.QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = expression.indexOf("'", from);
        if (quote < 0) fail('unterminated string literal', start);
        value += expression.slice(from, quote);
        if (expression.charCodeAt(quote + 1) !== CH.QUOTE) {
          i = quote + 1;
          break;
        }
        value += "'";
        from = quote + 2;
      }
      tokens.push({ kind: 'string', value, text: expression.slice(start, i), position: start });
    } else if (c === CH.LT || c === CH.GT) {
      let operator: SqlOperator = c === CH.LT ? SqlOperator.LT : SqlOperator.GT;
      if (next === CH.EQ) operator = c === CH.LT ? SqlOperator.LE : SqlOperator.GE;
      else if (c === CH.LT && next === CH.GT) operator = SqlOperator.NE;
      i += operator.length;
      tokens.push({ kind: 'operator', operator, text: operator, position: start });
    } else {
      const text = expression.charAt(i);
      const operator = SINGLE_CHAR_OPERATORS.get(text);
      if (operator === undefined) {
        const hint = text === '!' && next === CH.EQ ? " (use '<>' for not equal)" : '';
        fail(`unexpected character '${text}'${hint}`, start);
      } else {
        i++;
        tokens.push({ kind: 'operator', operator, text, position: start });
      }
    }
  }
  tokens.push({ kind: 'end', text: '', position: length });
  return tokens;
}

type Fail = (reason: string, position: number) => never;

/** As ConstantExpression.createFromDecimal: Integer when it fits in 32 bits, else Long; an `L` forces nothing. */
function decimalLiteral(digits: string, position: number, fail: Fail): SqlNumber {
  const value = BigInt(digits);
  if (value > LONG_MAX) fail(`integer literal ${digits} does not fit in a Long`, position);
  return value <= INT_MAX
    ? { numberType: NumberType.INT, value: Number(value) }
    : { numberType: NumberType.LONG, value };
}

/**
 * As ConstantExpression.createFloat, which rejects values above Double.MAX_VALUE and below Double.MIN_VALUE
 * (the smallest positive double), so a literal that rounds to zero, `0.0` included, is refused as well.
 */
function floatLiteral(text: string, position: number, fail: Fail): SqlNumber {
  const value = Number(text);
  if (value > Number.MAX_VALUE) fail(`float literal ${text} is greater than Double.MAX_VALUE`, position);
  if (value < Number.MIN_VALUE) {
    fail(`float literal ${text} is less than Double.MIN_VALUE (RocketMQ refuses 0.0; write 0)`, position);
  }
  return { numberType: NumberType.DOUBLE, value };
}
