import { viewOf } from '@rocketts/protocol';

/*
 * CRC-32 (the zlib polynomial, same values as zlib.crc32) computed in JS, slicing by 16: four
 * little-endian words per step through a DataView (one load each instead of four byte loads), sixteen
 * 256-entry tables (16 KiB, cached in L1). Node's zlib.crc32 costs ~150 ns per call before it reads a
 * byte, so for the ~200 bytes around a record's body this is 3–4× cheaper (~125 ns per record, 176 by
 * slicing by 8 with byte loads, 448 with the copy the native call needed to join the two ranges); for
 * a 1 KiB body the native call wins (313 ns) and stays.
 */

const SLICES = 16;
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  // Table k: the CRC of byte n followed by k zero bytes.
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < SLICES; k++) {
      const prev = t[(k - 1) * 256 + n] as number;
      t[k * 256 + n] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  return t;
}

/** CRC-32 of buf[start, end) continuing from `crc` (0 to start), as a signed 32-bit value. */
export function tableCrc32(buf: Buffer, start: number, end: number, crc = 0): number {
  const t = TABLES;
  const v = viewOf(buf);
  let c = ~crc;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    const a = c ^ v.getInt32(i, true);
    const b = v.getInt32(i + 4, true);
    const d = v.getInt32(i + 8, true);
    const e = v.getInt32(i + 12, true);
    c =
      (t[3840 + (a & 0xff)] as number) ^
      (t[3584 + ((a >>> 8) & 0xff)] as number) ^
      (t[3328 + ((a >>> 16) & 0xff)] as number) ^
      (t[3072 + (a >>> 24)] as number) ^
      (t[2816 + (b & 0xff)] as number) ^
      (t[2560 + ((b >>> 8) & 0xff)] as number) ^
      (t[2304 + ((b >>> 16) & 0xff)] as number) ^
      (t[2048 + (b >>> 24)] as number) ^
      (t[1792 + (d & 0xff)] as number) ^
      (t[1536 + ((d >>> 8) & 0xff)] as number) ^
      (t[1280 + ((d >>> 16) & 0xff)] as number) ^
      (t[1024 + (d >>> 24)] as number) ^
      (t[768 + (e & 0xff)] as number) ^
      (t[512 + ((e >>> 8) & 0xff)] as number) ^
      (t[256 + ((e >>> 16) & 0xff)] as number) ^
      (t[e >>> 24] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c;
}
