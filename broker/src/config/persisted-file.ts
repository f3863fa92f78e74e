import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Small config files (topics, groups, offsets) written as RocketMQ's ConfigManager does: the new
 * content to `<file>.tmp`, fsync, then rename over the old one, keeping `<file>.bak` — so a crash
 * leaves a whole old or a whole new file.
 */
export function writePersisted(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const buf = Buffer.from(text, 'utf8');
    let done = 0;
    while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(path)) renameSync(path, `${path}.bak`);
  renameSync(tmp, path);
}

/** The file's text, falling back to `<file>.bak` when the file is missing or empty. */
export function readPersisted(path: string): string | undefined {
  for (const p of [path, `${path}.bak`]) {
    if (!existsSync(p)) continue;
    const text = readFileSync(p, 'utf8');
    if (text.trim().length > 0) return text;
  }
  return undefined;
}

/** writePersisted off the event loop, for files rewritten periodically (consumer offsets). */
export async function writePersistedAsync(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (existsSync(path)) await rename(path, `${path}.bak`);
  await rename(tmp, path);
}

export interface PersistOptions {
  /** Write even when nothing changed since the last write. */
  force?: boolean;
  /** Runs between the snapshot and the write (e.g. a commit-log sync the file must not run ahead of). */
  beforeWrite?: () => Promise<unknown>;
}

/**
 * Snapshots of an in-memory table written to one file off the event loop: only when `dirty`, one write
 * at a time, and marked dirty again if a write fails (delivery cursors, consumer-like progress).
 */
export class SnapshotFile {
  dirty = false;
  private writing: Promise<void> | undefined;

  constructor(readonly path: string) {}

  /** `snapshot` returns the text to write, or undefined when there is nothing to write yet. */
  async persist(snapshot: () => string | undefined, options: PersistOptions = {}): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty && !options.force) return;
    const text = snapshot();
    if (text === undefined) return;
    this.dirty = false;
    const write = (async () => {
      await options.beforeWrite?.();
      await writePersistedAsync(this.path, text);
    })();
    this.writing = write.then(
      () => undefined,
      () => undefined,
    );
    try {
      await write;
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      this.writing = undefined;
    }
  }
}
