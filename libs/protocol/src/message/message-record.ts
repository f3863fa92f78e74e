import { crc32 } from 'node:zlib';
import { MessageSysFlag } from '../codes/flags';
import { ProtocolError } from '../errors/protocol-error';
import { copySmall, viewOf } from './buffer-view';
import { setLong } from './long';
import { MessageExt } from './message-ext';
import { MAX_PROPERTIES_BYTES } from './properties';
import { inflateBody } from './compression';

/*
 * Stored message record, magic V1 (MessageDecoder / CommitLog.DefaultAppendMessageCallback).
 * Offsets for IPv4 hosts; each IPv6 host (SYSFLAG 0x10 born, 0x20 store) adds 12 bytes after it.
 *
 *   0  int   TOTALSIZE          whole record, this field included
 *   4  int   MAGICCODE          0xDAA320A7 V1, 0xDAA320AB V2 (2-byte topic length)
 *   8  int   BODYCRC            CRC32 of the stored body & 0x7FFFFFFF
 *  12  int   QUEUEID
 *  16  int   FLAG
 *  20  long  QUEUEOFFSET
 *  28  long  PHYSICALOFFSET
 *  36  int   SYSFLAG
 *  40  long  BORNTIMESTAMP
 *  48  8|20  BORNHOST
 *  56  long  STORETIMESTAMP
 *  64  8|20  STOREHOST
 *  72  int   RECONSUMETIMES
 *  76  long  PREPARED TRANSACTION OFFSET
 *  84  int   BODYLENGTH, body
 *   …  byte  TOPICLENGTH (V1; short in V2), topic
 *   …  short PROPERTIESLENGTH, properties
 */
export const MESSAGE_MAGIC_V1 = 0xdaa320a7 | 0;
export const MESSAGE_MAGIC_V2 = 0xdaa320ab | 0;
/** Marks the unused end of a commit-log segment (never sent). */
export const BLANK_MAGIC = 0xcbd43194 | 0;

export const POS_TOTAL_SIZE = 0;
export const POS_MAGIC = 4;
export const POS_BODY_CRC = 8;
export const POS_QUEUE_ID = 12;
export const POS_FLAG = 16;
export const POS_QUEUE_OFFSET = 20;
export const POS_PHYSICAL_OFFSET = 28;
export const POS_SYS_FLAG = 36;
export const POS_BORN_TIMESTAMP = 40;
export const POS_BORN_HOST = 48;
/** Bytes before BODYLENGTH with IPv4 hosts. */
export const FIXED_PART_SIZE_V4 = 84;
/** A record with empty body, topic and properties (IPv4): 84 + 4 + 1 + 2. */
export const MIN_RECORD_SIZE = 91;
export const MAX_TOPIC_BYTES_V1 = 127;

export function bodyCrc(body: Buffer): number {
  return crc32(body) & 0x7fffffff;
}

export interface MessageRecordInput {
  queueId: number;
  flag: number;
  queueOffset: number;
  physicalOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  /** Encoded host field (8 bytes IPv4 or 20 bytes IPv6), see host-address.ts. */
  bornHost: Buffer;
  storeTimestamp: number;
  storeHost: Buffer;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Buffer;
  topic: string;
  /** `topic` encoded (UTF-8), when the caller keeps it: written as it is, not encoded per record. */
  topicBytes?: Buffer;
  properties: string;
  /**
   * Bytes stored right after `properties`, inside the same PROPERTIESLENGTH (a store's own trailing
   * entry, whole properties included): written as they are, so the text needs no concatenation.
   */
  propertiesTail?: Buffer;
  /** CRC of `body` when the caller already knows it. */
  bodyCrc?: number;
}

export interface RecordSize {
  total: number;
  topicBytes: number;
  propertiesBytes: number;
}

/** Size of the record `input` encodes to; throws when topic or properties exceed the V1 format. */
export function measureMessageRecord(input: MessageRecordInput): RecordSize {
  const topicBytes = input.topicBytes?.length ?? Buffer.byteLength(input.topic, 'utf8');
  const propertiesBytes = Buffer.byteLength(input.properties, 'utf8') + (input.propertiesTail?.length ?? 0);
  if (topicBytes > MAX_TOPIC_BYTES_V1)
    throw new ProtocolError(`topic of ${topicBytes} bytes exceeds 127`, 'MESSAGE_ILLEGAL');
  if (propertiesBytes > MAX_PROPERTIES_BYTES) {
    throw new ProtocolError(
      `properties of ${propertiesBytes} bytes exceed ${MAX_PROPERTIES_BYTES}`,
      'MESSAGE_ILLEGAL',
    );
  }
  const total =
    FIXED_PART_SIZE_V4 +
    (input.bornHost.length - 8) +
    (input.storeHost.length - 8) +
    4 +
    input.body.length +
    1 +
    topicBytes +
    2 +
    propertiesBytes;
  return { total, topicBytes, propertiesBytes };
}

/** Write `input` at `pos` of `target`; `size` from measureMessageRecord. Returns the record size. */
export function writeMessageRecord(
  target: Buffer,
  pos: number,
  input: MessageRecordInput,
  size: RecordSize,
): number {
  let sysFlag = input.sysFlag & ~(MessageSysFlag.BORNHOST_V6 | MessageSysFlag.STOREHOST_V6);
  if (input.bornHost.length > 8) sysFlag |= MessageSysFlag.BORNHOST_V6;
  if (input.storeHost.length > 8) sysFlag |= MessageSysFlag.STOREHOST_V6;
  const v = viewOf(target);
  v.setInt32(pos, size.total);
  v.setInt32(pos + POS_MAGIC, MESSAGE_MAGIC_V1);
  v.setInt32(pos + POS_BODY_CRC, input.bodyCrc ?? bodyCrc(input.body));
  v.setInt32(pos + POS_QUEUE_ID, input.queueId);
  v.setInt32(pos + POS_FLAG, input.flag);
  setLong(v, pos + POS_QUEUE_OFFSET, input.queueOffset);
  setLong(v, pos + POS_PHYSICAL_OFFSET, input.physicalOffset);
  v.setInt32(pos + POS_SYS_FLAG, sysFlag);
  setLong(v, pos + POS_BORN_TIMESTAMP, input.bornTimestamp);
  let p = pos + POS_BORN_HOST + copySmall(input.bornHost, target, pos + POS_BORN_HOST);
  setLong(v, p, input.storeTimestamp);
  p += 8;
  p += copySmall(input.storeHost, target, p);
  v.setInt32(p, input.reconsumeTimes);
  setLong(v, p + 4, input.preparedTransactionOffset);
  p += 12;
  v.setInt32(p, input.body.length);
  p += 4 + input.body.copy(target, p + 4);
  target[p] = size.topicBytes;
  const encodedTopic = input.topicBytes;
  if (encodedTopic === undefined) p += 1 + target.write(input.topic, p + 1, size.topicBytes, 'utf8');
  else p += 1 + copySmall(encodedTopic, target, p + 1);
  v.setUint16(p, size.propertiesBytes);
  p += 2;
  const tail = input.propertiesTail;
  if (tail === undefined) {
    if (size.propertiesBytes > 0) target.write(input.properties, p, size.propertiesBytes, 'utf8');
  } else {
    const textBytes = size.propertiesBytes - tail.length;
    if (textBytes > 0) target.write(input.properties, p, textBytes, 'utf8');
    copySmall(tail, target, p + textBytes);
  }
  return size.total;
}

export function encodeMessageRecord(input: MessageRecordInput): Buffer {
  const size = measureMessageRecord(input);
  const out = Buffer.allocUnsafe(size.total);
  writeMessageRecord(out, 0, input, size);
  return out;
}

/** Offset of STORETIMESTAMP in a record with the given SYSFLAG. */
export function storeTimestampPos(sysFlag: number): number {
  return (sysFlag & MessageSysFlag.BORNHOST_V6) !== 0 ? 68 : 56;
}

export interface DecodeOptions {
  /** Inflate compressed bodies (consumers); brokers keep bodies as stored. */
  inflate?: boolean;
  /** Verify BODYCRC (store recovery does; clients normally do not). */
  checkCrc?: boolean;
}

/**
 * Decode one record at `pos`. Trusts TOTALSIZE only if the fields end exactly there, so an
 * inconsistent record (like ali-ons' hand-made message_compress.bin) is rejected, never misread.
 */
export function decodeMessageRecord(buf: Buffer, pos = 0, options: DecodeOptions = {}): MessageExt {
  const avail = buf.length - pos;
  if (avail < MIN_RECORD_SIZE)
    throw new ProtocolError(`record needs ${MIN_RECORD_SIZE} bytes, ${avail} left`, 'RECORD_TRUNCATED');
  const total = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + POS_MAGIC);
  if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) {
    throw new ProtocolError(`bad magic 0x${(magic >>> 0).toString(16)} at ${pos}`, 'RECORD_BAD_MAGIC');
  }
  if (total < MIN_RECORD_SIZE || total > avail) {
    throw new ProtocolError(
      `record size ${total} at ${pos} does not fit the ${avail} bytes left`,
      'RECORD_TRUNCATED',
    );
  }
  const end = pos + total;
  const sysFlag = buf.readInt32BE(pos + POS_SYS_FLAG);
  const bornHostPos = pos + POS_BORN_HOST;
  const storeHostPos = bornHostPos + ((sysFlag & MessageSysFlag.BORNHOST_V6) !== 0 ? 20 : 8) + 8;
  let p = storeHostPos + ((sysFlag & MessageSysFlag.STOREHOST_V6) !== 0 ? 20 : 8);
  if (p + 16 > end)
    throw new ProtocolError(`record at ${pos} truncated in its fixed part`, 'RECORD_INCONSISTENT');
  const bodyLen = buf.readInt32BE(p + 12);
  p += 16;
  if (bodyLen < 0 || p + bodyLen + 1 > end) {
    throw new ProtocolError(
      `record at ${pos}: body length ${bodyLen} exceeds the record`,
      'RECORD_INCONSISTENT',
    );
  }
  let body = buf.subarray(p, p + bodyLen);
  p += bodyLen;
  if (options.checkCrc && bodyCrc(body) !== buf.readInt32BE(pos + POS_BODY_CRC))
    throw new ProtocolError(`record at ${pos}: body CRC mismatch`, 'RECORD_BAD_CRC');
  let topicLen: number;
  if (magic === MESSAGE_MAGIC_V1) {
    topicLen = buf.readUInt8(p);
    p += 1;
  } else {
    if (p + 2 > end)
      throw new ProtocolError(`record at ${pos} truncated at its topic`, 'RECORD_INCONSISTENT');
    topicLen = buf.readUInt16BE(p);
    p += 2;
  }
  if (p + topicLen + 2 > end)
    throw new ProtocolError(`record at ${pos}: topic exceeds the record`, 'RECORD_INCONSISTENT');
  const topicPos = p;
  p += topicLen;
  const propsLen = buf.readUInt16BE(p);
  p += 2;
  if (p + propsLen !== end) {
    throw new ProtocolError(
      `record at ${pos}: fields end at ${p + propsLen - pos}, TOTALSIZE says ${total}`,
      'RECORD_INCONSISTENT',
    );
  }
  if (options.inflate && (sysFlag & MessageSysFlag.COMPRESSED) !== 0) body = inflateBody(body, sysFlag);
  return new MessageExt(buf, pos, total, sysFlag, topicPos, topicLen, p, propsLen, body);
}

/** Decode consecutive records (a pull or query body); stops at the first record that fails. */
export function decodeMessageRecords(buf: Buffer, options: DecodeOptions = {}): MessageExt[] {
  const out: MessageExt[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let msg: MessageExt;
    try {
      msg = decodeMessageRecord(buf, pos, options);
    } catch {
      break;
    }
    out.push(msg);
    pos += msg.storeSize;
  }
  return out;
}

/** The properties string of the record at `pos`, without decoding the rest (broker-side SQL92 filtering). */
export function readRecordProperties(buf: Buffer, pos = 0): string {
  const sysFlag = buf.readInt32BE(pos + POS_SYS_FLAG);
  let p =
    pos + storeTimestampPos(sysFlag) + 8 + ((sysFlag & MessageSysFlag.STOREHOST_V6) !== 0 ? 20 : 8) + 12;
  p += 4 + buf.readInt32BE(p);
  p += 1 + buf.readUInt8(p);
  const len = buf.readUInt16BE(p);
  return buf.toString('utf8', p + 2, p + 2 + len);
}
