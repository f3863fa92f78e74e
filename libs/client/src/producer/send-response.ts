import {
  ResponseCode,
  ResponseError,
  SendMessageResponseHeader,
  type MessageQueue,
  type RemotingCommand,
} from '@rocketts/protocol';
import { SendStatus, type BatchSendResult, type SendResult, type SendStatusValue } from './message';
import type { PreparedMessage } from './prepare-message';

/** Response codes that mean "stored" (MQClientAPIImpl.processSendResponse). */
const STORED_STATUS: ReadonlyMap<number, SendStatusValue> = new Map<number, SendStatusValue>([
  [ResponseCode.SUCCESS, SendStatus.SEND_OK],
  [ResponseCode.FLUSH_DISK_TIMEOUT, SendStatus.FLUSH_DISK_TIMEOUT],
  [ResponseCode.FLUSH_SLAVE_TIMEOUT, SendStatus.FLUSH_SLAVE_TIMEOUT],
  [ResponseCode.SLAVE_NOT_AVAILABLE, SendStatus.SLAVE_NOT_AVAILABLE],
]);

/**
 * SendResult from a send response (as MQClientAPIImpl.processSendResponse). Reads extFields msgId,
 * queueId, queueOffset (required), transactionId, MSG_REGION and TRACE_ON; other codes throw ResponseError.
 */
export function processSendResponse(
  resp: RemotingCommand,
  addr: string,
  requestCode: number,
  mq: MessageQueue,
  prepared: PreparedMessage,
): SendResult | BatchSendResult {
  const status = STORED_STATUS.get(resp.code);
  if (status === undefined) throw new ResponseError(resp.code, resp.remark, addr, requestCode);
  const h = SendMessageResponseHeader.decode(resp.extFields);
  const result: SendResult = {
    status,
    msgId: prepared.uniqKeys.join(','),
    offsetMsgId: h.msgId,
    messageQueue: { topic: mq.topic, brokerName: mq.brokerName, queueId: h.queueId },
    queueOffset: h.queueOffset,
  };
  if (h.transactionId !== undefined) result.transactionId = h.transactionId;
  if (h.MSG_REGION !== undefined) result.regionId = h.MSG_REGION;
  if (h.TRACE_ON !== undefined) result.traceOn = h.TRACE_ON !== 'false';
  if (!prepared.batch) return result;
  // prepared is the send's own: its key list becomes the result's without a copy.
  return { ...result, msgIds: prepared.uniqKeys, offsetMsgIds: h.msgId.split(',') };
}
