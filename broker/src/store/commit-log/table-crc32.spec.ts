import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tableCrc32 } from './table-crc32';

describe('tableCrc32', () => {
  const data = randomBytes(4096);
  const other = randomBytes(512);

  it('equals zlib.crc32 for every length up to 300 bytes and any start', () => {
    for (let len = 0; len <= 300; len++) {
      const start = (len * 7) % 64;
      const expected = crc32(data.subarray(start, start + len)) | 0;
      expect(tableCrc32(data, start, start + len)).toBe(expected);
    }
  });

  it('continues a CRC across ranges as zlib does', () => {
    const whole = crc32(Buffer.concat([data.subarray(10, 93), data.subarray(500, 1700)])) | 0;
    expect(tableCrc32(data, 500, 1700, tableCrc32(data, 10, 93))).toBe(whole);
    expect(tableCrc32(data, 0, 4096)).toBe(crc32(data) | 0);
  });

  it('reads each buffer through its own view when calls alternate between buffers', () => {
    for (let i = 0; i < 3; i++) {
      expect(tableCrc32(data, 3, 203)).toBe(crc32(data.subarray(3, 203)) | 0);
      expect(tableCrc32(other, 1, 301)).toBe(crc32(other.subarray(1, 301)) | 0);
      const pooled = Buffer.from('a pooled buffer: its view starts at a byteOffset inside the pool');
      expect(tableCrc32(pooled, 2, pooled.length)).toBe(crc32(pooled.subarray(2)) | 0);
    }
  });
});
