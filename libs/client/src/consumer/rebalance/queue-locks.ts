import {
  decodeLockBatchResponse,
  encodeLockBatchRequest,
  RequestCode,
  type MessageQueue,
} from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';

/*
 * LOCK_BATCH_MQ / UNLOCK_BATCH_MQ to one broker (MQClientAPIImpl.lockBatchMQ / unlockBatchMQ, §12.2).
 * A lock answer lists the queues now held by this client; the others belong to someone else.
 */

export interface LockTarget {
  group: string;
  clientId: string;
  mqs: readonly MessageQueue[];
}

export async function lockBatchMQ(
  instance: ClientInstance,
  addr: string,
  t: LockTarget,
  timeoutMs: number,
): Promise<MessageQueue[]> {
  const body = encodeLockBatchRequest({ consumerGroup: t.group, clientId: t.clientId, mqSet: [...t.mqs] });
  const resp = await instance.invoke(
    addr,
    instance.request(RequestCode.LOCK_BATCH_MQ, undefined, body),
    timeoutMs,
  );
  return decodeLockBatchResponse(resp.body);
}

/** `oneway` when releasing a queue (nobody waits), awaited at shutdown, as Java. */
export async function unlockBatchMQ(
  instance: ClientInstance,
  addr: string,
  t: LockTarget,
  timeoutMs: number,
  oneway: boolean,
): Promise<void> {
  const body = encodeLockBatchRequest({ consumerGroup: t.group, clientId: t.clientId, mqSet: [...t.mqs] });
  const cmd = instance.request(RequestCode.UNLOCK_BATCH_MQ, undefined, body);
  if (oneway) await instance.remoting.invokeOneway(addr, cmd);
  else await instance.invoke(addr, cmd, timeoutMs);
}
