import { describe, expect, it } from 'vitest';
import { copySmall, viewOf } from './buffer-view';
import { readLong, setLong, writeLong } from './long';

describe('buffer views', () => {
  it('address the buffer, not its pool: a slice at an offset of a shared ArrayBuffer', () => {
    const pool = Buffer.alloc(64);
    const slice = pool.subarray(16, 32);
    viewOf(slice).setInt32(0, 0x01020304);
    expect([...pool.subarray(16, 20)]).toEqual([1, 2, 3, 4]);
    expect(() => viewOf(slice).setInt32(14, 1)).toThrow(RangeError);
  });

  it('follow the buffer asked about when callers alternate', () => {
    const a = Buffer.alloc(8);
    const b = Buffer.alloc(8);
    viewOf(a).setInt32(0, 1);
    viewOf(b).setInt32(0, 2);
    viewOf(a).setInt32(4, 3);
    expect(a.readInt32BE(0)).toBe(1);
    expect(a.readInt32BE(4)).toBe(3);
    expect(b.readInt32BE(0)).toBe(2);
  });

  it('write 64-bit fields as writeLong does, negative ones included', () => {
    for (const n of [0, 1, 2 ** 32, 2 ** 32 + 5, 2 ** 53 - 1, -1, -(2 ** 40) - 3, 1_763_800_000_123]) {
      const viaView = Buffer.alloc(8);
      const viaBuffer = Buffer.alloc(8);
      setLong(viewOf(viaView), 0, n);
      writeLong(viaBuffer, 0, n);
      expect(viaView).toEqual(viaBuffer);
      expect(readLong(viaView, 0)).toBe(n);
    }
  });

  it('copy small fields', () => {
    const target = Buffer.alloc(12);
    expect(copySmall(Buffer.from([9, 8, 7]), target, 5)).toBe(3);
    expect([...target]).toEqual([0, 0, 0, 0, 0, 9, 8, 7, 0, 0, 0, 0]);
  });
});
