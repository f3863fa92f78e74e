import { SerializeType } from '../codes/flags';
import { ProtocolError } from '../errors/protocol-error';
import type { RemotingCommand } from './command';
import { decodeJsonHeader, encodeJsonHeader } from './json-header';
import { decodeRocketMqHeader, encodeRocketMqHeader } from './rocketmq-header';

/*
 * Frame (NettyEncoder / RemotingCommand.encode):
 *
 *   0  int  length           bytes that follow this field = 4 + headerLength + bodyLength
 *   4  int  headerLenAndType high byte = serialize type (0 JSON, 1 ROCKETMQ), low 24 bits = header length
 *   8  …    header
 *   …  …    body (may be empty)
 */
export const FRAME_PREFIX_SIZE = 8;
/** Java's `com.rocketmq.remoting.frameMaxLength`: whole frame, length field included. */
export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024; // 16 MiB
const HEADER_LENGTH_MASK = 0xffffff;

/**
 * Encode to the buffers to write: `[prefix + header]` or `[prefix + header, body]`. The body is not
 * copied, so a caller may hand both to one `writev`/cork.
 */
export function encodeFrame(cmd: RemotingCommand): Buffer[] {
  const parts = cmd.bodyParts;
  let bodyLen = cmd.body ? cmd.body.length : 0;
  if (parts) {
    bodyLen = 0;
    for (const p of parts) bodyLen += p.length;
  }
  let head: Buffer;
  if (cmd.serializeType === SerializeType.ROCKETMQ) {
    head = encodeRocketMqHeader(cmd, FRAME_PREFIX_SIZE);
    writePrefix(head, head.length - FRAME_PREFIX_SIZE, bodyLen, SerializeType.ROCKETMQ);
  } else {
    const json = encodeJsonHeader(cmd);
    const headerLen = Buffer.byteLength(json, 'utf8');
    head = Buffer.allocUnsafe(FRAME_PREFIX_SIZE + headerLen);
    head.write(json, FRAME_PREFIX_SIZE, 'utf8');
    writePrefix(head, headerLen, bodyLen, SerializeType.JSON);
  }
  if (parts) return [head, ...parts];
  return bodyLen > 0 ? [head, cmd.body as Buffer] : [head];
}

export function encodeFrameToBuffer(cmd: RemotingCommand): Buffer {
  const parts = encodeFrame(cmd);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

function writePrefix(head: Buffer, headerLen: number, bodyLen: number, type: number): void {
  head.writeInt32BE(4 + headerLen + bodyLen, 0);
  head.writeInt32BE(((type << 24) | (headerLen & HEADER_LENGTH_MASK)) >>> 0, 4);
}

/** Decode one frame whose 4-byte length field has already been removed. */
export function decodeFramePayload(payload: Buffer): RemotingCommand {
  if (payload.length < 4) throw new ProtocolError(`frame of ${payload.length} bytes has no header length`);
  const word = payload.readUInt32BE(0);
  const type = word >>> 24;
  const headerLen = word & HEADER_LENGTH_MASK;
  if (headerLen > payload.length - 4) {
    throw new ProtocolError(
      `header length ${headerLen} exceeds the frame (${payload.length - 4} bytes left)`,
    );
  }
  const headerBytes = payload.subarray(4, 4 + headerLen);
  let cmd: RemotingCommand;
  if (type === SerializeType.JSON) cmd = decodeJsonHeader(headerBytes) as RemotingCommand;
  else if (type === SerializeType.ROCKETMQ) cmd = decodeRocketMqHeader(headerBytes) as RemotingCommand;
  else throw new ProtocolError(`unknown serialize type ${type}`, 'UNKNOWN_SERIALIZE_TYPE');
  if (payload.length > 4 + headerLen) cmd.body = payload.subarray(4 + headerLen);
  return cmd;
}
