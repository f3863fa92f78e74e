import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MappedFileQueue } from '../mapped-file/mapped-file-queue';
import { CommitLogReadCache, READ_AHEAD_BYTES, READ_BLOCK_SIZE } from './read-cache';

const SEGMENT = 4 * READ_BLOCK_SIZE; // four full blocks per segment
const CAPACITY = 2 * READ_BLOCK_SIZE; // the cache holds two blocks

/** A byte that differs per block and position, so a reused block shows up as wrong bytes. */
const byteAt = (offset: number): number => (Math.floor(offset / READ_BLOCK_SIZE) * 31 + offset) & 0xff;

describe('CommitLogReadCache', () => {
  let dir: string;
  let files: MappedFileQueue;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-cache-'));
    files = new MappedFileQueue(dir, SEGMENT);
    const f = files.lastForAppend();
    const data = Buffer.alloc(SEGMENT);
    for (let block = 0; block < SEGMENT / READ_BLOCK_SIZE; block++) {
      const pattern = Buffer.from(Array.from({ length: 256 }, (_, i) => byteAt(block * READ_BLOCK_SIZE + i)));
      data.fill(pattern, block * READ_BLOCK_SIZE, (block + 1) * READ_BLOCK_SIZE);
    }
    f.append(data, 0, SEGMENT);
  });

  afterEach(() => {
    files.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectBytes = (view: Buffer | undefined, offset: number): void => {
    expect(view).toBeDefined();
    for (let i = 0; i < (view as Buffer).length; i += 4099) {
      expect((view as Buffer)[i]).toBe(byteAt(offset + i));
    }
  };

  it('reuses an evicted block that no pull response holds', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const first = cache.read(100, 64) as Buffer;
    const second = cache.read(READ_BLOCK_SIZE + 100, 64) as Buffer;
    const third = cache.read(2 * READ_BLOCK_SIZE + 100, 64) as Buffer; // evicts block 0 and takes its memory
    const fourth = cache.read(3 * READ_BLOCK_SIZE + 100, 64) as Buffer; // the same with block 1
    expect(third.buffer === first.buffer).toBe(true);
    expect(fourth.buffer === second.buffer).toBe(true);
    expectBytes(third, 2 * READ_BLOCK_SIZE + 100);
    expectBytes(fourth, 3 * READ_BLOCK_SIZE + 100);
  });

  it('keeps a pinned block out of reuse until its pins are released', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const pins = cache.newPins();
    const held = cache.readPinned(100, 4096, pins) as Buffer;
    // Walk the rest of the segment twice: block 0 is evicted, and every other block churns through the pool.
    for (let round = 0; round < 2; round++) {
      for (let b = 1; b < 4; b++) {
        const view = cache.read(b * READ_BLOCK_SIZE + 200, 4096) as Buffer;
        expect(view.buffer === held.buffer).toBe(false);
        expectBytes(view, b * READ_BLOCK_SIZE + 200);
      }
    }
    expectBytes(held, 100);
    const pooled = cache.pooledBlocks;
    pins.release();
    pins.release(); // idempotent
    expect(cache.pooledBlocks).toBe(pooled + 1);
  });

  it('copies a record that spans two blocks, so it needs no pin', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const pins = cache.newPins();
    const at = READ_BLOCK_SIZE - 1000;
    const spanning = cache.readPinned(at, 3000, pins) as Buffer;
    expectBytes(spanning, at);
    for (let b = 2; b < 4; b++) cache.read(b * READ_BLOCK_SIZE, 64);
    expectBytes(spanning, at);
  });

  it('fills blocks from writes and serves them without reading the file', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const f = files.last!;
    const src = Buffer.alloc(1024, 7);
    // Block 0 starts at position 0, so the write is cached; the file still holds the original bytes.
    cache.populate(f, 0, src, 0, src.length);
    expect(cache.read(0, 1024)?.equals(src)).toBe(true);
  });

  it('lends a block for records built in place: what settles is cached, the rest is read from the file', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const f = files.last!;
    const reads = vi.spyOn(f, 'readInto');
    expect(cache.lend(f, 100, 64)).toBeUndefined(); // no block whose bytes are known up to 100
    const mem = cache.lend(f, 0, 4096) as Buffer;
    expect(mem.length).toBe(READ_BLOCK_SIZE);
    expect(cache.lend(f, 4096, 64)).toBeUndefined(); // one loan at a time
    mem.fill(9, 0, 3000);
    cache.settle(3000);
    expect(cache.read(0, 3000)?.equals(Buffer.alloc(3000, 9))).toBe(true);
    expect(reads).not.toHaveBeenCalled();
    // The next loan starts where the last one settled; none crosses the block's end.
    expect(cache.lend(f, READ_BLOCK_SIZE - 10, 64)).toBeUndefined(); // bytes before it unknown
    expect(cache.lend(f, 3000, READ_BLOCK_SIZE - 3000 + 1)).toBeUndefined(); // would cross the end
    const next = cache.lend(f, 3000, 100) as Buffer;
    expect(next.byteOffset - mem.byteOffset).toBe(3000);
    cache.settle(0);
    expectBytes(cache.read(3000, 100), 3000); // nothing settled: from the file
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('keeps a lent block out of reuse when it is evicted during the loan, and caches none of it', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const f = files.last!;
    const mem = cache.lend(f, 0, 64) as Buffer;
    mem.fill(5, 0, 64);
    for (let b = 1; b < 4; b++)
      expectBytes(cache.read(b * READ_BLOCK_SIZE + 10, 64), b * READ_BLOCK_SIZE + 10);
    expect(mem.subarray(0, 64).equals(Buffer.alloc(64, 5))).toBe(true); // not reused for other bytes
    const pooled = cache.pooledBlocks;
    cache.settle(64);
    expect(cache.pooledBlocks).toBe(pooled + 1);
    expectBytes(cache.read(0, 64), 0); // evicted: read again from the file
  });

  it('reads ahead on a miss, so consecutive records share one read()', () => {
    const cache = new CommitLogReadCache(files, CAPACITY);
    const reads = vi.spyOn(files.last!, 'readInto');
    for (let at = 0; at < 200 * 1024; at += 1000) expectBytes(cache.read(at, 1000), at);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls[0]?.[2]).toBe(READ_AHEAD_BYTES);
  });

  it('never reads ahead past the bytes written', () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'read-cache-tail-'));
    const tailFiles = new MappedFileQueue(dir2, SEGMENT);
    try {
      const f = tailFiles.lastForAppend();
      f.append(Buffer.alloc(10_000, 1), 0, 10_000);
      const cache = new CommitLogReadCache(tailFiles, CAPACITY);
      const reads = vi.spyOn(f, 'readInto');
      expect(cache.read(0, 100)?.equals(Buffer.alloc(100, 1))).toBe(true);
      expect(reads.mock.calls[0]?.[2]).toBe(10_000);
      expect(cache.read(10_000, 1)).toBeUndefined();
      f.append(Buffer.alloc(5_000, 2), 0, 5_000);
      expect(cache.read(9_990, 20)?.equals(Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]))).toBe(
        true,
      );
      expect(reads.mock.calls[1]?.slice(1)).toEqual([10_000, 5_000, 10_000]);
    } finally {
      tailFiles.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
