import { RocketError } from '@rocketts/protocol';

/**
 * A request was sent but no reply arrived within its timeout (RequestTimeoutException). The correlation id
 * is the request message's CORRELATION_ID, so a late reply can be matched in logs.
 */
export class RequestTimeoutError extends RocketError {
  constructor(
    readonly correlationId: string,
    readonly topic: string,
    readonly timeoutMs: number,
  ) {
    super(`request ${correlationId} to ${topic} was sent, but no reply arrived within ${timeoutMs} ms`, {
      code: 'REQUEST_TIMEOUT',
      retriable: true,
    });
  }
}
