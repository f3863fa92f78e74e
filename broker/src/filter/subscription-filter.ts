import {
  compileSql92,
  decodeProperties,
  ExpressionType,
  javaHashCode,
  SUB_ALL,
  type SqlFilter,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { MessageFilter } from '../store/message-filter';

/** Parse a tag expression as FilterAPI.buildSubscriptionData: "*" or "TagA || TagB". */
export function buildTagSubscription(
  topic: string,
  subString: string | undefined,
  subVersion: number,
): SubscriptionData {
  const expr = subString?.trim() ?? '';
  const tags =
    expr === '' || expr === SUB_ALL
      ? []
      : expr
          .split('||')
          .map((t) => t.trim())
          .filter((t) => t.length > 0);
  return {
    topic,
    subString: tags.length === 0 ? SUB_ALL : expr,
    tagsSet: tags,
    codeSet: tags.map(javaHashCode),
    subVersion,
    expressionType: ExpressionType.TAG,
    classFilterMode: false,
  };
}

/** Compiled SQL92 expressions, shared by every pull that uses the same text. */
export class SqlFilterCache {
  private readonly cache = new Map<string, SqlFilter>();

  constructor(private readonly max = 1024) {}

  /** Throws SqlFilterSyntaxError for an expression that does not compile. */
  get(expression: string): SqlFilter {
    let f = this.cache.get(expression);
    if (!f) {
      f = compileSql92(expression);
      if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(expression, f);
    }
    return f;
  }
}

/**
 * The store filter for a subscription (ExpressionMessageFilter): tags are matched on the consume
 * queue's tagsCode; SQL92 is evaluated against the stored properties.
 */
export function messageFilterFor(sub: SubscriptionData, sql: SqlFilterCache): MessageFilter {
  if (sub.expressionType === ExpressionType.SQL92) {
    const f = sql.get(sub.subString);
    return {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (props) => {
        let parsed: Record<string, string> | undefined;
        return f.matches((name) => (parsed ??= decodeProperties(props))[name]);
      },
    };
  }
  if (sub.subString === SUB_ALL || sub.codeSet.length === 0) return { isMatchedByConsumeQueue: () => true };
  const codes = new Set(sub.codeSet);
  return { isMatchedByConsumeQueue: (tagsCode) => codes.has(tagsCode) };
}
