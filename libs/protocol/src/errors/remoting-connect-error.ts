import { RocketError } from './rocket-error';

/** The connection to `addr` could not be made, or broke before the response arrived. */
export class RemotingConnectError extends RocketError {
  constructor(
    readonly addr: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${addr}: ${message}`, { code: 'REMOTING_CONNECT', retriable: true, cause });
  }
}
