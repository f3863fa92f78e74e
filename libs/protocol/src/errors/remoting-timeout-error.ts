import { RocketError } from './rocket-error';

export class RemotingTimeoutError extends RocketError {
  constructor(
    readonly addr: string,
    readonly opaque: number,
    readonly timeoutMs: number,
    readonly requestCode: number,
  ) {
    super(`no response from ${addr} within ${timeoutMs} ms (request code ${requestCode}, opaque ${opaque})`, {
      code: 'REMOTING_TIMEOUT',
      retriable: true,
    });
  }
}
