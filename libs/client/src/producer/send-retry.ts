import { RemotingConnectError, RemotingTimeoutError, ResponseCode, ResponseError } from '@rocketts/protocol';
import { MQClientError } from '../errors/mq-client-error';

/** Broker answers a send is retried on, preferably on another broker (DefaultMQProducer.retryResponseCodes). */
export const SEND_RETRY_RESPONSE_CODES: ReadonlySet<number> = new Set<number>([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
  ResponseCode.GO_AWAY,
]);

/** Whether another attempt may succeed: a retry-set answer, a broken or slow connection, an unknown broker. */
export function isRetriableSendError(err: unknown): boolean {
  if (err instanceof ResponseError) return SEND_RETRY_RESPONSE_CODES.has(err.responseCode);
  if (err instanceof RemotingConnectError || err instanceof RemotingTimeoutError) return true;
  return err instanceof MQClientError && err.retriable;
}
