import { closeSync, fdatasync, openSync, readSync, unlinkSync, write, writeSync } from 'node:fs';
import { readLong, writeLong } from '@rocketts/protocol';

/*
 * Index file (IndexFile.java / IndexHeader.java): a hash table of message keys to commit-log offsets.
 *
 * Header, 40 bytes:
 *   0  long  beginTimestamp   store time of the first indexed message, ms
 *   8  long  endTimestamp     store time of the last, ms
 *  16  long  beginPhyOffset
 *  24  long  endPhyOffset     commit-log offset of the last indexed message
 *  32  int   hashSlotCount    slots in use
 *  36  int   indexCount       next entry number; entry 0 is never used
 * Slots, maxHashSlotNum × int: number of the newest entry whose key hashes there (0 = empty).
 * Entries, maxIndexNum × 20 bytes:
 *   0  int   keyHash          |String.hashCode("topic#key")|
 *   4  long  phyOffset
 *  12  int   timeDiff         seconds since beginTimestamp
 *  16  int   prevIndex        previous entry of the same slot (0 = end of chain)
 */
export const INDEX_HEADER_SIZE = 40;
export const HASH_SLOT_SIZE = 4;
export const INDEX_ENTRY_SIZE = 20;
/** Granularity of dirty-slot tracking: one OS page. */
const SLOT_PAGE = 4096;

export const indexFileSize = (slots: number, entries: number): number =>
  INDEX_HEADER_SIZE + slots * HASH_SLOT_SIZE + entries * INDEX_ENTRY_SIZE;

export interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  indexCount: number;
}

/**
 * The index file being written lives in memory and is written back in dirty ranges on flush;
 * files that are full are read with positional reads. Either way `query` walks the same layout.
 */
export class IndexFile {
  private data: Buffer | undefined;
  /** DataView over `data`: its accessors skip Buffer's argument checks on this hot path. */
  private view: DataView | undefined;
  /** Header of the file being written, kept as numbers and written back on flush. */
  private h: IndexHeader | undefined;
  private dirtySlotPages = new Set<number>();
  private dirtyEntriesFrom = Number.MAX_SAFE_INTEGER;
  private fd: number;
  /** The flush under way in the thread pool, and the ranges it took (seal writes them again). */
  private writing: Promise<void> | undefined;
  private inFlight: [number, number][] = [];

  constructor(
    readonly path: string,
    readonly slotNum: number,
    readonly indexNum: number,
    writable: boolean,
    fresh: boolean,
  ) {
    this.fd = openSync(path, fresh ? 'w+' : 'r+');
    if (writable) {
      const data = Buffer.alloc(indexFileSize(slotNum, indexNum));
      if (!fresh) readSync(this.fd, data, 0, data.length, 0);
      this.data = data;
      this.view = new DataView(data.buffer, data.byteOffset, data.length);
      this.h = decodeHeader(data);
    }
  }

  get header(): IndexHeader {
    return this.h ? { ...this.h } : decodeHeader(this.readAt(0, INDEX_HEADER_SIZE));
  }

  get isFull(): boolean {
    return this.header.indexCount >= this.indexNum;
  }

  /** Add one key; false when the file is full. */
  put(keyHash: number, phyOffset: number, storeTimestamp: number): boolean {
    const v = this.view;
    const h = this.h;
    if (!v || !h) throw new Error(`index file ${this.path} is read-only`);
    const indexCount = h.indexCount;
    if (indexCount >= this.indexNum) return false;
    if (indexCount === 1) {
      h.beginTimestamp = storeTimestamp;
      h.beginPhyOffset = phyOffset;
    }
    const slotPos = INDEX_HEADER_SIZE + (keyHash % this.slotNum) * HASH_SLOT_SIZE;
    const prev = v.getInt32(slotPos);
    const timeDiff = Math.max(0, Math.floor((storeTimestamp - h.beginTimestamp) / 1000));
    const entryPos = INDEX_HEADER_SIZE + this.slotNum * HASH_SLOT_SIZE + indexCount * INDEX_ENTRY_SIZE;
    v.setInt32(entryPos, keyHash);
    v.setUint32(entryPos + 4, Math.floor(phyOffset / 0x100000000));
    v.setUint32(entryPos + 8, phyOffset >>> 0);
    v.setInt32(entryPos + 12, timeDiff);
    v.setInt32(entryPos + 16, prev > 0 && prev < indexCount ? prev : 0);
    v.setInt32(slotPos, indexCount);
    if (prev === 0) h.hashSlotCount++;
    h.indexCount = indexCount + 1;
    h.endTimestamp = storeTimestamp;
    h.endPhyOffset = phyOffset;
    this.dirtySlotPages.add((slotPos / SLOT_PAGE) | 0);
    if (entryPos < this.dirtyEntriesFrom) this.dirtyEntriesFrom = entryPos;
    return true;
  }

  /** Offsets of entries with `keyHash` stored in [begin, end] ms, newest first, at most `max`. */
  query(keyHash: number, max: number, begin: number, end: number): number[] {
    const out: number[] = [];
    const h = this.header;
    if (h.endTimestamp < begin || h.beginTimestamp > end) return out;
    const slot = this.readAt(
      INDEX_HEADER_SIZE + (keyHash % this.slotNum) * HASH_SLOT_SIZE,
      HASH_SLOT_SIZE,
    ).readInt32BE(0);
    let idx = slot;
    for (let hops = 0; idx > 0 && idx < h.indexCount && out.length < max && hops < this.indexNum; hops++) {
      const e = this.readAt(
        INDEX_HEADER_SIZE + this.slotNum * HASH_SLOT_SIZE + idx * INDEX_ENTRY_SIZE,
        INDEX_ENTRY_SIZE,
      );
      const time = h.beginTimestamp + e.readInt32BE(12) * 1000;
      // Seconds granularity: widen the lower bound by one second so nothing stored in range is missed.
      if (e.readInt32BE(0) === keyHash && time >= begin - 1000 && time <= end) out.push(readLong(e, 4));
      const prev = e.readInt32BE(16);
      if (prev >= idx) break;
      idx = prev;
    }
    return out;
  }

  /**
   * Write back the dirty ranges (entries and slots first, header last) from the thread pool, one
   * write at a time, then fdatasync. The event loop only takes the ranges: under load they are
   * megabytes, and writing them there stalled every send for milliseconds at each checkpoint. Puts go
   * on meanwhile: a page changed after its range was taken is dirty again for the next flush. The
   * header is encoded into the buffer only here and by `seal`, and written after the entries it
   * counts, so the file never claims entries it lacks; slots may run ahead of it until the next
   * flush, which only a crash would leave on disk, and recovery drops the newest file after a crash.
   */
  flush(): Promise<void> {
    const d = this.data;
    const ranges = d ? this.takeDirtyRanges(d) : [];
    const fd = this.fd;
    const pending = this.writing;
    const done = (async () => {
      await pending?.catch(() => undefined); // its own caller hears of its failure
      for (const [from, to] of ranges) await writeRange(fd, d as Buffer, from, to);
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    })();
    const tracked = done.finally(() => {
      if (this.writing === tracked) {
        this.writing = undefined;
        this.inFlight = [];
      }
    });
    this.writing = tracked;
    this.inFlight.push(...ranges);
    return tracked;
  }

  /**
   * Stop writing: every range not yet known to be written (dirty, or taken by a flush still in the
   * pool) is written at once, so a sealed file that a crash leaves behind is whole; the memory copy
   * is dropped and an fdatasync follows the flush under way.
   */
  async seal(): Promise<void> {
    const d = this.data;
    try {
      if (d) {
        for (const [from, to] of [...this.inFlight, ...this.takeDirtyRanges(d)]) this.writeNow(d, from, to);
        this.inFlight = [];
      }
    } finally {
      this.data = undefined;
      this.view = undefined;
      this.h = undefined;
    }
    return this.flush();
  }

  /** Closes once the flush under way (if any) has finished with the descriptor. */
  close(): void {
    const fd = this.fd;
    this.fd = -1;
    if (fd < 0) return;
    if (this.writing) void this.writing.finally(() => closeSync(fd)).catch(() => undefined);
    else closeSync(fd);
  }

  destroy(): void {
    this.close();
    unlinkSync(this.path);
  }

  /**
   * The dirty ranges as [from, to) byte positions, entries and adjacent slot pages merged, the header
   * (encoded now) last; the dirty marks are cleared.
   */
  private takeDirtyRanges(d: Buffer): [number, number][] {
    const h = this.h as IndexHeader;
    encodeHeader(d, h);
    const out: [number, number][] = [];
    const slotsEnd = INDEX_HEADER_SIZE + this.slotNum * HASH_SLOT_SIZE;
    const entriesEnd = slotsEnd + h.indexCount * INDEX_ENTRY_SIZE;
    if (this.dirtyEntriesFrom < entriesEnd) out.push([this.dirtyEntriesFrom, entriesEnd]);
    // Runs of adjacent dirty pages go out in one write each: under load most pages are dirty.
    const pages = [...this.dirtySlotPages].sort((a, b) => a - b);
    for (let i = 0; i < pages.length;) {
      let j = i;
      while (j + 1 < pages.length && pages[j + 1] === (pages[j] as number) + 1) j++;
      const from = Math.max(INDEX_HEADER_SIZE, (pages[i] as number) * SLOT_PAGE);
      out.push([from, Math.min(slotsEnd, ((pages[j] as number) + 1) * SLOT_PAGE)]);
      i = j + 1;
    }
    out.push([0, INDEX_HEADER_SIZE]);
    this.dirtySlotPages.clear();
    this.dirtyEntriesFrom = Number.MAX_SAFE_INTEGER;
    return out;
  }

  private writeNow(d: Buffer, from: number, to: number): void {
    let done = 0;
    while (done < to - from) done += writeSync(this.fd, d, from + done, to - from - done, from + done);
  }

  private readAt(pos: number, len: number): Buffer {
    if (this.data) return this.data.subarray(pos, pos + len);
    const b = Buffer.alloc(len);
    readSync(this.fd, b, 0, len, pos);
    return b;
  }
}

function decodeHeader(b: Buffer): IndexHeader {
  return {
    beginTimestamp: readLong(b, 0),
    endTimestamp: readLong(b, 8),
    beginPhyOffset: readLong(b, 16),
    endPhyOffset: readLong(b, 24),
    hashSlotCount: b.readInt32BE(32),
    indexCount: Math.max(1, b.readInt32BE(36)),
  };
}

/** Write buf[from, to) at the same position of the file, from the thread pool. */
async function writeRange(fd: number, buf: Buffer, from: number, to: number): Promise<void> {
  for (let done = 0; done < to - from;) {
    done += await new Promise<number>((resolve, reject) =>
      write(fd, buf, from + done, to - from - done, from + done, (err, n) =>
        err ? reject(err) : resolve(n),
      ),
    );
  }
}

function encodeHeader(b: Buffer, h: IndexHeader): void {
  writeLong(b, 0, h.beginTimestamp);
  writeLong(b, 8, h.endTimestamp);
  writeLong(b, 16, h.beginPhyOffset);
  writeLong(b, 24, h.endPhyOffset);
  b.writeInt32BE(h.hashSlotCount, 32);
  b.writeInt32BE(h.indexCount, 36);
}
