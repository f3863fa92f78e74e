import { ComparisonOperator, isNumberLiteral, StringMatchOperator } from './sql-ast';
import type { CompareNode, NegateNode, SqlNode, SqlNumber, SqlValue } from './sql-ast';
import {
  COMPARE_FAILED,
  compareDoubles,
  compareStringToNumber,
  compareValues,
  negateNumber,
  parseJavaDouble,
} from './sql-values';

/**
 * Turns a checked tree into nested closures, built once per subscription and called once per message on
 * the pull path. A closure returns TRUE, FALSE, NULL (unknown), a value, or EVALUATION_FAILED where Java
 * throws (a string that does not convert): every node hands that straight up, so it ends the evaluation
 * as the exception does in RocketMQ, without the cost of a JS throw.
 */

/** A message's properties: every value is a string; an absent property is SQL NULL. */
export type PropertyLookup = (name: string) => string | undefined;

export const EVALUATION_FAILED: unique symbol = Symbol('SQL92 evaluation failed');
export type SqlResult = SqlValue | typeof EVALUATION_FAILED;
export type CompiledExpression = (props: PropertyLookup) => SqlResult;

export const SqlOutcome = { TRUE: 'TRUE', FALSE: 'FALSE', NULL: 'NULL', ERROR: 'ERROR' } as const;
export type SqlOutcome = (typeof SqlOutcome)[keyof typeof SqlOutcome];

/** The three-valued result, with evaluation failures made visible (SqlFilter.matches folds all but TRUE). */
export function evaluateOutcome(compiled: CompiledExpression, props: PropertyLookup): SqlOutcome {
  let value: SqlResult;
  try {
    value = compiled(props);
  } catch {
    return SqlOutcome.ERROR;
  }
  if (value === EVALUATION_FAILED) return SqlOutcome.ERROR;
  return value === true ? SqlOutcome.TRUE : value === false ? SqlOutcome.FALSE : SqlOutcome.NULL;
}

export function compileExpression(node: SqlNode): CompiledExpression {
  switch (node.kind) {
    case 'literal':
      return constant(node.value);
    case 'property': {
      const name = node.name;
      return (props) => props(name) ?? null;
    }
    case 'negate':
      return negate(node);
    case 'not': {
      const operand = compileExpression(node.operand);
      return (props) => {
        const value = operand(props);
        return value === null || value === EVALUATION_FAILED ? value : !value;
      };
    }
    case 'and':
      return and(node.operands.map(compileExpression));
    case 'or':
      return or(node.operands.map(compileExpression));
    case 'compare':
      return compare(node);
    case 'isNull': {
      const negated = node.negated;
      if (node.operand.kind === 'property') {
        const name = node.operand.name;
        return (props) => (props(name) == null) !== negated;
      }
      const operand = compileExpression(node.operand);
      return (props) => {
        const value = operand(props);
        return value === EVALUATION_FAILED ? value : (value === null) !== negated;
      };
    }
    case 'between': {
      const value = compileExpression(node.value);
      const low = compileExpression(node.low);
      const high = compileExpression(node.high);
      return node.negated
        ? or([ordering(value, low, LESS_THAN), ordering(value, high, GREATER_THAN)])
        : and([ordering(value, low, AT_LEAST), ordering(value, high, AT_MOST)]);
    }
    case 'in': {
      const name = node.property.name;
      const values: ReadonlySet<string> = new Set(node.values);
      const negated = node.negated;
      return (props) => {
        const value = props(name);
        return value == null ? null : values.has(value) !== negated;
      };
    }
    case 'stringMatch':
      return stringMatch(compileExpression(node.operand), node.operator, node.search, node.negated);
    case 'booleanCast': {
      const name = node.property.name;
      return (props) => (props(name) == null ? null : false);
    }
  }
}

function constant(value: SqlResult): CompiledExpression {
  return () => value;
}

/** TRUE unless an operand is FALSE (later ones are then not evaluated); NULL if an operand is NULL. */
function and(operands: readonly CompiledExpression[]): CompiledExpression {
  return (props) => {
    let unknown = false;
    for (let i = 0; i < operands.length; i++) {
      const value = (operands[i] as CompiledExpression)(props);
      if (value === false || value === EVALUATION_FAILED) return value;
      if (value === null) unknown = true;
    }
    return unknown ? null : true;
  };
}

function or(operands: readonly CompiledExpression[]): CompiledExpression {
  return (props) => {
    let unknown = false;
    for (let i = 0; i < operands.length; i++) {
      const value = (operands[i] as CompiledExpression)(props);
      if (value === true || value === EVALUATION_FAILED) return value;
      if (value === null) unknown = true;
    }
    return unknown ? null : false;
  };
}

/** What a comparison yields for an order below, at and above zero. */
interface Decision {
  readonly less: boolean;
  readonly equal: boolean;
  readonly greater: boolean;
}
const LESS_THAN: Decision = { less: true, equal: false, greater: false };
const AT_MOST: Decision = { less: true, equal: true, greater: false };
const GREATER_THAN: Decision = { less: false, equal: false, greater: true };
const AT_LEAST: Decision = { less: false, equal: true, greater: true };
const DECISIONS: Readonly<Record<ComparisonOperator, Decision>> = {
  [ComparisonOperator.EQ]: { less: false, equal: true, greater: false },
  [ComparisonOperator.NE]: { less: true, equal: false, greater: true },
  [ComparisonOperator.LT]: LESS_THAN,
  [ComparisonOperator.LE]: AT_MOST,
  [ComparisonOperator.GT]: GREATER_THAN,
  [ComparisonOperator.GE]: AT_LEAST,
};

function compare(node: CompareNode): CompiledExpression {
  const decision = DECISIONS[node.operator];
  // `property op number` is most filters' shape: one closure, no generic dispatch. For = and <> this is
  // doCreateEqual with a non-null right side: NULL for an absent property, else the converted comparison.
  if (node.left.kind === 'property' && isNumberLiteral(node.right)) {
    const name = node.left.name;
    const literal = node.right.value;
    return (props) => {
      const text = props(name);
      return text == null ? null : decide(compareStringToNumber(text, literal), decision);
    };
  }
  const left = compileExpression(node.left);
  const right = compileExpression(node.right);
  if (node.operator !== ComparisonOperator.EQ && node.operator !== ComparisonOperator.NE) {
    return ordering(left, right, decision);
  }
  const equal = equality(left, right);
  if (node.operator === ComparisonOperator.EQ) return equal;
  return (props) => {
    const value = equal(props);
    return value === null || value === EVALUATION_FAILED ? value : !value;
  };
}

/**
 * `=` as ComparisonExpression.doCreateEqual: NULL when only the left side is NULL, FALSE when only the
 * right side is, TRUE when both are; otherwise compared after conversion.
 */
function equality(left: CompiledExpression, right: CompiledExpression): CompiledExpression {
  return (props) => {
    const lv = left(props);
    if (lv === EVALUATION_FAILED) return lv;
    const rv = right(props);
    if (rv === EVALUATION_FAILED) return rv;
    if (lv === null) return rv === null ? true : null;
    if (rv === null) return false;
    if (lv === rv) return true;
    const order = compareValues(lv, rv);
    return order === 0 ? true : Number.isNaN(order) ? EVALUATION_FAILED : false;
  };
}

/** `<`, `<=`, `>`, `>=`: NULL if either side is; two strings are both read as Double. */
function ordering(
  left: CompiledExpression,
  right: CompiledExpression,
  decision: Decision,
): CompiledExpression {
  return (props) => {
    const lv = left(props);
    if (lv === null || lv === EVALUATION_FAILED) return lv;
    const rv = right(props);
    if (rv === null || rv === EVALUATION_FAILED) return rv;
    return decide(
      typeof lv === 'string' && typeof rv === 'string' ? compareStrings(lv, rv) : compareValues(lv, rv),
      decision,
    );
  };
}

function compareStrings(left: string, right: string): number {
  const l = parseJavaDouble(left);
  const r = l === undefined ? undefined : parseJavaDouble(right);
  return r === undefined || l === undefined ? COMPARE_FAILED : compareDoubles(l, r);
}

/** A NaN order is a failed conversion (COMPARE_FAILED). */
function decide(order: number, decision: Decision): SqlResult {
  return order < 0
    ? decision.less
    : order > 0
      ? decision.greater
      : order === 0
        ? decision.equal
        : EVALUATION_FAILED;
}

/**
 * Unary minus of a number literal is folded here, once. Any other operand is a string, a boolean or NULL
 * at run time, which UnaryExpression.createNegate turns into NULL; the operand is still evaluated so that
 * its failures surface as they do in Java.
 */
function negate(node: NegateNode): CompiledExpression {
  const folded = foldNegation(node);
  if (folded !== undefined) return constant(folded);
  const operand = compileExpression(node.operand);
  return (props) => {
    const value = operand(props);
    if (value === EVALUATION_FAILED) return value;
    return value !== null && typeof value === 'object' ? negateNumber(value) : null;
  };
}

function foldNegation(node: NegateNode): SqlNumber | undefined {
  if (isNumberLiteral(node.operand)) return negateNumber(node.operand.value);
  if (node.operand.kind !== 'negate') return undefined;
  const inner = foldNegation(node.operand);
  return inner === undefined ? undefined : negateNumber(inner);
}

/**
 * CONTAINS / STARTSWITH / ENDSWITH and their NOT forms: FALSE, never NULL, when the value is not a string
 * (absent included) or the search string is empty; in that last case the operand is not even evaluated.
 */
function stringMatch(
  operand: CompiledExpression,
  operator: StringMatchOperator,
  search: string,
  negated: boolean,
): CompiledExpression {
  if (search.length === 0) return constant(false);
  switch (operator) {
    case StringMatchOperator.CONTAINS:
      return (props) => {
        const value = operand(props);
        if (value === EVALUATION_FAILED) return value;
        return typeof value === 'string' && value.includes(search) !== negated;
      };
    case StringMatchOperator.STARTS_WITH:
      return (props) => {
        const value = operand(props);
        if (value === EVALUATION_FAILED) return value;
        return typeof value === 'string' && value.startsWith(search) !== negated;
      };
    case StringMatchOperator.ENDS_WITH:
      return (props) => {
        const value = operand(props);
        if (value === EVALUATION_FAILED) return value;
        return typeof value === 'string' && value.endsWith(search) !== negated;
      };
  }
}
