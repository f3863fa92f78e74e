import { RocketError } from './rocket-error';

/** A public API was called with a value it cannot accept. */
export class InvalidArgumentError extends RocketError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`, { code: 'INVALID_ARGUMENT', retriable: false });
  }
}
