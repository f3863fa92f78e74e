import { type ResponseCodeName, responseCodeName } from '../codes/response-code';
import { RocketError } from './rocket-error';

/**
 * What an error response from a broker or name server means to a caller. `retriable` follows the Java
 * producer's retry set (TOPIC_NOT_EXIST, SERVICE_NOT_AVAILABLE, SYSTEM_ERROR, SYSTEM_BUSY, NO_PERMISSION,
 * NO_BUYER_ID, NOT_IN_CURRENT_UNIT, GO_AWAY) plus the transient pull/flush outcomes.
 */
export const RESPONSE_ERRORS: Readonly<Record<ResponseCodeName, { retriable: boolean; meaning: string }>> = {
  SUCCESS: { retriable: false, meaning: 'success' },
  SYSTEM_ERROR: { retriable: true, meaning: 'server-side failure' },
  SYSTEM_BUSY: { retriable: true, meaning: 'server overloaded, flow control' },
  REQUEST_CODE_NOT_SUPPORTED: { retriable: false, meaning: 'request code not supported by this server' },
  TRANSACTION_FAILED: { retriable: false, meaning: 'transaction failed' },
  FLUSH_DISK_TIMEOUT: { retriable: false, meaning: 'stored, but the disk flush timed out' },
  SLAVE_NOT_AVAILABLE: { retriable: false, meaning: 'stored, but no slave is available' },
  FLUSH_SLAVE_TIMEOUT: { retriable: false, meaning: 'stored, but the slave did not acknowledge in time' },
  MESSAGE_ILLEGAL: { retriable: false, meaning: 'message is illegal (size, topic or properties)' },
  SERVICE_NOT_AVAILABLE: {
    retriable: true,
    meaning: 'service not available (disk full, shutting down, slave)',
  },
  VERSION_NOT_SUPPORTED: { retriable: false, meaning: 'version not supported' },
  NO_PERMISSION: { retriable: true, meaning: 'no permission on broker, topic or group' },
  TOPIC_NOT_EXIST: { retriable: true, meaning: 'topic does not exist' },
  TOPIC_EXIST_ALREADY: { retriable: false, meaning: 'topic already exists' },
  PULL_NOT_FOUND: { retriable: true, meaning: 'no new message' },
  PULL_RETRY_IMMEDIATELY: { retriable: true, meaning: 'no matched message, pull again' },
  PULL_OFFSET_MOVED: { retriable: true, meaning: 'pull offset is illegal' },
  QUERY_NOT_FOUND: { retriable: false, meaning: 'not found' },
  SUBSCRIPTION_PARSE_FAILED: { retriable: false, meaning: 'subscription expression cannot be parsed' },
  SUBSCRIPTION_NOT_EXIST: { retriable: true, meaning: 'subscription not registered' },
  SUBSCRIPTION_NOT_LATEST: { retriable: true, meaning: 'subscription not latest' },
  SUBSCRIPTION_GROUP_NOT_EXIST: { retriable: false, meaning: 'subscription group does not exist' },
  FILTER_DATA_NOT_EXIST: { retriable: true, meaning: 'filter data not registered' },
  FILTER_DATA_NOT_LATEST: { retriable: true, meaning: 'filter data not latest' },
  INVALID_PARAMETER: { retriable: false, meaning: 'invalid parameter' },
  TRANSACTION_SHOULD_COMMIT: { retriable: false, meaning: 'transaction should commit' },
  TRANSACTION_SHOULD_ROLLBACK: { retriable: false, meaning: 'transaction should roll back' },
  TRANSACTION_STATE_UNKNOW: { retriable: false, meaning: 'transaction state unknown' },
  TRANSACTION_STATE_GROUP_WRONG: { retriable: false, meaning: 'transaction producer group wrong' },
  NO_BUYER_ID: { retriable: true, meaning: 'no buyer id' },
  NOT_IN_CURRENT_UNIT: { retriable: true, meaning: 'not in current unit' },
  CONSUMER_NOT_ONLINE: { retriable: false, meaning: 'consumer not online' },
  CONSUME_MSG_TIMEOUT: { retriable: true, meaning: 'consumer did not answer in time' },
  NO_MESSAGE: { retriable: true, meaning: 'no message' },
  POLLING_FULL: { retriable: true, meaning: 'polling full (5.x) / ACL update failed (4.x)' },
  POLLING_TIMEOUT: { retriable: true, meaning: 'polling timeout (5.x) / ACL delete failed (4.x)' },
  BROKER_NOT_EXIST: { retriable: true, meaning: 'broker not exist (5.x) / white-list update failed (4.x)' },
  BROKER_DISPATCH_NOT_COMPLETE: { retriable: true, meaning: 'broker dispatch not complete' },
  BROADCAST_CONSUMPTION: { retriable: false, meaning: 'broadcast consumption' },
  FLOW_CONTROL: { retriable: true, meaning: 'flow control' },
  NOT_LEADER_FOR_QUEUE: { retriable: true, meaning: 'not leader for queue' },
  ILLEGAL_OPERATION: { retriable: false, meaning: 'illegal operation' },
  GO_AWAY: { retriable: true, meaning: 'server is going away, reconnect elsewhere' },
};

/** A server answered with a non-success ResponseCode. */
export class ResponseError extends RocketError {
  constructor(
    readonly responseCode: number,
    readonly remark: string | undefined,
    readonly addr: string,
    readonly requestCode: number,
  ) {
    const name = responseCodeName(responseCode);
    const row = (RESPONSE_ERRORS as Record<string, { retriable: boolean; meaning: string }>)[name];
    super(`${addr} answered ${name}${remark ? `: ${remark}` : row ? ` (${row.meaning})` : ''}`, {
      code: name,
      retriable: row?.retriable ?? false,
    });
  }
}

export function isResponseCode(err: unknown, code: number): err is ResponseError {
  return err instanceof ResponseError && err.responseCode === code;
}
