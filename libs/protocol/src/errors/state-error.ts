import { RocketError } from './rocket-error';

/** The object is not in a state that allows the call (not started, already shut down, …). */
export class StateError extends RocketError {
  constructor(message: string) {
    super(message, { code: 'ILLEGAL_STATE', retriable: false });
  }
}
