import type { MappedFile } from '../mapped-file/mapped-file';
import type { MappedFileQueue } from '../mapped-file/mapped-file-queue';

/** Cache granularity: consumers of different queues walk the same region, so they share blocks. */
export const READ_BLOCK_SIZE = 4 * 1024 * 1024; // 4 MiB

interface Block {
  buf: Buffer;
  /** Bytes of `buf` read from the file; the tail block grows as the log grows. */
  valid: number;
}

/**
 * Recently read commit-log blocks, least recently used evicted first. Node has no mmap, so this
 * stands in for RocketMQ's page-cache reads: each byte crosses the syscall boundary once, and pulls
 * get zero-copy slices. Blocks never straddle segments (records never do either).
 */
export class CommitLogReadCache {
  private readonly blocks = new Map<number, Block>();
  private readonly maxBlocks: number;

  constructor(
    private readonly files: MappedFileQueue,
    capacityBytes: number,
  ) {
    this.maxBlocks = Math.max(2, Math.floor(capacityBytes / READ_BLOCK_SIZE));
  }

  /** Bytes [offset, offset + size) if written; a slice of the cache unless it spans two blocks. */
  read(offset: number, size: number): Buffer | undefined {
    const file = this.files.findByOffset(offset);
    if (!file || offset + size > file.fileFromOffset + file.wrotePosition) return undefined;
    const inFile = offset - file.fileFromOffset;
    const blockStart = inFile - (inFile % READ_BLOCK_SIZE);
    const blockLen = Math.min(READ_BLOCK_SIZE, file.fileSize - blockStart);
    if (inFile + size <= blockStart + blockLen) {
      const block = this.block(
        file.fileFromOffset + blockStart,
        blockLen,
        inFile + size - blockStart,
        (into, from, len) => file.readInto(into, from, len, blockStart + from),
      );
      return block.buf.subarray(inFile - blockStart, inFile - blockStart + size);
    }
    const first = this.read(offset, blockStart + blockLen - inFile);
    const rest = this.read(
      file.fileFromOffset + blockStart + blockLen,
      inFile + size - blockStart - blockLen,
    );
    return first && rest ? Buffer.concat([first, rest]) : undefined;
  }

  clear(): void {
    this.blocks.clear();
  }

  /**
   * Copy bytes just written into their blocks, so consumers of fresh data (tailing, or draining a
   * backlog just produced) are served from memory without a read(). Only blocks whose bytes are
   * known from their start are kept; others fill from the file on first read as usual.
   */
  populate(file: MappedFile, position: number, src: Buffer, srcOffset: number, len: number): void {
    let pos = position;
    let from = srcOffset;
    let left = len;
    while (left > 0) {
      const blockStart = pos - (pos % READ_BLOCK_SIZE);
      const blockLen = Math.min(READ_BLOCK_SIZE, file.fileSize - blockStart);
      const n = Math.min(left, blockStart + blockLen - pos);
      const key = file.fileFromOffset + blockStart;
      let b = this.blocks.get(key);
      if (!b && pos === blockStart) {
        b = { buf: Buffer.allocUnsafe(blockLen), valid: 0 };
        this.insert(key, b);
      }
      if (b && b.valid === pos - blockStart) {
        src.copy(b.buf, b.valid, from, from + n);
        b.valid += n;
      }
      pos += n;
      from += n;
      left -= n;
    }
  }

  private insert(key: number, b: Block): void {
    if (this.blocks.size >= this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value as number);
    this.blocks.set(key, b);
  }

  private block(
    key: number,
    len: number,
    need: number,
    fill: (into: Buffer, from: number, len: number) => number,
  ): Block {
    let b = this.blocks.get(key);
    if (b) {
      this.blocks.delete(key);
      this.blocks.set(key, b);
    } else {
      b = { buf: Buffer.allocUnsafe(len), valid: 0 };
      this.insert(key, b);
    }
    if (b.valid < need) b.valid += fill(b.buf, b.valid, need - b.valid);
    return b;
  }
}
