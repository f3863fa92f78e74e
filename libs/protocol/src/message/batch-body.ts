import { ProtocolError } from '../errors/protocol-error';
import { viewOf } from './buffer-view';

/*
 * SEND_BATCH_MESSAGE body (MessageDecoder.encodeMessage), one entry per message:
 *
 *   0  int    TOTALSIZE   = 20 + bodyLength + propertiesLength
 *   4  int    MAGICCODE   written as 0
 *   8  int    BODYCRC     written as 0
 *  12  int    FLAG
 *  16  int    BODYLENGTH, body
 *   …  short  PROPERTIESLENGTH, properties
 */
export const BATCH_ENTRY_OVERHEAD = 22;

export interface BatchEntry {
  flag: number;
  body: Buffer;
  /** Encoded properties string (§7.4). */
  properties: string;
}

export function encodeBatchBody(entries: readonly BatchEntry[]): Buffer {
  // Property lengths first (they precede the text); the text is then written in place, not via a Buffer each.
  const n = entries.length;
  const propLens = new Array<number>(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i] as BatchEntry;
    const propLen = Buffer.byteLength(e.properties, 'utf8');
    propLens[i] = propLen;
    size += BATCH_ENTRY_OVERHEAD + e.body.length + propLen;
  }
  const out = Buffer.allocUnsafe(size);
  const v = viewOf(out);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i] as BatchEntry;
    const body = e.body;
    const propLen = propLens[i] as number;
    v.setInt32(p, 20 + body.length + propLen);
    v.setInt32(p + 4, 0);
    v.setInt32(p + 8, 0);
    v.setInt32(p + 12, e.flag);
    v.setInt32(p + 16, body.length);
    out.set(body, p + 20);
    p += 20 + body.length;
    v.setUint16(p, propLen);
    p += 2 + out.write(e.properties, p + 2, propLen, 'utf8');
  }
  return out;
}

export function decodeBatchBody(buf: Buffer): BatchEntry[] {
  const out: BatchEntry[] = [];
  let p = 0;
  while (p < buf.length) {
    if (buf.length - p < BATCH_ENTRY_OVERHEAD)
      throw new ProtocolError(`batch entry at ${p} is truncated`, 'BATCH_MALFORMED');
    const total = buf.readInt32BE(p);
    const flag = buf.readInt32BE(p + 12);
    const bodyLen = buf.readInt32BE(p + 16);
    if (bodyLen < 0 || p + 20 + bodyLen + 2 > buf.length) {
      throw new ProtocolError(
        `batch entry at ${p}: body length ${bodyLen} exceeds the batch`,
        'BATCH_MALFORMED',
      );
    }
    const body = buf.subarray(p + 20, p + 20 + bodyLen);
    const propsLen = buf.readUInt16BE(p + 20 + bodyLen);
    const propsStart = p + 22 + bodyLen;
    if (propsStart + propsLen > buf.length || total !== 20 + bodyLen + propsLen) {
      throw new ProtocolError(
        `batch entry at ${p}: TOTALSIZE ${total} does not match its fields`,
        'BATCH_MALFORMED',
      );
    }
    out.push({ flag, body, properties: buf.toString('utf8', propsStart, propsStart + propsLen) });
    p = propsStart + propsLen;
  }
  return out;
}
