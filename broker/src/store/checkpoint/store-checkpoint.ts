import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { readLong, writeLong } from '@rocketts/protocol';

/*
 * Checkpoint file (StoreCheckpoint.java keeps timestamps; we keep commit-log offsets, which need no
 * clock agreement):
 *   0  long  physicOffset   commit log fdatasync'ed up to here
 *   8  long  logicsOffset   consume queues on disk cover every record before this offset
 *  16  long  indexOffset    index files on disk cover every record before this offset
 *  24  long  savedAt        ms
 *  32  int   CRC32 of bytes 0–31
 * Written to a temp file, fsynced and renamed, so a crash leaves the old or the new one.
 */
const CHECKPOINT_SIZE = 36;

export interface CheckpointData {
  physicOffset: number;
  logicsOffset: number;
  indexOffset: number;
  savedAt: number;
}

export class StoreCheckpoint {
  constructor(private readonly path: string) {}

  /** The last checkpoint, or undefined when there is none or it is damaged. */
  read(): CheckpointData | undefined {
    if (!existsSync(this.path)) return undefined;
    const b = readFileSync(this.path);
    if (b.length < CHECKPOINT_SIZE || (crc32(b.subarray(0, 32)) | 0) !== b.readInt32BE(32)) return undefined;
    return {
      physicOffset: readLong(b, 0),
      logicsOffset: readLong(b, 8),
      indexOffset: readLong(b, 16),
      savedAt: readLong(b, 24),
    };
  }

  /**
   * Write off the event loop (an fsync takes milliseconds and would stall every request):
   * temp file, fsync, rename.
   */
  async write(data: CheckpointData): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.write(encode(data), 0, CHECKPOINT_SIZE, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
  }
}

function encode(data: CheckpointData): Buffer {
  const b = Buffer.alloc(CHECKPOINT_SIZE);
  writeLong(b, 0, data.physicOffset);
  writeLong(b, 8, data.logicsOffset);
  writeLong(b, 16, data.indexOffset);
  writeLong(b, 24, data.savedAt);
  b.writeInt32BE(crc32(b.subarray(0, 32)) | 0, 32);
  return b;
}
