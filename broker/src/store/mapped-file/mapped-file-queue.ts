import { mkdirSync, readdirSync } from 'node:fs';
import { MappedFile } from './mapped-file';

/**
 * The ordered segments of one log in one directory (MappedFileQueue.java). Offsets are global:
 * segment N covers [N × fileSize, (N + 1) × fileSize).
 */
export class MappedFileQueue {
  private files: MappedFile[] = [];

  constructor(
    readonly dir: string,
    readonly fileSize: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Open the existing segments. Positions are set to "full"; recovery narrows the last ones. */
  load(): void {
    const names = readdirSync(this.dir)
      .filter((n) => /^\d{20}$/.test(n))
      .sort();
    this.files = names.map((n) => {
      const f = MappedFile.open(this.dir, Number(n), this.fileSize);
      f.wrotePosition = this.fileSize;
      f.flushedPosition = this.fileSize;
      return f;
    });
  }

  get all(): readonly MappedFile[] {
    return this.files;
  }

  get first(): MappedFile | undefined {
    return this.files[0];
  }

  get last(): MappedFile | undefined {
    return this.files[this.files.length - 1];
  }

  /** The segment to append to: the last one unless it is full, then a new one. */
  lastForAppend(): MappedFile {
    const last = this.last;
    if (last && !last.isFull) return last;
    const from = last ? last.fileEndOffset : 0;
    const f = MappedFile.create(this.dir, from, this.fileSize);
    this.files.push(f);
    return f;
  }

  /** Start a queue at `offset` (a consume queue whose first entries were deleted, or an empty log). */
  resetTo(offset: number): MappedFile {
    for (const f of this.files) f.destroy();
    const from = offset - (offset % this.fileSize);
    const f = MappedFile.create(this.dir, from, this.fileSize);
    f.wrotePosition = offset - from;
    f.flushedPosition = f.wrotePosition;
    this.files = [f];
    return f;
  }

  findByOffset(offset: number): MappedFile | undefined {
    const first = this.first;
    if (!first || offset < first.fileFromOffset) return undefined;
    const idx = Math.floor((offset - first.fileFromOffset) / this.fileSize);
    const f = this.files[idx];
    return f && offset < f.fileEndOffset ? f : undefined;
  }

  get minOffset(): number {
    return this.first?.fileFromOffset ?? 0;
  }

  /** Global offset of the next byte to write. */
  get maxOffset(): number {
    const last = this.last;
    return last ? last.fileFromOffset + last.wrotePosition : 0;
  }

  get flushedOffset(): number {
    let flushed = this.minOffset;
    for (const f of this.files) {
      flushed = f.fileFromOffset + f.flushedPosition;
      if (f.flushedPosition < f.fileSize) break;
    }
    return flushed;
  }

  /** fdatasync every segment with unflushed bytes, oldest first. */
  async flush(): Promise<number> {
    for (const f of this.files) {
      if (f.flushedPosition < f.wrotePosition) await f.flush();
    }
    return this.flushedOffset;
  }

  /** Settles once no fdatasync of any segment is under way (before closing them). */
  async idle(): Promise<void> {
    await Promise.all(this.files.map((f) => f.idle()));
  }

  /** Keep bytes before `offset`; zero the rest of its segment and delete later segments. */
  truncateTo(offset: number): void {
    const keep: MappedFile[] = [];
    for (const f of this.files) {
      if (f.fileFromOffset >= offset) {
        f.destroy();
        continue;
      }
      if (offset < f.fileEndOffset) f.truncateTo(offset - f.fileFromOffset);
      keep.push(f);
    }
    this.files = keep;
  }

  /** Delete the first segment (retention); never the one being written. */
  deleteFirst(): MappedFile | undefined {
    if (this.files.length <= 1) return undefined;
    const f = this.files.shift();
    f?.destroy();
    return f;
  }

  close(): void {
    for (const f of this.files) f.close();
  }
}
