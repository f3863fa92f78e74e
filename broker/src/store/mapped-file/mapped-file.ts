import {
  closeSync,
  fdatasync,
  ftruncateSync,
  fstatSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** fdatasyncs of one file allowed to run at once (libuv's pool has 4 threads). */
const MAX_SYNCS_IN_FLIGHT = 2;

/** Segment files are named by the offset of their first byte, 20 digits (as RocketMQ's UtilAll.offset2FileName). */
export function offsetToFileName(offset: number): string {
  return String(offset).padStart(20, '0');
}

/**
 * One fixed-size segment of a log (MappedFile.java). Node has no mmap, so bytes go through
 * positional write()/read() on one descriptor: a write is in the kernel page cache when it returns,
 * which is what ASYNC_FLUSH acknowledges; `flush()` adds the fdatasync that SYNC_FLUSH waits for.
 */
export class MappedFile {
  readonly path: string;
  /** Bytes handed to the kernel. */
  wrotePosition = 0;
  /** Bytes known to be on disk. */
  flushedPosition = 0;
  private fd: number;
  /** The fdatasync started last while it runs, the write position it covers, and all that run. */
  private flushing: Promise<number> | undefined;
  private flushingTo = 0;
  private readonly syncs = new Set<Promise<number>>();

  private constructor(
    dir: string,
    readonly fileFromOffset: number,
    readonly fileSize: number,
    fd: number,
  ) {
    this.path = join(dir, offsetToFileName(fileFromOffset));
    this.fd = fd;
  }

  /** Create a new, empty segment (sparse: the size is reserved with ftruncate, not written). */
  static create(dir: string, fileFromOffset: number, fileSize: number): MappedFile {
    const fd = openSync(join(dir, offsetToFileName(fileFromOffset)), 'wx+');
    ftruncateSync(fd, fileSize);
    return new MappedFile(dir, fileFromOffset, fileSize, fd);
  }

  /** Open an existing segment; a short file (torn by a crash or an operator) is extended with zeros. */
  static open(dir: string, fileFromOffset: number, fileSize: number): MappedFile {
    const fd = openSync(join(dir, offsetToFileName(fileFromOffset)), 'r+');
    if (fstatSync(fd).size !== fileSize) ftruncateSync(fd, fileSize);
    return new MappedFile(dir, fileFromOffset, fileSize, fd);
  }

  get fileEndOffset(): number {
    return this.fileFromOffset + this.fileSize;
  }

  get isFull(): boolean {
    return this.wrotePosition >= this.fileSize;
  }

  /** Write `len` bytes of `src` at the current write position. */
  append(src: Buffer, srcOffset: number, len: number): void {
    let done = 0;
    while (done < len) {
      done += writeSync(this.fd, src, srcOffset + done, len - done, this.wrotePosition + done);
    }
    this.wrotePosition += len;
  }

  /** Write at an absolute position inside the file (consume-queue units, index slots). */
  writeAt(position: number, src: Buffer, srcOffset = 0, len = src.length - srcOffset): void {
    let done = 0;
    while (done < len) done += writeSync(this.fd, src, srcOffset + done, len - done, position + done);
  }

  /** Read `len` bytes at `position` (relative to the file) into a new buffer; short at the file end. */
  read(position: number, len: number): Buffer {
    const n = Math.max(0, Math.min(len, this.fileSize - position));
    const out = Buffer.allocUnsafe(n);
    this.readInto(out, 0, n, position);
    return out;
  }

  readInto(target: Buffer, targetOffset: number, len: number, position: number): number {
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, target, targetOffset + done, len - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /**
   * fdatasync what has been written; resolves with the flushed position. A caller whose bytes an
   * fdatasync under way already covers shares it; otherwise a new one starts at once, alongside it
   * (each covers what was written before it started), up to MAX_SYNCS_IN_FLIGHT — waiting for the
   * one under way to finish first left the disk idle while the event loop was busy.
   */
  flush(): Promise<number> {
    if (this.flushedPosition >= this.wrotePosition) return Promise.resolve(this.flushedPosition);
    const target = this.wrotePosition;
    const latest = this.flushing;
    if (latest && this.flushingTo >= target) return latest;
    if (latest && this.syncs.size >= MAX_SYNCS_IN_FLIGHT) return latest.then(() => this.flush());
    this.flushingTo = target;
    const sync = new Promise<number>((resolve, reject) => {
      fdatasync(this.fd, (err) => {
        this.syncs.delete(sync);
        if (this.flushing === sync) this.flushing = undefined;
        if (err) return reject(err);
        this.flushedPosition = Math.max(this.flushedPosition, target);
        resolve(this.flushedPosition);
      });
    });
    this.flushing = sync;
    this.syncs.add(sync);
    return sync;
  }

  /** fdatasyncs of this file under way. */
  get syncsInFlight(): number {
    return this.syncs.size;
  }

  /** Settles once no fdatasync of this file is under way (before closing it). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.syncs]);
  }

  /** Forget everything from `position` on: zero it (truncate + re-extend keeps the file sparse). */
  truncateTo(position: number): void {
    ftruncateSync(this.fd, position);
    ftruncateSync(this.fd, this.fileSize);
    this.wrotePosition = position;
    this.flushedPosition = Math.min(this.flushedPosition, position);
  }

  lastModifiedMs(): number {
    return fstatSync(this.fd).mtimeMs;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  destroy(): void {
    this.close();
    unlinkSync(this.path);
  }
}
