import { MessageProperty, ResponseCode, type EndTransactionRequestHeader } from '@rocketts/protocol';
import { immunityMs } from './check-decision';

/** What END_TRANSACTION validation needs of the half message (EndTransactionProcessor.checkPrepareMessage). */
export interface HalfIdentity {
  properties: Record<string, string>;
  bornTimestamp: number;
  /** Offset in RMQ_SYS_TRANS_HALF_TOPIC queue 0. */
  queueOffset: number;
  commitLogOffset: number;
}

export interface EndRefusal {
  code: number;
  remark: string;
}

/**
 * §10.2 validation in Java's order, after the request named COMMIT or ROLLBACK: the half message
 * must exist; an answer not from a check must come within the producer's own immunity (5.x
 * rejectCommitOrRollback); the group and both offsets must match. undefined = proceed.
 */
export function checkEndRequest(
  h: EndTransactionRequestHeader,
  half: HalfIdentity | undefined,
  now: number,
  transactionTimeOutMs: number,
): EndRefusal | undefined {
  if (!half) return { code: ResponseCode.SYSTEM_ERROR, remark: 'Find prepared transaction message failed' };
  const immunity = half.properties[MessageProperty.CHECK_IMMUNITY_TIME_IN_SECONDS];
  if (
    h.fromTransactionCheck !== true &&
    immunity !== undefined &&
    now - half.bornTimestamp > immunityMs(immunity, transactionTimeOutMs)
  ) {
    return {
      code: ResponseCode.ILLEGAL_OPERATION,
      remark:
        'Message commit fail [producerGroup:' +
        `${h.producerGroup}, msgId:${h.msgId}]. It exceeds its check immunity time and is left to the check-back`,
    };
  }
  if (half.properties[MessageProperty.PGROUP] !== h.producerGroup)
    return { code: ResponseCode.SYSTEM_ERROR, remark: 'The producer group wrong' };
  if (half.queueOffset !== h.tranStateTableOffset)
    return { code: ResponseCode.SYSTEM_ERROR, remark: 'The transaction state table offset wrong' };
  if (half.commitLogOffset !== h.commitLogOffset)
    return { code: ResponseCode.SYSTEM_ERROR, remark: 'The commit log offset wrong' };
  return undefined;
}
