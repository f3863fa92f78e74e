import { join } from 'node:path';
import { readPersisted, SnapshotFile, type PersistOptions } from '../config/persisted-file';

/** Content of config/timerWheel.json. */
interface TimerWheelFile {
  /** Lowest bucket not yet closed (every entry of an earlier bucket is delivered). */
  wheelPos: number;
  /** Per slot (queue id of rmq_sys_wheel_timer): next logical offset not known to be delivered. */
  cursors: Record<string, number>;
}

/**
 * The timer service's persisted position: the open bucket and one cursor per slot queue. Every unit
 * before a slot's cursor was delivered; units at or past it may have been (out of order within a
 * bucket), so after a crash they are delivered again: at-least-once, never lost.
 *
 * As DelayOffsetTable: `persist` takes the snapshot, awaits `beforeWrite` (a commit-log fdatasync),
 * then writes, so a saved cursor never passes a delivery a crash could still lose.
 */
export class TimerCursorTable {
  readonly path: string;
  /** undefined until loaded from a file or set: the service then starts a full ring back. */
  wheelPos: number | undefined;
  private readonly cursors = new Map<number, number>();
  private readonly file: SnapshotFile;

  constructor(storeRootDir: string) {
    this.path = join(storeRootDir, 'config', 'timerWheel.json');
    this.file = new SnapshotFile(this.path);
  }

  load(): void {
    const text = readPersisted(this.path);
    if (!text) return;
    const f = JSON.parse(text) as Partial<TimerWheelFile>;
    if (typeof f.wheelPos === 'number') this.wheelPos = f.wheelPos;
    for (const [slot, offset] of Object.entries(f.cursors ?? {})) this.cursors.set(Number(slot), offset);
  }

  get(slot: number): number {
    return this.cursors.get(slot) ?? 0;
  }

  set(slot: number, offset: number): void {
    if (this.cursors.get(slot) === offset) return;
    this.cursors.set(slot, offset);
    this.file.dirty = true;
  }

  setWheelPos(bucket: number): void {
    if (this.wheelPos === bucket) return;
    this.wheelPos = bucket;
    this.file.dirty = true;
  }

  encode(): string {
    const cursors: Record<string, number> = {};
    for (const [slot, offset] of [...this.cursors.entries()].sort((a, b) => a[0] - b[0]))
      cursors[String(slot)] = offset;
    const f: TimerWheelFile = { wheelPos: this.wheelPos ?? 0, cursors };
    return JSON.stringify(f);
  }

  /** Write if changed (or `force`), one write at a time; `beforeWrite` runs between snapshot and write. */
  persist(options: PersistOptions = {}): Promise<void> {
    return this.file.persist(() => (this.wheelPos === undefined ? undefined : this.encode()), options);
  }
}
