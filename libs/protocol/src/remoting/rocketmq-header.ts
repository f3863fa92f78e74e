import { ProtocolError } from '../errors/protocol-error';
import { SerializeType } from '../codes/flags';
import { languageFromByte, languageToByte } from '../codes/language-code';
import type { RemotingCommand } from './command';

/*
 * ROCKETMQ binary header (serialize type 1), RocketMQSerializable.java:
 *
 *   0  short  code
 *   2  byte   language
 *   3  short  version
 *   5  int    opaque
 *   9  int    flag
 *  13  int    remarkLength, then remark UTF-8 (0 = no remark)
 *   …  int    extFieldsLength = bytes of the entries that follow
 *   …  entries: short keyLength, key UTF-8, int valueLength, value UTF-8
 *
 * A zero-length string decodes as null, so empty values are dropped (as Java does).
 */
export const ROCKETMQ_HEADER_MIN_SIZE = 21;

/** `reserve` bytes are left free before the header (the frame prefix), to avoid a copy. */
export function encodeRocketMqHeader(cmd: RemotingCommand, reserve = 0): Buffer {
  const remarkLen = cmd.remark ? Buffer.byteLength(cmd.remark, 'utf8') : 0;
  // Sized first, then written in place: one allocation per header on the send hot path.
  let extLen = 0;
  const ext =
    cmd.extFields ??
    (cmd.extFieldsJson !== undefined ? (JSON.parse(cmd.extFieldsJson) as Record<string, string>) : undefined);
  if (ext) {
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined || value === null) continue;
      extLen += 6 + Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
    }
  }
  const out = Buffer.allocUnsafe(reserve + ROCKETMQ_HEADER_MIN_SIZE + remarkLen + extLen);
  const r = reserve;
  out.writeInt16BE(cmd.code, r);
  out.writeUInt8(languageToByte(cmd.language), r + 2);
  out.writeInt16BE(cmd.version, r + 3);
  out.writeInt32BE(cmd.opaque, r + 5);
  out.writeInt32BE(cmd.flag, r + 9);
  out.writeInt32BE(remarkLen, r + 13);
  let pos = r + 17;
  if (remarkLen > 0) pos += out.write(cmd.remark as string, pos, 'utf8');
  out.writeInt32BE(extLen, pos);
  pos += 4;
  if (ext) {
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined || value === null) continue;
      const kl = out.write(key, pos + 2, 'utf8');
      out.writeUInt16BE(kl, pos);
      pos += 2 + kl;
      const vl = out.write(value, pos + 4, 'utf8');
      out.writeInt32BE(vl, pos);
      pos += 4 + vl;
    }
  }
  return out;
}

export function decodeRocketMqHeader(h: Buffer): Omit<RemotingCommand, 'body'> {
  if (h.length < ROCKETMQ_HEADER_MIN_SIZE) {
    throw new ProtocolError(`binary header of ${h.length} bytes is shorter than ${ROCKETMQ_HEADER_MIN_SIZE}`);
  }
  const code = h.readInt16BE(0);
  const language = languageFromByte(h.readUInt8(2));
  const version = h.readInt16BE(3);
  const opaque = h.readInt32BE(5);
  const flag = h.readInt32BE(9);
  const remarkLen = h.readInt32BE(13);
  let pos = 17;
  if (remarkLen < 0 || pos + remarkLen + 4 > h.length) {
    throw new ProtocolError(`binary header remark length ${remarkLen} exceeds the header`);
  }
  const remark = remarkLen > 0 ? h.toString('utf8', pos, pos + remarkLen) : undefined;
  pos += remarkLen;
  const extLen = h.readInt32BE(pos);
  pos += 4;
  if (extLen < 0 || pos + extLen > h.length) {
    throw new ProtocolError(`binary header extFields length ${extLen} exceeds the header`);
  }
  const end = pos + extLen;
  let extFields: Record<string, string> | undefined;
  if (extLen > 0) {
    extFields = {};
    while (pos < end) {
      if (pos + 2 > end) throw new ProtocolError('binary header: truncated extFields key length');
      const kl = h.readUInt16BE(pos);
      pos += 2;
      if (pos + kl + 4 > end) throw new ProtocolError('binary header: truncated extFields key');
      const key = h.toString('utf8', pos, pos + kl);
      pos += kl;
      const vl = h.readInt32BE(pos);
      pos += 4;
      if (vl < 0 || pos + vl > end) throw new ProtocolError('binary header: truncated extFields value');
      if (kl > 0 && vl > 0) extFields[key] = h.toString('utf8', pos, pos + vl);
      pos += vl;
    }
  }
  return { code, language, version, opaque, flag, remark, extFields, serializeType: SerializeType.ROCKETMQ };
}
