import {
  encodeProperties,
  MessageProperty,
  MessageSysFlag,
  POS_BORN_HOST,
  POS_BORN_TIMESTAMP,
  POS_FLAG,
  POS_SYS_FLAG,
  readLong,
  tagsCodeOf,
  type MessageExt,
  type Properties,
} from '@rocketts/protocol';
import type { MessageInner } from './commit-log/commit-log';
import { CRC_PROPERTY_NAME } from './commit-log/record-crc';

/** What a re-put changes: where the copy goes, its properties and reconsume count. */
export interface RePut {
  topic: string;
  queueId: number;
  properties: Properties;
  reconsumeTimes: number;
  /** Defaults to the original's STOREHOST. */
  storeHost?: Buffer;
}

/**
 * A new message built from a stored record (MessageExt → MessageExtBrokerInner), as the schedule
 * service (messageTimeUp) and send-back do: body as stored (still compressed if it was), flag,
 * sysFlag, born time and host, prepared-transaction offset; tagsCode, KEYS and UNIQ_KEY from the new
 * properties; not waiting for a disk flush (WAIT=false behaviour). The original's record CRC entry
 * is dropped: the commit log writes a new one.
 */
export function rePut(record: Buffer, ext: MessageExt, change: RePut): MessageInner {
  const sysFlag = record.readInt32BE(POS_SYS_FLAG);
  const bornLen = (sysFlag & MessageSysFlag.BORNHOST_V6) !== 0 ? 20 : 8;
  const storeHostPos = POS_BORN_HOST + bornLen + 8;
  const storeLen = (sysFlag & MessageSysFlag.STOREHOST_V6) !== 0 ? 20 : 8;
  const p = { ...change.properties };
  delete p[CRC_PROPERTY_NAME];
  return {
    topic: change.topic,
    queueId: change.queueId,
    flag: record.readInt32BE(POS_FLAG),
    body: ext.body,
    properties: encodeProperties(p),
    tagsCode: tagsCodeOf(p[MessageProperty.TAGS]),
    sysFlag,
    bornTimestamp: readLong(record, POS_BORN_TIMESTAMP),
    bornHost: Buffer.from(record.subarray(POS_BORN_HOST, POS_BORN_HOST + bornLen)),
    storeHost: change.storeHost ?? Buffer.from(record.subarray(storeHostPos, storeHostPos + storeLen)),
    reconsumeTimes: change.reconsumeTimes,
    preparedTransactionOffset: ext.preparedTransactionOffset,
    waitStoreMsgOK: false,
    keys: p[MessageProperty.KEYS],
    uniqKey: p[MessageProperty.UNIQ_KEY],
  };
}
