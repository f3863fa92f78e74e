import {
  EndTransactionRequestHeader,
  type EndTransactionRequestHeader as EndHeader,
} from '@rocketts/protocol';
import { COMMIT_OR_ROLLBACK, type LocalTransactionStateValue } from './transaction-state';

/** The fields of END_TRANSACTION (§10.2) apart from the decision. */
export interface EndTransactionTarget {
  producerGroup: string;
  /** Half-queue offset: the send response's queueOffset, or the check header's. */
  tranStateTableOffset: number;
  /** Commit-log offset of the half message: from its offset msgId, or the check header's. */
  commitLogOffset: number;
  /** UNIQ_KEY of the message. */
  msgId: string;
  transactionId?: string;
  /** 5.x fields; 4.x brokers ignore them. */
  topic?: string;
  brokerName?: string;
}

/** END_TRANSACTION extFields for `state` (MQClientAPIImpl.endTransactionOneway's header). */
export function endTransactionHeader(
  target: EndTransactionTarget,
  state: LocalTransactionStateValue,
  fromTransactionCheck: boolean,
): Record<string, string> {
  const header: EndHeader = {
    producerGroup: target.producerGroup,
    tranStateTableOffset: target.tranStateTableOffset,
    commitLogOffset: target.commitLogOffset,
    commitOrRollback: COMMIT_OR_ROLLBACK[state],
    fromTransactionCheck,
    msgId: target.msgId,
    transactionId: target.transactionId,
    topic: target.topic,
    bname: target.brokerName,
  };
  return EndTransactionRequestHeader.encode(header);
}
