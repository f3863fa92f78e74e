import {
  ExpressionType,
  InvalidArgumentError,
  javaHashCode,
  SUB_ALL,
  type ExpressionTypeValue,
  type SubscriptionData,
} from '@rocketts/protocol';

/** A subscription: "*", "TagA || TagB", or an SQL92 expression over message properties. */
export type SubExpression = string | { type: ExpressionTypeValue; expression: string };

/**
 * SubscriptionData of an expression (FilterAPI.buildSubscriptionData): for TAG, empty or "*" subscribes to
 * everything; otherwise the expression is split on "||", each tag trimmed, empties skipped, and the
 * Java hashCode of each tag goes to codeSet. SQL92 expressions are passed to the broker as they are.
 */
export function buildSubscriptionData(
  topic: string,
  expr: SubExpression | undefined,
  subVersion: number,
): SubscriptionData {
  const { type, expression } = normalize(expr);
  const sub: SubscriptionData = {
    topic,
    subString: expression,
    tagsSet: [],
    codeSet: [],
    subVersion,
    expressionType: type,
    classFilterMode: false,
  };
  if (type === ExpressionType.SQL92) {
    if (expression.trim().length === 0)
      throw new InvalidArgumentError('subExpression', 'SQL92 expression is empty');
    return sub;
  }
  if (expression.trim().length === 0 || expression.trim() === SUB_ALL) {
    sub.subString = SUB_ALL;
    return sub;
  }
  for (const raw of expression.split('||')) {
    const tag = raw.trim();
    if (tag.length === 0 || sub.tagsSet.includes(tag)) continue;
    sub.tagsSet.push(tag);
    sub.codeSet.push(javaHashCode(tag));
  }
  return sub;
}

function normalize(expr: SubExpression | undefined): { type: ExpressionTypeValue; expression: string } {
  if (expr === undefined) return { type: ExpressionType.TAG, expression: SUB_ALL };
  if (typeof expr === 'string') return { type: ExpressionType.TAG, expression: expr };
  if (typeof expr === 'object' && expr !== null && typeof expr.expression === 'string') {
    if (expr.type === ExpressionType.TAG || expr.type === ExpressionType.SQL92)
      return { type: expr.type, expression: expr.expression };
  }
  throw new InvalidArgumentError(
    'subExpression',
    "must be a tag expression or {type: 'TAG' | 'SQL92', expression}",
  );
}
