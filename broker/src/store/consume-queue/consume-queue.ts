import { join } from 'node:path';
import { readLong } from '@rocketts/protocol';
import { MappedFileQueue } from '../mapped-file/mapped-file-queue';
import { CQ_UNIT_SIZE, isValidUnit, writeCqUnit } from './cq-unit';

/**
 * Units are gathered and written once this many are pending, or sooner when the queue is read,
 * flushed for a checkpoint, truncated or closed: one write() per 1,024 units rather than one per
 * dispatch batch (3.5 % of the event loop on batched sends). Units not yet written are covered like
 * everything after the checkpoint: recovery re-dispatches them from the commit log.
 */
const PENDING_WRITE_BYTES = 1024 * CQ_UNIT_SIZE;
/** A queue's pending buffer starts this small and doubles up to PENDING_WRITE_BYTES: brokers hold thousands of queues. */
const PENDING_INITIAL_BYTES = 64 * CQ_UNIT_SIZE;

/**
 * The logical queue of one topic/queueId: 20-byte units in fixed-size files under
 * consumequeue/<topic>/<queueId>/ (ConsumeQueue.java). Offsets exposed here are logical (unit numbers).
 */
export class ConsumeQueue {
  private readonly files: MappedFileQueue;
  /** Logical offset of the first unit still stored. */
  private minUnit = 0;
  /** Logical offset one past the last unit (pending ones included). */
  private maxUnit = 0;
  private pending = Buffer.allocUnsafe(PENDING_INITIAL_BYTES);
  private pendingLen = 0;
  private pendingStart = 0;
  /** Highest commit-log offset + size referenced (to know what recovery must re-dispatch). */
  maxPhysicOffset = 0;

  constructor(
    rootDir: string,
    readonly topic: string,
    readonly queueId: number,
    readonly fileSize: number,
  ) {
    this.files = new MappedFileQueue(join(rootDir, topic, String(queueId)), fileSize);
  }

  get minOffset(): number {
    return this.minUnit;
  }

  get maxOffset(): number {
    return this.maxUnit;
  }

  /** Open the files and find the end: the first invalid unit of the last file (ConsumeQueue.recover). */
  load(): void {
    this.files.load();
    const first = this.files.first;
    const last = this.files.last;
    if (!first || !last) return;
    const data = last.read(0, last.fileSize);
    let pos = 0;
    while (pos + CQ_UNIT_SIZE <= data.length && isValidUnit(data, pos)) pos += CQ_UNIT_SIZE;
    last.wrotePosition = pos;
    last.flushedPosition = pos;
    this.maxUnit = (last.fileFromOffset + pos) / CQ_UNIT_SIZE;
    if (pos > 0) this.maxPhysicOffset = unitEnd(data, pos - CQ_UNIT_SIZE);
    else if (this.files.all.length > 1)
      this.maxPhysicOffset = this.lastPhysicOffsetBefore(last.fileFromOffset);
    this.minUnit = this.firstValidUnit(first.fileFromOffset / CQ_UNIT_SIZE);
  }

  /** Add (or, on re-dispatch during recovery, rewrite) the unit for logical offset `cqOffset`. */
  put(cqOffset: number, commitLogOffset: number, size: number, tagsCode: number): void {
    const pendingEnd = this.pendingStart + this.pendingLen / CQ_UNIT_SIZE;
    if (this.pendingLen > 0 && cqOffset === pendingEnd) {
      this.appendPending(commitLogOffset, size, tagsCode);
    } else if (cqOffset >= this.maxUnit) {
      this.flushPending();
      // An empty queue may start anywhere (its first files were deleted); a gap elsewhere stays
      // zero-filled, and readers skip invalid units.
      if (this.files.all.length === 0 && cqOffset > 0) this.startAt(cqOffset);
      this.pendingStart = cqOffset;
      this.appendPending(commitLogOffset, size, tagsCode);
    } else {
      this.flushPending();
      const unit = Buffer.allocUnsafe(CQ_UNIT_SIZE);
      writeCqUnit(unit, 0, commitLogOffset, size, tagsCode);
      this.writeUnits(cqOffset, unit, CQ_UNIT_SIZE);
    }
    this.maxUnit = Math.max(this.maxUnit, cqOffset + 1);
    this.maxPhysicOffset = Math.max(this.maxPhysicOffset, commitLogOffset + size);
  }

  private appendPending(commitLogOffset: number, size: number, tagsCode: number): void {
    if (this.pendingLen === this.pending.length) {
      const bigger = Buffer.allocUnsafe(this.pending.length * 2);
      this.pending.copy(bigger, 0, 0, this.pendingLen);
      this.pending = bigger;
    }
    writeCqUnit(this.pending, this.pendingLen, commitLogOffset, size, tagsCode);
    this.pendingLen += CQ_UNIT_SIZE;
    if (this.pendingLen >= PENDING_WRITE_BYTES) this.flushPending();
  }

  /** Write the units gathered since the last call. */
  flushPending(): void {
    if (this.pendingLen === 0) return;
    this.writeUnits(this.pendingStart, this.pending, this.pendingLen);
    this.pendingLen = 0;
  }

  /** Units [from, from + count) as raw bytes (fewer at the end of the queue). */
  readUnits(from: number, count: number): Buffer {
    this.flushPending();
    const start = Math.max(from, this.minUnit);
    const n = Math.max(0, Math.min(count, this.maxUnit - start));
    const out = Buffer.allocUnsafe(n * CQ_UNIT_SIZE);
    let done = 0;
    while (done < out.length) {
      const byteOffset = start * CQ_UNIT_SIZE + done;
      const f = this.files.findByOffset(byteOffset);
      if (!f) break;
      const inFile = byteOffset - f.fileFromOffset;
      const len = Math.min(out.length - done, f.fileSize - inFile);
      done += f.readInto(out, done, len, inFile);
      if (len === 0) break;
    }
    return done === out.length ? out : out.subarray(0, done - (done % CQ_UNIT_SIZE));
  }

  /** Drop units that point at or beyond `commitLogOffset` (ConsumeQueue.truncateDirtyLogicFiles). */
  truncateFrom(commitLogOffset: number): void {
    this.flushPending();
    // Units of one queue point at increasing commit-log offsets: binary-search the first bad one.
    let lo = this.minUnit;
    let hi = this.maxUnit;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const u = this.readUnits(mid, 1);
      if (u.length === CQ_UNIT_SIZE && unitEnd(u, 0) <= commitLogOffset) lo = mid + 1;
      else hi = mid;
    }
    const keep = lo;
    if (keep === this.maxUnit) return;
    this.files.truncateTo(keep * CQ_UNIT_SIZE);
    this.maxUnit = keep;
    if (keep <= this.minUnit) this.minUnit = keep;
    const last = keep > 0 ? this.readUnits(keep - 1, 1) : Buffer.alloc(0);
    this.maxPhysicOffset = last.length === CQ_UNIT_SIZE ? unitEnd(last, 0) : 0;
  }

  /** Delete whole files whose units all point below `minCommitLogOffset` (retention). */
  deleteExpired(minCommitLogOffset: number): number {
    let deleted = 0;
    for (;;) {
      const files = this.files.all;
      const first = files[0];
      if (!first || files.length < 2) break;
      const lastUnit = first.read(first.fileSize - CQ_UNIT_SIZE, CQ_UNIT_SIZE);
      if (unitEnd(lastUnit, 0) > minCommitLogOffset) break;
      this.files.deleteFirst();
      deleted++;
    }
    const first = this.files.first;
    if (first) this.minUnit = Math.max(this.minUnit, first.fileFromOffset / CQ_UNIT_SIZE);
    this.correctMinOffset(minCommitLogOffset);
    return deleted;
  }

  /** Move the min offset past units whose messages were deleted from the commit log. */
  correctMinOffset(minCommitLogOffset: number): void {
    while (this.minUnit < this.maxUnit) {
      const u = this.readUnits(this.minUnit, 1);
      if (u.length < CQ_UNIT_SIZE || readLong(u, 0) >= minCommitLogOffset) break;
      this.minUnit++;
    }
  }

  flush(): Promise<number> {
    this.flushPending();
    return this.files.flush();
  }

  close(): void {
    this.flushPending();
    this.files.close();
  }

  destroy(): void {
    for (const f of [...this.files.all]) f.destroy();
  }

  private writeUnits(cqOffset: number, src: Buffer, len: number): void {
    let done = 0;
    while (done < len) {
      const byteOffset = cqOffset * CQ_UNIT_SIZE + done;
      let f = this.files.findByOffset(byteOffset);
      if (!f) {
        f = this.files.lastForAppend();
        if (byteOffset < f.fileFromOffset || byteOffset >= f.fileEndOffset) {
          throw new Error(
            `consume queue ${this.topic}/${this.queueId}: no file for byte offset ${byteOffset}`,
          );
        }
      }
      const inFile = byteOffset - f.fileFromOffset;
      const n = Math.min(len - done, f.fileSize - inFile);
      f.writeAt(inFile, src, done, n);
      f.wrotePosition = Math.max(f.wrotePosition, inFile + n);
      done += n;
    }
  }

  private startAt(cqOffset: number): void {
    this.files.resetTo(cqOffset * CQ_UNIT_SIZE);
    this.minUnit = cqOffset;
    this.maxUnit = cqOffset;
  }

  private firstValidUnit(from: number): number {
    const first = this.files.first;
    if (!first) return from;
    const data = first.read(0, Math.min(first.fileSize, first.wrotePosition || first.fileSize));
    let pos = 0;
    while (pos + CQ_UNIT_SIZE <= data.length && !isValidUnit(data, pos)) pos += CQ_UNIT_SIZE;
    return from + pos / CQ_UNIT_SIZE;
  }

  private lastPhysicOffsetBefore(fileFromOffset: number): number {
    const u = this.readUnits(fileFromOffset / CQ_UNIT_SIZE - 1, 1);
    return u.length === CQ_UNIT_SIZE ? unitEnd(u, 0) : 0;
  }
}

/** Commit-log offset just past the message a unit points to. */
function unitEnd(buf: Buffer, pos: number): number {
  return readLong(buf, pos) + buf.readInt32BE(pos + 8);
}
