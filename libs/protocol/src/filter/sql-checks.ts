import { isBooleanNode, isNumberLiteral } from './sql-ast';
import type { PropertyNode, SqlNode, SqlValue } from './sql-ast';
import { SqlFilterSyntaxError } from './sql-errors';
import { compareNumberValues } from './sql-values';

/**
 * RocketMQ's compile-time restrictions (ComparisonExpression.create*, SelectorParser.asBooleanExpression).
 * They look at node kinds exactly as Java looks at classes: only a bare literal (parentheses and unary plus
 * included) is a constant; `-5` is a UnaryExpression, so `a BETWEEN -1 AND -5` passes, as it does in Java.
 */

/** `>`, `>=`, `<`, `<=`, BETWEEN: numeric literals, properties and negations only (checkLessThanOperand). */
export function checkOrderingOperand(expression: string, operator: string, node: SqlNode): void {
  if (node.kind === 'literal') {
    if (isNumberLiteral(node)) return;
    throw new SqlFilterSyntaxError(
      `${describeNode(node)} cannot be compared with '${operator}'; only numbers and properties can`,
      expression,
      node.position,
    );
  }
  if (isBooleanNode(node)) {
    const hint =
      node.kind === 'not' ? ` (NOT binds tighter than '${operator}': write NOT (x ${operator} y))` : '';
    throw new SqlFilterSyntaxError(
      `${describeNode(node)} cannot be compared with '${operator}'${hint}`,
      expression,
      node.position,
    );
  }
}

/** `=` and `<>`: never a NULL literal, never TRUE/FALSE = a non-boolean literal (checkEqualOperand*). */
export function checkEqualityOperands(
  expression: string,
  operator: string,
  left: SqlNode,
  right: SqlNode,
): void {
  for (const node of [left, right]) {
    if (node.kind === 'literal' && node.value === null) {
      throw new SqlFilterSyntaxError(
        `NULL cannot be compared with '${operator}'; use IS NULL or IS NOT NULL`,
        expression,
        node.position,
      );
    }
  }
  // Java checks this one direction only: `1 = TRUE` compiles (and is always FALSE).
  if (
    left.kind === 'literal' &&
    right.kind === 'literal' &&
    typeof left.value === 'boolean' &&
    typeof right.value !== 'boolean'
  ) {
    throw new SqlFilterSyntaxError(
      `${describeNode(left)} cannot be compared with ${describeNode(right)}`,
      expression,
      left.position,
    );
  }
}

/**
 * BETWEEN expands to `>=` and `<=`, NOT BETWEEN to `<` and `>`, with their operand checks. Only BETWEEN
 * also requires low <= high when both bounds are literals (createBetween); NOT BETWEEN never did.
 */
export function checkBetween(
  expression: string,
  negated: boolean,
  value: SqlNode,
  low: SqlNode,
  high: SqlNode,
): void {
  const label = negated ? 'NOT BETWEEN' : 'BETWEEN';
  checkOrderingOperand(expression, label, value);
  checkOrderingOperand(expression, label, low);
  checkOrderingOperand(expression, label, high);
  if (
    !negated &&
    isNumberLiteral(low) &&
    isNumberLiteral(high) &&
    compareNumberValues(low.value, high.value) > 0
  ) {
    throw new SqlFilterSyntaxError(
      `BETWEEN needs low <= high, but ${String(low.value.value)} > ${String(high.value.value)}`,
      expression,
      low.position,
    );
  }
}

/** IN / NOT IN test one property's value (createInFilter). */
export function checkInOperand(expression: string, negated: boolean, node: SqlNode): PropertyNode {
  if (node.kind === 'property') return node;
  throw new SqlFilterSyntaxError(
    `${negated ? 'NOT IN' : 'IN'} needs a property on its left, found ${describeNode(node)}`,
    expression,
    node.position,
  );
}

export function describeNode(node: SqlNode): string {
  switch (node.kind) {
    case 'literal':
      return formatValue(node.value);
    case 'property':
      return `the property ${node.name}`;
    case 'negate':
      return 'a negation';
    default:
      return 'a boolean expression';
  }
}

function formatValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `the number ${String(value.value)}`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
