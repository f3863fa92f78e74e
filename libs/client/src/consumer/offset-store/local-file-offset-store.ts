import { copyFile, mkdir, open, readFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  decodeResetOffsetBody,
  encodeResetOffsetBody,
  messageQueueKey,
  type MessageQueue,
} from '@rocketts/protocol';
import type { Logger } from '../../logger';
import { NO_OFFSET, type OffsetStore, type ReadOffsetTypeValue } from './offset-store';
import { OffsetTable } from './offset-table';

/** Root of broadcasting offset files (LocalFileOffsetStore.LOCAL_OFFSET_STORE_DIR: user.home/.rocketmq_offsets). */
export const DEFAULT_OFFSET_STORE_DIR = join(homedir(), '.rocketmq_offsets');
export const OFFSETS_FILE_NAME = 'offsets.json';

/** `<root>/<clientId>/<group>/offsets.json`, the path Java uses. */
export function localOffsetsPath(root: string, clientId: string, group: string): string {
  return join(root, clientId, group, OFFSETS_FILE_NAME);
}

/**
 * Offsets of a broadcasting consumer, in a local JSON file (LocalFileOffsetStore.java). The file holds
 * OffsetSerializeWrapper `{"offsetTable":{<MessageQueue>:offset}}` with queue objects as keys, as Java
 * writes it, so either client can read the other's file. Writes are atomic: a temp file is written and
 * fsynced, the previous file is kept as `.bak`, then the temp file is renamed over it; a missing or damaged
 * file falls back to `.bak`. Writes run one at a time.
 */
export class LocalFileOffsetStore implements OffsetStore {
  private readonly table = new OffsetTable();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    for (const [mq, offset] of (await this.readFile()) ?? []) this.table.update(mq, offset, false);
  }

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.table.update(mq, offset, increaseOnly);
  }

  async readOffset(mq: MessageQueue, type: ReadOffsetTypeValue): Promise<number> {
    const cached = this.table.readCached(mq, type);
    if (cached !== undefined) return cached;
    const key = messageQueueKey(mq);
    const stored = (await this.readFile())?.find(([m]) => messageQueueKey(m) === key);
    if (!stored) return NO_OFFSET;
    this.table.update(mq, stored[1], false);
    return stored[1];
  }

  /**
   * Write every known offset. Unlike the broker store, offsets of queues not in `mqs` are kept: in
   * broadcasting every queue is ours, and a queue missing from one route read must not lose its offset.
   */
  persistAll(_mqs: readonly MessageQueue[]): Promise<void> {
    return this.write();
  }

  persist(_mq: MessageQueue): Promise<void> {
    return this.write();
  }

  /** No-op, as in Java: the file keeps the last offset of a queue. */
  removeOffset(_mq: MessageQueue): void {}

  offsetTable(topic?: string): [MessageQueue, number][] {
    return this.table.list(topic);
  }

  private write(): Promise<void> {
    const next = this.writing.then(() => this.writeNow());
    this.writing = next.catch((err: unknown) =>
      this.logger.warn('writing the offsets file failed', { path: this.path, error: err }),
    );
    return this.writing;
  }

  /** MixAll.string2File, made crash-safe: temp file + fsync, backup, rename. */
  private async writeNow(): Promise<void> {
    const text = encodeResetOffsetBody(this.table.list());
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await copyFile(this.path, `${this.path}.bak`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(tmp, this.path);
  }

  /** The file's table, else the backup's; undefined when neither exists or parses. */
  private async readFile(): Promise<[MessageQueue, number][] | undefined> {
    for (const candidate of [this.path, `${this.path}.bak`]) {
      let text: Buffer;
      try {
        text = await readFile(candidate);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      try {
        return decodeResetOffsetBody(text);
      } catch (err) {
        this.logger.warn('offsets file is damaged, trying its backup', { path: candidate, error: err });
      }
    }
    return undefined;
  }
}
