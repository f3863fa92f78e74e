import { RocketError } from '@rocketts/protocol';

/** Codes an MQClientError carries; each names one client-side failure (MQClientException in Java). */
export const MQClientErrorCode = {
  /** The route has no writable queue on a broker with a master. */
  NO_WRITABLE_QUEUE: 'NO_WRITABLE_QUEUE',
  /** The route has no readable queue. */
  NO_READABLE_QUEUE: 'NO_READABLE_QUEUE',
  /** A broker name is not (or no longer) in any known route. */
  BROKER_NOT_FOUND: 'BROKER_NOT_FOUND',
  /** A cluster name is not in the name server's cluster table. */
  CLUSTER_NOT_FOUND: 'CLUSTER_NOT_FOUND',
  /** The send deadline passed before an attempt could be made. */
  SEND_TIMEOUT: 'SEND_TIMEOUT',
  /** A response arrived but its body holds nothing usable (e.g. VIEW_MESSAGE_BY_ID without a record). */
  EMPTY_RESPONSE: 'EMPTY_RESPONSE',
  /** The broker lists no member of a consumer group yet (its heartbeat has not arrived): rebalance later. */
  CONSUMER_NOT_FOUND: 'CONSUMER_NOT_FOUND',
} as const;

export type MQClientErrorCodeValue = (typeof MQClientErrorCode)[keyof typeof MQClientErrorCode];

const RETRIABLE: ReadonlySet<string> = new Set([
  MQClientErrorCode.BROKER_NOT_FOUND,
  MQClientErrorCode.SEND_TIMEOUT,
  MQClientErrorCode.CONSUMER_NOT_FOUND,
]);

/** A failure the client detects itself, without a broker error code (as MQClientException). */
export class MQClientError extends RocketError {
  constructor(code: MQClientErrorCodeValue, message: string, cause?: unknown) {
    super(message, { code, retriable: RETRIABLE.has(code), cause });
  }
}
