import { isBooleanNode, treeHeight } from './sql-ast';
import type {
  ComparisonOperator,
  PropertyNode,
  SqlBooleanNode,
  SqlNode,
  StringMatchOperator,
} from './sql-ast';
import {
  checkBetween,
  checkEqualityOperands,
  checkInOperand,
  checkOrderingOperand,
  describeNode,
} from './sql-checks';
import { SqlFilterSyntaxError } from './sql-errors';
import { SqlOperator, tokenize } from './sql-lexer';
import type { SqlKeyword, SqlToken } from './sql-lexer';

/**
 * Recursive descent over the grammar of SelectorParser.jj, lowest precedence first:
 *
 *   or         := and { OR and }
 *   and        := equality { AND equality }
 *   equality   := comparison { ( '=' | '<>' ) comparison | IS [NOT] NULL }
 *   comparison := unary { ( '>' | '>=' | '<' | '<=' ) unary | [NOT] BETWEEN unary AND unary
 *                 | [NOT] IN '(' string { ',' string } ')' | [NOT] ( CONTAINS | STARTSWITH | ENDSWITH ) string }
 *   unary      := '+' unary | '-' unary | NOT unary | primary
 *   primary    := literal | identifier | '(' or ')'
 *
 * NOT is a unary operator and binds tighter than every comparison: `NOT b = 1` is `(NOT b) = 1`, and
 * `NOT a > 1` is refused because a boolean cannot be ordered. Write `NOT (b = 1)`.
 *
 * Unlike the JavaCC parser, which stops after the first complete expression and ignores the rest of the
 * input, this one refuses trailing tokens.
 */

/** Prefix operators and parentheses nested deeper than this are refused (Java overflows its stack). */
export const MAX_NESTING_DEPTH = 100;
/** Evaluation recurses once per tree level; long AND/OR chains are flat and do not count. */
export const MAX_TREE_HEIGHT = 256;

const ORDERING_OPERATORS: ReadonlySet<string> = new Set<ComparisonOperator>(['>', '>=', '<', '<=']);
const POSTFIX_KEYWORDS: ReadonlySet<string> = new Set<SqlKeyword>([
  'BETWEEN',
  'IN',
  'CONTAINS',
  'STARTSWITH',
  'ENDSWITH',
]);

/** Parses and checks an expression; throws SqlFilterSyntaxError for anything RocketMQ would refuse. */
export function parseSql92(expression: string): SqlBooleanNode {
  return new SqlParser(expression).parse();
}

class SqlParser {
  private readonly tokens: readonly SqlToken[];
  private readonly end: SqlToken;
  private index = 0;
  private depth = 0;

  constructor(private readonly expression: string) {
    this.tokens = tokenize(expression);
    this.end = { kind: 'end', text: '', position: expression.length };
  }

  parse(): SqlBooleanNode {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw this.error(`unexpected ${describeToken(next)}`, next.position);
    const root = this.asBoolean(node, 'a filter');
    if (treeHeight(root) > MAX_TREE_HEIGHT) {
      throw this.error(`expression is more than ${MAX_TREE_HEIGHT} levels deep`, root.position);
    }
    return root;
  }

  private or(): SqlNode {
    const first = this.and();
    if (!this.isKeyword(this.peek(), 'OR')) return first;
    const operands = [this.asBoolean(first, 'OR')];
    while (this.acceptKeyword('OR')) operands.push(this.asBoolean(this.and(), 'OR'));
    return { kind: 'or', operands, position: first.position };
  }

  private and(): SqlNode {
    const first = this.equality();
    if (!this.isKeyword(this.peek(), 'AND')) return first;
    const operands = [this.asBoolean(first, 'AND')];
    while (this.acceptKeyword('AND')) operands.push(this.asBoolean(this.equality(), 'AND'));
    return { kind: 'and', operands, position: first.position };
  }

  private equality(): SqlNode {
    let left = this.comparison();
    for (;;) {
      const token = this.peek();
      if (
        token.kind === 'operator' &&
        (token.operator === SqlOperator.EQ || token.operator === SqlOperator.NE)
      ) {
        this.index++;
        const right = this.comparison();
        checkEqualityOperands(this.expression, token.operator, left, right);
        left = { kind: 'compare', operator: token.operator, left, right, position: left.position };
      } else if (this.acceptKeyword('IS')) {
        const negated = this.acceptKeyword('NOT');
        this.expectKeyword('NULL', negated ? 'IS NOT' : 'IS');
        left = { kind: 'isNull', operand: left, negated, position: left.position };
      } else {
        return left;
      }
    }
  }

  private comparison(): SqlNode {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && ORDERING_OPERATORS.has(token.operator)) {
        this.index++;
        const operator = token.operator as ComparisonOperator;
        const right = this.unary();
        checkOrderingOperand(this.expression, operator, left);
        checkOrderingOperand(this.expression, operator, right);
        left = { kind: 'compare', operator, left, right, position: left.position };
        continue;
      }
      const negated = this.isKeyword(token, 'NOT');
      const keyword = negated ? this.peek(1) : token;
      if (keyword.kind !== 'keyword' || !POSTFIX_KEYWORDS.has(keyword.keyword)) {
        if (!negated) return left;
        throw this.error(
          `expected BETWEEN, IN, CONTAINS, STARTSWITH or ENDSWITH after NOT, found ${describeToken(keyword)}`,
          keyword.position,
        );
      }
      this.index += negated ? 2 : 1;
      if (keyword.keyword === 'BETWEEN') left = this.between(left, negated);
      else if (keyword.keyword === 'IN') left = this.in(left, negated);
      else left = this.stringMatch(left, keyword.keyword as StringMatchOperator, negated);
    }
  }

  private between(value: SqlNode, negated: boolean): SqlNode {
    const low = this.unary();
    this.expectKeyword('AND', 'BETWEEN … AND');
    const high = this.unary();
    checkBetween(this.expression, negated, value, low, high);
    return { kind: 'between', value, low, high, negated, position: value.position };
  }

  private in(left: SqlNode, negated: boolean): SqlNode {
    const label = negated ? 'NOT IN' : 'IN';
    this.expectOperator(SqlOperator.LPAREN, `after ${label}`);
    const values = [this.stringLiteral(label)];
    while (this.acceptOperator(SqlOperator.COMMA)) values.push(this.stringLiteral(label));
    this.expectOperator(SqlOperator.RPAREN, `to close the ${label} list`);
    const property: PropertyNode = checkInOperand(this.expression, negated, left);
    return { kind: 'in', property, values, negated, position: left.position };
  }

  private stringMatch(operand: SqlNode, operator: StringMatchOperator, negated: boolean): SqlNode {
    const search = this.stringLiteral(negated ? `NOT ${operator}` : operator);
    return { kind: 'stringMatch', operator, operand, search, negated, position: operand.position };
  }

  private unary(): SqlNode {
    const token = this.peek();
    if (++this.depth > MAX_NESTING_DEPTH) {
      throw this.error(`expression nested more than ${MAX_NESTING_DEPTH} levels deep`, token.position);
    }
    let node: SqlNode;
    if (this.acceptOperator(SqlOperator.PLUS)) {
      node = this.unary();
    } else if (this.acceptOperator(SqlOperator.MINUS)) {
      node = { kind: 'negate', operand: this.unary(), position: token.position };
    } else if (this.acceptKeyword('NOT')) {
      node = { kind: 'not', operand: this.asBoolean(this.unary(), 'NOT'), position: token.position };
    } else {
      node = this.primary();
    }
    this.depth--;
    return node;
  }

  private primary(): SqlNode {
    const token = this.peek();
    const position = token.position;
    if (token.kind === 'number' || token.kind === 'string') {
      this.index++;
      return { kind: 'literal', value: token.value, position };
    }
    if (token.kind === 'identifier') {
      this.index++;
      return { kind: 'property', name: token.text, position };
    }
    if (
      token.kind === 'keyword' &&
      (token.keyword === 'TRUE' || token.keyword === 'FALSE' || token.keyword === 'NULL')
    ) {
      this.index++;
      return { kind: 'literal', value: token.keyword === 'NULL' ? null : token.keyword === 'TRUE', position };
    }
    if (this.acceptOperator(SqlOperator.LPAREN)) {
      const inner = this.or();
      this.expectOperator(SqlOperator.RPAREN, `to close the '(' at position ${position}`);
      return inner;
    }
    throw this.error(`expected a literal, a property or '(' but found ${describeToken(token)}`, position);
  }

  /** SelectorParser.asBooleanExpression: a bare property becomes a boolean cast, anything else must be one. */
  private asBoolean(node: SqlNode, context: string): SqlBooleanNode {
    if (isBooleanNode(node)) return node;
    if (node.kind === 'property') return { kind: 'booleanCast', property: node, position: node.position };
    throw this.error(
      `${context} needs a boolean expression, but ${describeNode(node)} is not one`,
      node.position,
    );
  }

  private stringLiteral(context: string): string {
    const token = this.peek();
    if (token.kind !== 'string') {
      throw this.error(`${context} takes a string literal, found ${describeToken(token)}`, token.position);
    }
    this.index++;
    return token.value;
  }

  private peek(offset = 0): SqlToken {
    return this.tokens[this.index + offset] ?? this.end;
  }

  private isKeyword(token: SqlToken, keyword: SqlKeyword): boolean {
    return token.kind === 'keyword' && token.keyword === keyword;
  }

  private acceptKeyword(keyword: SqlKeyword): boolean {
    if (!this.isKeyword(this.peek(), keyword)) return false;
    this.index++;
    return true;
  }

  private acceptOperator(operator: SqlOperator): boolean {
    const token = this.peek();
    if (token.kind !== 'operator' || token.operator !== operator) return false;
    this.index++;
    return true;
  }

  private expectKeyword(keyword: SqlKeyword, after: string): void {
    if (this.acceptKeyword(keyword)) return;
    const token = this.peek();
    throw this.error(`expected ${keyword} after ${after}, found ${describeToken(token)}`, token.position);
  }

  private expectOperator(operator: SqlOperator, context: string): void {
    if (this.acceptOperator(operator)) return;
    const token = this.peek();
    throw this.error(`expected '${operator}' ${context}, found ${describeToken(token)}`, token.position);
  }

  private error(reason: string, position: number): SqlFilterSyntaxError {
    return new SqlFilterSyntaxError(reason, this.expression, position);
  }
}

function describeToken(token: SqlToken): string {
  return token.kind === 'end' ? 'the end of the expression' : `'${token.text}'`;
}
