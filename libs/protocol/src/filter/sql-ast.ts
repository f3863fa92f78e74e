/**
 * Expression tree of a compiled SQL92 filter, shaped after org.apache.rocketmq.filter.expression: the
 * distinctions RocketMQ's compile-time checks rely on (a constant vs a property vs a negation vs a
 * BooleanExpression) are kept as node kinds, so the parser can apply the same checks.
 */

/** Java number classes a literal can have; a property value (a String) is converted into one of them. */
export const NumberType = {
  /** java.lang.Integer: decimal literal that fits in 32 bits. */
  INT: 'int',
  /** java.lang.Long: decimal literal that needs 64 bits. */
  LONG: 'long',
  /** java.lang.Double: every floating-point literal. */
  DOUBLE: 'double',
} as const;
export type NumberType = (typeof NumberType)[keyof typeof NumberType];

export interface SqlInt {
  readonly numberType: typeof NumberType.INT;
  readonly value: number;
}
export interface SqlLong {
  readonly numberType: typeof NumberType.LONG;
  readonly value: bigint;
}
export interface SqlDouble {
  readonly numberType: typeof NumberType.DOUBLE;
  readonly value: number;
}
export type SqlNumber = SqlInt | SqlLong | SqlDouble;

/**
 * A literal's value and, at evaluation time, any intermediate value: null is SQL NULL (also an absent
 * property), strings are property values or string literals. Numbers only ever come from literals, so
 * each SqlNumber is built once at compile time and evaluation allocates none.
 */
export type SqlValue = null | boolean | string | SqlNumber;

export const ComparisonOperator = { EQ: '=', NE: '<>', GT: '>', GE: '>=', LT: '<', LE: '<=' } as const;
export type ComparisonOperator = (typeof ComparisonOperator)[keyof typeof ComparisonOperator];

/** The string tests added in RocketMQ 5.1.3. */
export const StringMatchOperator = {
  CONTAINS: 'CONTAINS',
  STARTS_WITH: 'STARTSWITH',
  ENDS_WITH: 'ENDSWITH',
} as const;
export type StringMatchOperator = (typeof StringMatchOperator)[keyof typeof StringMatchOperator];

interface NodeBase {
  /** 0-based offset of the node's first token in the expression, for error messages. */
  readonly position: number;
}

export interface LiteralNode<V extends SqlValue = SqlValue> extends NodeBase {
  readonly kind: 'literal';
  readonly value: V;
}

export interface PropertyNode extends NodeBase {
  readonly kind: 'property';
  /** As written in the expression: property names are case-sensitive. */
  readonly name: string;
}

/** Unary minus. Not a constant for the compile-time checks, even over a number, as in UnaryExpression. */
export interface NegateNode extends NodeBase {
  readonly kind: 'negate';
  readonly operand: SqlNode;
}

export interface NotNode extends NodeBase {
  readonly kind: 'not';
  readonly operand: SqlBooleanNode;
}

/**
 * A chain `x AND y AND z` as one node. Evaluating the operands left to right and stopping at the first
 * FALSE (TRUE for OR) gives exactly what RocketMQ's left-nested LogicExpressions give, and keeps long
 * `TAGS = 'a' OR TAGS = 'b' OR …` filters shallow.
 */
export interface LogicNode extends NodeBase {
  readonly kind: 'and' | 'or';
  readonly operands: readonly SqlBooleanNode[];
}

export interface CompareNode extends NodeBase {
  readonly kind: 'compare';
  readonly operator: ComparisonOperator;
  readonly left: SqlNode;
  readonly right: SqlNode;
}

export interface IsNullNode extends NodeBase {
  readonly kind: 'isNull';
  readonly operand: SqlNode;
  /** IS NOT NULL. */
  readonly negated: boolean;
}

/** `value BETWEEN low AND high` ≡ `value >= low AND value <= high`; NOT BETWEEN ≡ `< low OR > high`. */
export interface BetweenNode extends NodeBase {
  readonly kind: 'between';
  readonly value: SqlNode;
  readonly low: SqlNode;
  readonly high: SqlNode;
  readonly negated: boolean;
}

export interface InNode extends NodeBase {
  readonly kind: 'in';
  readonly property: PropertyNode;
  readonly values: readonly string[];
  readonly negated: boolean;
}

export interface StringMatchNode extends NodeBase {
  readonly kind: 'stringMatch';
  readonly operator: StringMatchOperator;
  readonly operand: SqlNode;
  readonly search: string;
  readonly negated: boolean;
}

/**
 * A bare property where a boolean is needed (UnaryExpression.createBooleanCast): NULL when absent, else
 * FALSE, because a property value is a String and never a Boolean.
 */
export interface BooleanCastNode extends NodeBase {
  readonly kind: 'booleanCast';
  readonly property: PropertyNode;
}

/** What RocketMQ calls a BooleanExpression: may stand alone, under NOT, AND, OR. */
export type SqlBooleanNode =
  | LiteralNode<boolean | null>
  | NotNode
  | LogicNode
  | CompareNode
  | IsNullNode
  | BetweenNode
  | InNode
  | StringMatchNode
  | BooleanCastNode;

export type SqlNode = SqlBooleanNode | LiteralNode | PropertyNode | NegateNode;

export function isBooleanNode(node: SqlNode): node is SqlBooleanNode {
  switch (node.kind) {
    case 'literal':
      return node.value === null || typeof node.value === 'boolean';
    case 'property':
    case 'negate':
      return false;
    default:
      return true;
  }
}

export function isNumberLiteral(node: SqlNode): node is LiteralNode<SqlNumber> {
  return node.kind === 'literal' && node.value !== null && typeof node.value === 'object';
}

/** The operands of a node, for walks that must not recurse (see treeHeight). */
export function childrenOf(node: SqlNode): readonly SqlNode[] {
  switch (node.kind) {
    case 'literal':
    case 'property':
      return [];
    case 'negate':
    case 'not':
    case 'isNull':
    case 'stringMatch':
      return [node.operand];
    case 'and':
    case 'or':
      return node.operands;
    case 'compare':
      return [node.left, node.right];
    case 'between':
      return [node.value, node.low, node.high];
    case 'in':
    case 'booleanCast':
      return [node.property];
  }
}

/** Height of the tree, measured without recursion so a hostile expression cannot overflow the stack here. */
export function treeHeight(root: SqlNode): number {
  let height = 0;
  const stack: Array<{ node: SqlNode; depth: number }> = [{ node: root, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > height) height = top.depth;
    for (const child of childrenOf(top.node)) stack.push({ node: child, depth: top.depth + 1 });
  }
  return height;
}
