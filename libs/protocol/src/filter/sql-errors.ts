import { RocketError } from '../errors/rocket-error';

/**
 * An SQL92 filter expression that RocketMQ would refuse (SelectorParser → MQFilterException): it does not
 * lex, does not parse, or breaks one of the compile-time checks of ComparisonExpression / SelectorParser.
 * The broker answers such a subscription with a filter error instead of a pull result.
 */
export class SqlFilterSyntaxError extends RocketError {
  constructor(
    /** What is wrong, without the location. */
    readonly reason: string,
    readonly expression: string,
    /** 0-based UTF-16 offset into `expression` where the offending token or operand starts. */
    readonly position: number,
  ) {
    super(`invalid SQL92 filter: ${reason} at position ${position} in "${expression}"`, {
      code: 'SQL_FILTER_SYNTAX',
      retriable: false,
    });
  }
}
