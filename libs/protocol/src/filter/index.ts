import { compileExpression } from './sql-evaluator';
import type { CompiledExpression, PropertyLookup } from './sql-evaluator';
import { parseSql92 } from './sql-parser';

export { SqlFilterSyntaxError } from './sql-errors';
export type { PropertyLookup } from './sql-evaluator';

/**
 * A compiled SQL92 subscription (expressionType "SQL92"), as the broker holds one per consumer group and
 * topic in place of RocketMQ's ExpressionMessageFilter + compiled BooleanExpression.
 */
export interface SqlFilter {
  /** The expression as the consumer sent it. */
  readonly expression: string;
  /**
   * Whether a message with these properties is delivered: only when the expression is exactly TRUE. NULL,
   * FALSE and evaluation failures (e.g. a property that is not a number) are no match. Never throws.
   */
  matches(props: PropertyLookup): boolean;
}

class CompiledSqlFilter implements SqlFilter {
  constructor(
    readonly expression: string,
    private readonly evaluate: CompiledExpression,
  ) {}

  matches(props: PropertyLookup): boolean {
    try {
      return this.evaluate(props) === true;
    } catch {
      // As ExpressionMessageFilter.isMatchedByCommitLog, which logs and drops on any Throwable.
      return false;
    }
  }
}

/**
 * Compiles an SQL92 filter expression (RocketMQ's SelectorParser dialect, reference §15) once, for
 * evaluation against every message on the pull path. Throws SqlFilterSyntaxError for anything RocketMQ
 * would refuse to compile.
 */
export function compileSql92(expression: string): SqlFilter {
  return new CompiledSqlFilter(expression, compileExpression(parseSql92(expression)));
}
