import { join } from 'node:path';
import { decodeDelayOffsetTable, encodeDelayOffsetTable } from '@rocketts/protocol';
import { readPersisted, SnapshotFile, type PersistOptions } from '../config/persisted-file';

/**
 * The schedule service's cursor per delay level: the next logical offset of SCHEDULE_TOPIC_XXXX
 * queue level − 1 to deliver (ScheduleMessageService.offsetTable), persisted to
 * <store>/config/delayOffset.json as `{"offsetTable":{1:5,2:0}}`.
 *
 * A saved cursor must never pass a delivery that could still be lost: `persist` takes the snapshot,
 * then awaits `beforeWrite` (the service passes a commit-log fdatasync) and only then writes it.
 * After a crash the cursors are at most one interval behind: deliveries repeat, none is lost.
 */
export class DelayOffsetTable {
  readonly path: string;
  private readonly offsets = new Map<number, number>();
  private readonly file: SnapshotFile;

  constructor(storeRootDir: string) {
    this.path = join(storeRootDir, 'config', 'delayOffset.json');
    this.file = new SnapshotFile(this.path);
  }

  load(): void {
    const text = readPersisted(this.path);
    if (!text) return;
    for (const [level, offset] of decodeDelayOffsetTable(Buffer.from(text, 'utf8')))
      this.offsets.set(level, offset);
  }

  /** Next offset to deliver for `level`; 0 before the level was ever looked at. */
  get(level: number): number {
    return this.offsets.get(level) ?? 0;
  }

  has(level: number): boolean {
    return this.offsets.has(level);
  }

  set(level: number, offset: number): void {
    if (this.offsets.get(level) === offset) return;
    this.offsets.set(level, offset);
    this.file.dirty = true;
  }

  entries(): [level: number, offset: number][] {
    return [...this.offsets.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** Body of GET_ALL_DELAY_OFFSET and the file's content. */
  encode(): Buffer {
    return encodeDelayOffsetTable(new Map(this.entries()));
  }

  /**
   * Write the cursors if they changed (or `force`), one write at a time, off the event loop.
   * `beforeWrite` runs between the snapshot and the write.
   */
  persist(options: PersistOptions = {}): Promise<void> {
    return this.file.persist(() => this.encode().toString('utf8'), options);
  }
}
