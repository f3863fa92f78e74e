import { describe, expect, it } from 'vitest';
import { SqlFilterSyntaxError } from './sql-errors';
import { SQL_KEYWORDS, tokenize } from './sql-lexer';
import type { SqlToken } from './sql-lexer';

/** Compact view of a token stream, without the end token. */
function shapes(expression: string): string[] {
  return tokenize(expression)
    .filter((t) => t.kind !== 'end')
    .map((t) => {
      switch (t.kind) {
        case 'keyword':
          return `kw:${t.keyword}`;
        case 'identifier':
          return `id:${t.text}`;
        case 'number':
          return `${t.value.numberType}:${String(t.value.value)}`;
        case 'string':
          return `str:${t.value}`;
        case 'operator':
          return `op:${t.operator}`;
      }
    });
}

function single(expression: string): SqlToken {
  const tokens = tokenize(expression);
  expect(tokens).toHaveLength(2);
  return tokens[0] as SqlToken;
}

function lexError(expression: string): SqlFilterSyntaxError {
  try {
    tokenize(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(SqlFilterSyntaxError);
    return error as SqlFilterSyntaxError;
  }
  throw new Error(`expected ${expression} to fail`);
}

describe('tokenize', () => {
  describe('keywords', () => {
    it('recognises every keyword in any case', () => {
      for (const keyword of SQL_KEYWORDS) {
        for (const written of [keyword, keyword.toLowerCase(), keyword[0] + keyword.slice(1).toLowerCase()]) {
          expect(single(written)).toMatchObject({ kind: 'keyword', keyword, text: written });
        }
      }
    });

    it('covers the 5.1.3 string operators', () => {
      expect(shapes('a Contains b startsWith c ENDSWITH')).toEqual([
        'id:a',
        'kw:CONTAINS',
        'id:b',
        'kw:STARTSWITH',
        'id:c',
        'kw:ENDSWITH',
      ]);
    });

    it('reads a longer word that starts with a keyword as an identifier', () => {
      expect(shapes('notx INa trueish nulls is_x')).toEqual([
        'id:notx',
        'id:INa',
        'id:trueish',
        'id:nulls',
        'id:is_x',
      ]);
    });
  });

  describe('identifiers', () => {
    it('accepts letters, digits, _ and $ and keeps the case as written', () => {
      expect(shapes('a _x $y1 TAGS userId2 UNIQ_KEY')).toEqual([
        'id:a',
        'id:_x',
        'id:$y1',
        'id:TAGS',
        'id:userId2',
        'id:UNIQ_KEY',
      ]);
    });

    it('cannot contain "." or "-"', () => {
      expect(shapes('a-b')).toEqual(['id:a', 'op:-', 'id:b']);
      expect(lexError('a.b').position).toBe(1);
    });

    it('cannot start with a non-ASCII letter', () => {
      expect(lexError('é = 1').position).toBe(0);
    });
  });

  describe('integer literals', () => {
    it('is an Integer when it fits in 32 bits', () => {
      expect(shapes('0 7 123 2147483647')).toEqual(['int:0', 'int:7', 'int:123', 'int:2147483647']);
    });

    it('is a Long past 32 bits', () => {
      expect(single('2147483648')).toMatchObject({ value: { numberType: 'long', value: 2147483648n } });
      expect(single('9999999999')).toMatchObject({ value: { numberType: 'long', value: 9999999999n } });
      expect(single('9223372036854775807')).toMatchObject({
        value: { numberType: 'long', value: 9223372036854775807n },
      });
    });

    it('takes an l/L suffix, which does not by itself make a Long', () => {
      expect(single('1L')).toMatchObject({ text: '1L', value: { numberType: 'int', value: 1 } });
      expect(single('1l')).toMatchObject({ text: '1l', value: { numberType: 'int', value: 1 } });
      expect(single('0L')).toMatchObject({ value: { numberType: 'int', value: 0 } });
      expect(single('9999999999L')).toMatchObject({ value: { numberType: 'long', value: 9999999999n } });
    });

    it('refuses a value beyond Long.MAX_VALUE', () => {
      const error = lexError('a > 9223372036854775808');
      expect(error.position).toBe(4);
      expect(error.message).toContain('does not fit in a Long');
      expect(lexError('100000000000000000000000').position).toBe(0);
    });

    it('ends a literal at a leading zero, as the longest-match DECIMAL_LITERAL rule does', () => {
      expect(shapes('0123')).toEqual(['int:0', 'int:123']);
      expect(shapes('01L')).toEqual(['int:0', 'int:1']);
    });

    it('does not glue letters onto a number', () => {
      expect(shapes('1abc')).toEqual(['int:1', 'id:abc']);
      expect(shapes('1E')).toEqual(['int:1', 'id:E']);
    });
  });

  describe('float literals', () => {
    it.each([
      ['1.5', 1.5],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['1E3', 1000],
      ['1.5E-2', 0.015],
      ['2E+3', 2000],
      ['5.E2', 500],
      ['.5e1', 5],
      ['0123.5', 123.5],
      ['3.1E10', 3.1e10],
    ])('reads %s as the Double %d', (text, value) => {
      expect(single(text)).toMatchObject({ kind: 'number', text, value: { numberType: 'double', value } });
    });

    it('leaves an incomplete exponent to the next token', () => {
      expect(shapes('5.E')).toEqual(['double:5', 'id:E']);
      expect(shapes('1.5e+')).toEqual(['double:1.5', 'id:e', 'op:+']);
    });

    it('does not take an L suffix', () => {
      expect(shapes('1.5L')).toEqual(['double:1.5', 'id:L']);
    });

    it('refuses values above Double.MAX_VALUE', () => {
      expect(lexError('a > 1e400').position).toBe(4);
      expect(lexError(`${'9'.repeat(400)}.0`).message).toContain('Double.MAX_VALUE');
    });

    it('refuses values below Double.MIN_VALUE, 0.0 included, as ConstantExpression.createFloat does', () => {
      expect(lexError('a > 0.0').message).toContain('Double.MIN_VALUE');
      expect(lexError('a > 1e-400').position).toBe(4);
    });

    it('treats a lone dot as an error', () => {
      expect(lexError('a > .').position).toBe(4);
    });
  });

  describe('string literals', () => {
    it('reads the text between single quotes', () => {
      expect(single("'abc'")).toMatchObject({ kind: 'string', value: 'abc', text: "'abc'" });
      expect(single("''")).toMatchObject({ kind: 'string', value: '' });
      expect(single("'a b\n-- not a comment'")).toMatchObject({ value: 'a b\n-- not a comment' });
    });

    it("turns '' into one quote", () => {
      expect(single("'it''s'")).toMatchObject({ value: "it's" });
      expect(single("''''")).toMatchObject({ value: "'" });
      expect(single("'''''tag'''''")).toMatchObject({ value: "''tag''" });
    });

    it('does not treat double quotes as strings', () => {
      expect(lexError('a = "x"').position).toBe(4);
    });

    it('refuses an unterminated string at its opening quote', () => {
      const error = lexError("a = 'abc");
      expect(error.position).toBe(4);
      expect(error.message).toContain('unterminated string');
      expect(lexError("a = 'it''").position).toBe(4);
    });
  });

  describe('operators', () => {
    it('reads every operator, longest first', () => {
      expect(shapes('= <> > >= < <= + - ( ) ,')).toEqual([
        'op:=',
        'op:<>',
        'op:>',
        'op:>=',
        'op:<',
        'op:<=',
        'op:+',
        'op:-',
        'op:(',
        'op:)',
        'op:,',
      ]);
      expect(shapes('a<>b')).toEqual(['id:a', 'op:<>', 'id:b']);
      expect(shapes('a<=-1')).toEqual(['id:a', 'op:<=', 'op:-', 'int:1']);
    });

    it.each([
      ['a != 1', 2],
      ['a = 1;', 5],
      ['a * 2 > 1', 2],
      ['a % 2 = 1', 2],
      ['a & b', 2],
    ])('refuses %j at the offending character', (expression, position) => {
      expect(lexError(expression).position).toBe(position);
    });

    it("hints at '<>' for '!='", () => {
      expect(lexError('a != 1').message).toContain("use '<>'");
    });

    it("leaves '==' to the parser: it is two '=' tokens", () => {
      expect(shapes('a == 1')).toEqual(['id:a', 'op:=', 'op:=', 'int:1']);
    });
  });

  describe('whitespace and comments', () => {
    it('skips space, tab, CR, LF and FF', () => {
      expect(shapes(' \ta\r\n=\f1 ')).toEqual(['id:a', 'op:=', 'int:1']);
    });

    it('refuses other whitespace such as a no-break space', () => {
      expect(lexError('a\u00a0= 1').position).toBe(1);
    });

    it('skips -- comments to the end of the line or of the input', () => {
      expect(shapes('a -- the property\n= 1')).toEqual(['id:a', 'op:=', 'int:1']);
      expect(shapes('a = 1 -- trailing')).toEqual(['id:a', 'op:=', 'int:1']);
      expect(shapes('a --x\r> 1')).toEqual(['id:a', 'op:>', 'int:1']);
      expect(shapes('a = 1 --5')).toEqual(['id:a', 'op:=', 'int:1']);
    });

    it('skips /* */ comments, across lines', () => {
      expect(shapes('a /* first\n second */ = /**/ 1 /***/')).toEqual(['id:a', 'op:=', 'int:1']);
      expect(shapes('a/*x*/=1')).toEqual(['id:a', 'op:=', 'int:1']);
    });

    it('refuses an unterminated block comment at its start', () => {
      expect(lexError('a = 1 /* open').position).toBe(6);
      expect(lexError('a /*/ = 1').message).toContain('unterminated /* comment');
    });

    it('refuses a lone slash', () => {
      expect(lexError('a / 2').position).toBe(2);
    });
  });

  it('records each token position and ends with an end token at the input length', () => {
    const tokens = tokenize("a >= 5 AND b = 'x'");
    expect(tokens.map((t) => [t.kind, t.position])).toEqual([
      ['identifier', 0],
      ['operator', 2],
      ['number', 5],
      ['keyword', 7],
      ['identifier', 11],
      ['operator', 13],
      ['string', 15],
      ['end', 18],
    ]);
  });

  it('gives the error the whole expression', () => {
    const error = lexError('a = #');
    expect(error.expression).toBe('a = #');
    expect(error.message).toContain('position 4');
    expect(error.message).toContain('"a = #"');
    expect(error.code).toBe('SQL_FILTER_SYNTAX');
  });
});
