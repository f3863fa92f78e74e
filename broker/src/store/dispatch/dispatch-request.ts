import {
  findProperty,
  MESSAGE_MAGIC_V1,
  MessageProperty,
  MessageSysFlag,
  MIN_RECORD_SIZE,
  POS_BODY_CRC,
  POS_MAGIC,
  POS_PHYSICAL_OFFSET,
  POS_QUEUE_ID,
  POS_QUEUE_OFFSET,
  POS_SYS_FLAG,
  readLong,
  storeTimestampPos,
  tagsCodeOf,
} from '@rocketts/protocol';
import { bodyCrcAt, verifyRecordCrc } from '../commit-log/record-crc';

/** What the reput loop feeds to consume queues, the index and long-polling (DispatchRequest.java). */
export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  tagsCode: number;
  storeTimestamp: number;
  consumeQueueOffset: number;
  sysFlag: number;
  keys: string | undefined;
  uniqKey: string | undefined;
  /** Encoded properties, kept for SQL92 wake-up checks of parked pulls. */
  properties: string;
}

export type RecordCheck =
  | { kind: 'record'; request: DispatchRequest }
  | { kind: 'blank' }
  | { kind: 'end' }
  /** The buffer holds only part of the record: read `size` bytes from its start and check again. */
  | { kind: 'partial'; size: number }
  | { kind: 'corrupt'; reason: string };

const BLANK = 0xcbd43194 | 0;

/**
 * Validate the record at `pos` of `buf`, which holds commit-log bytes starting at global offset
 * `bufOffset`, as recovery does (CommitLog.checkMessageAndReturnSize): size and magic, the physical
 * offset it claims, structure, body CRC and, when present, the whole-record CRC.
 */
export function checkRecord(
  buf: Buffer,
  pos: number,
  bufOffset: number,
  bytesLeftInFile: number,
): RecordCheck {
  if (buf.length - pos < 8) return { kind: 'partial', size: 8 };
  const size = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + POS_MAGIC);
  if (size === 0 && magic === 0) return { kind: 'end' };
  if (magic === BLANK) return { kind: 'blank' };
  if (magic !== MESSAGE_MAGIC_V1)
    return { kind: 'corrupt', reason: `bad magic 0x${(magic >>> 0).toString(16)}` };
  if (size < MIN_RECORD_SIZE || size > bytesLeftInFile)
    return { kind: 'corrupt', reason: `bad size ${size}` };
  if (buf.length - pos < size) return { kind: 'partial', size };
  if (readLong(buf, pos + POS_PHYSICAL_OFFSET) !== bufOffset + pos) {
    return { kind: 'corrupt', reason: 'physical offset field does not match its position' };
  }
  const sysFlag = buf.readInt32BE(pos + POS_SYS_FLAG);
  const storeV6 = (sysFlag & MessageSysFlag.STOREHOST_V6) !== 0;
  const tsPos = pos + storeTimestampPos(sysFlag);
  let p = tsPos + 8 + (storeV6 ? 20 : 8) + 12;
  const end = pos + size;
  if (p + 4 > end) return { kind: 'corrupt', reason: 'fixed part overruns the record' };
  const bodyLen = buf.readInt32BE(p);
  p += 4;
  if (bodyLen < 0 || p + bodyLen + 3 > end) return { kind: 'corrupt', reason: 'body overruns the record' };
  if (bodyCrcAt(buf, p, p + bodyLen) !== buf.readInt32BE(pos + POS_BODY_CRC)) {
    return { kind: 'corrupt', reason: 'body CRC mismatch' };
  }
  p += bodyLen;
  const topicLen = buf.readUInt8(p);
  p += 1;
  if (p + topicLen + 2 > end) return { kind: 'corrupt', reason: 'topic overruns the record' };
  const topic = buf.toString('utf8', p, p + topicLen);
  p += topicLen;
  const propsLen = buf.readUInt16BE(p);
  p += 2;
  if (p + propsLen !== end) return { kind: 'corrupt', reason: 'fields do not end at TOTALSIZE' };
  // Every record this store writes carries the whole-record CRC, so a missing entry is damage too
  // (otherwise a hit on the entry's own name would pass as "no CRC").
  const crcOk = verifyRecordCrc(buf, pos, size);
  if (crcOk !== true)
    return { kind: 'corrupt', reason: crcOk === false ? 'record CRC mismatch' : 'record CRC entry missing' };
  const properties = buf.toString('utf8', p, end);
  return {
    kind: 'record',
    request: {
      topic,
      queueId: buf.readInt32BE(pos + POS_QUEUE_ID),
      commitLogOffset: bufOffset + pos,
      msgSize: size,
      tagsCode: tagsCodeOf(findProperty(properties, MessageProperty.TAGS)),
      storeTimestamp: readLong(buf, tsPos),
      consumeQueueOffset: readLong(buf, pos + POS_QUEUE_OFFSET),
      sysFlag,
      keys: findProperty(properties, MessageProperty.KEYS),
      uniqKey: findProperty(properties, MessageProperty.UNIQ_KEY),
      properties,
    },
  };
}

/** Prepared and rolled-back transactional records get no consume-queue entry (CommitLogDispatcherBuildConsumeQueue). */
export function isConsumable(sysFlag: number): boolean {
  const t = sysFlag & MessageSysFlag.TRANSACTION_MASK;
  return t === MessageSysFlag.TRANSACTION_NOT_TYPE || t === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
}
