import type { PutMessageStatusValue } from '../statuses';

/** A message as the broker hands it to the store (MessageExtBrokerInner). */
export interface MessageInner {
  topic: string;
  queueId: number;
  flag: number;
  body: Buffer;
  /** Encoded properties string (§7.4). */
  properties: string;
  tagsCode: number;
  sysFlag: number;
  bornTimestamp: number;
  /** Encoded host fields, see @rocketts/protocol host-address. */
  bornHost: Buffer;
  storeHost: Buffer;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** SYNC_FLUSH only: false acknowledges after write() without waiting for the disk (WAIT=false). */
  waitStoreMsgOK: boolean;
  keys?: string | undefined;
  uniqKey?: string | undefined;
}

export interface AppendResult {
  status: PutMessageStatusValue;
  /** Commit-log offset of the (first) record. */
  wroteOffset: number;
  wroteBytes: number;
  /** Logical offset of the (first) message in its queue. */
  queueOffset: number;
  storeTimestamp: number;
  /** Offset message ids, one per record. */
  msgIds: string[];
  remark?: string;
}
