import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SerializeType } from '../codes/flags';
import { createRequest, type RemotingCommand } from './command';
import { encodeFrameToBuffer } from './frame-codec';
import { FrameDecoder } from './frame-decoder';
import { FrameReader } from './frame-reader';

/** Small frames, a frame larger than the scratch buffer and one a little over the direct-read threshold. */
const frames = [
  encodeFrameToBuffer({ ...createRequest(310, { a: 'g' }, Buffer.from('body bytes')), opaque: 7 }),
  encodeFrameToBuffer({ ...createRequest(11, { x: '1' }, undefined, SerializeType.ROCKETMQ), opaque: 8 }),
  encodeFrameToBuffer({ ...createRequest(11, { big: 'y' }, Buffer.alloc(40_000, 0x61)), opaque: 9 }),
  encodeFrameToBuffer({ ...createRequest(12, {}, Buffer.alloc(8_300, 0x62)), opaque: 10 }),
  encodeFrameToBuffer({ ...createRequest(13, { z: 'q' }), opaque: 11 }),
];
const stream = Buffer.concat(frames);
/** Commands compared by value, bodies by length and CRC: deep equality of 40 KB bodies byte by byte is slow. */
const summary = (cmds: RemotingCommand[]): unknown[] =>
  cmds.map((c) => ({ ...c, body: c.body && [c.body.length, crc32(c.body)] }));
const decoded = new FrameDecoder().push(stream);
const expected = summary(decoded);

/**
 * Feeds `stream` as a socket would: each read fills at most `sizes[i]` bytes of the buffer the reader
 * chose; the scratch is then overwritten, so a command still pointing into it shows wrong bytes.
 */
function readAll(reader: FrameReader, sizes: (i: number) => number): unknown[] {
  const got: RemotingCommand[] = [];
  let pos = 0;
  for (let i = 0; pos < stream.length; i++) {
    const target = reader.nextBuffer();
    const n = Math.min(sizes(i), target.length, stream.length - pos);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    got.push(...reader.onRead(n));
    reader.nextBuffer().fill(0xee, 0, Math.min(64, reader.nextBuffer().length));
  }
  return summary(got);
}

describe('FrameReader', () => {
  it('decodes what FrameDecoder decodes when reads are as large as the scratch', () => {
    expect(decoded.map((c) => c.opaque)).toEqual([7, 8, 9, 10, 11]);
    expect(readAll(new FrameReader(16 * 1024), () => Number.MAX_SAFE_INTEGER)).toEqual(expected);
  });

  it('gives the same commands whatever the size of each read, scratch reuse included', () => {
    for (const size of [1, 2, 3, 5, 7, 64, 1000, 4093, 8191, 8192, 8193, 16384]) {
      const reader = new FrameReader(16 * 1024);
      expect(readAll(reader, () => size)).toEqual(expected);
      expect(reader.bufferedBytes).toBe(0);
    }
  });

  it('gives the same commands when the stream is cut once anywhere near a frame boundary', () => {
    // Every cut within 40 bytes of a frame boundary (length words, headers), every 61st elsewhere.
    const boundaries: number[] = [];
    for (let at = 0, i = 0; i < frames.length; at += (frames[i] as Buffer).length, i++) boundaries.push(at);
    const near = (cut: number): boolean => boundaries.some((b) => Math.abs(cut - b) <= 40);
    for (let cut = 1; cut < stream.length; cut++) {
      if (!near(cut) && cut % 61 !== 0) continue;
      const reader = new FrameReader(64 * 1024);
      let first = true;
      const got = readAll(reader, () => {
        const n = first ? cut : Number.MAX_SAFE_INTEGER;
        first = false;
        return n;
      });
      expect(got).toEqual(expected);
    }
  });

  it('reads the tail of a large frame straight into the frame, and small tails into the scratch', () => {
    const reader = new FrameReader(1024);
    const scratch = reader.nextBuffer();
    const big = frames[2] as Buffer;
    big.copy(scratch, 0, 0, 1024);
    expect(reader.onRead(1024)).toEqual([]);
    const direct = reader.nextBuffer();
    expect(direct.buffer).not.toBe(scratch.buffer);
    expect(direct.length).toBe(big.length - 1024);
    big.copy(direct, 0, 1024, big.length - 100);
    expect(reader.onRead(big.length - 1124)).toEqual([]);
    expect(reader.nextBuffer()).toBe(scratch); // 100 bytes left: one read may also bring the next frames
    big.copy(scratch, 0, big.length - 100);
    const [cmd] = reader.onRead(100);
    expect(cmd?.opaque).toBe(9);
    expect(cmd?.body?.equals(Buffer.alloc(40_000, 0x61))).toBe(true);
  });

  it('copies what push() keeps, so the caller may reuse its buffer', () => {
    const reader = new FrameReader(1024);
    const chunk = Buffer.from(stream.subarray(0, frames[0]!.length + 10));
    const [first] = reader.push(chunk);
    chunk.fill(0);
    expect(first?.body?.toString()).toBe('body bytes');
    expect(reader.bufferedBytes).toBe(10);
    expect(summary(reader.push(stream.subarray(frames[0]!.length + 10)))).toEqual(expected.slice(1));
  });

  it('rejects a length beyond the cap before allocating, even split across reads', () => {
    const head = Buffer.alloc(8);
    head.writeInt32BE(2048, 0);
    const reader = new FrameReader(1024, 1024);
    expect(reader.push(head.subarray(0, 2))).toEqual([]);
    expect(() => reader.push(head.subarray(2))).toThrow(/exceeds the limit of 1024/);
    expect(() => new FrameReader(64).push(Buffer.from('0000000200000000', 'hex'))).toThrow(/smaller than/);
  });
});
