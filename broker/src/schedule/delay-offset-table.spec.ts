import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpStoreDir } from '../../../test/helpers/tmp';
import { DelayOffsetTable } from './delay-offset-table';

describe('delay cursors (config/delayOffset.json)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const dir = (): string => {
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };

  it('saves cursors with bare level keys and reads them back after a restart', async () => {
    const root = dir();
    const a = new DelayOffsetTable(root);
    a.set(1, 5);
    a.set(3, 0);
    a.set(2, 7);
    await a.persist();
    expect(readFileSync(a.path, 'utf8')).toBe('{"offsetTable":{1:5,2:7,3:0}}');
    const b = new DelayOffsetTable(root);
    b.load();
    expect(b.entries()).toEqual([
      [1, 5],
      [2, 7],
      [3, 0],
    ]);
    expect(b.get(4)).toBe(0);
    expect(b.has(4)).toBe(false);
  });

  it('writes only when a cursor changed, unless forced', async () => {
    const root = dir();
    const t = new DelayOffsetTable(root);
    await t.persist();
    expect(existsSync(t.path)).toBe(false);
    t.set(1, 1);
    await t.persist();
    rmSync(t.path);
    t.set(1, 1); // unchanged
    await t.persist();
    expect(existsSync(t.path)).toBe(false);
    await t.persist({ force: true });
    expect(readFileSync(t.path, 'utf8')).toBe('{"offsetTable":{1:1}}');
  });

  it('writes the snapshot taken before `beforeWrite`, and later moves on the next write', async () => {
    const root = dir();
    const t = new DelayOffsetTable(root);
    t.set(1, 10);
    await t.persist({
      beforeWrite: async () => {
        // A delivery that lands while the commit log is being synced is not covered by that sync.
        t.set(1, 11);
      },
    });
    expect(readFileSync(t.path, 'utf8')).toBe('{"offsetTable":{1:10}}');
    await t.persist();
    expect(readFileSync(t.path, 'utf8')).toBe('{"offsetTable":{1:11}}');
  });

  it('keeps the cursors dirty when the sync before the write fails, and writes nothing', async () => {
    const root = dir();
    const t = new DelayOffsetTable(root);
    t.set(2, 4);
    await expect(
      t.persist({
        beforeWrite: () => Promise.reject(new Error('fdatasync failed')),
      }),
    ).rejects.toThrow('fdatasync failed');
    expect(existsSync(t.path)).toBe(false);
    await t.persist();
    expect(readFileSync(t.path, 'utf8')).toBe('{"offsetTable":{2:4}}');
  });

  it('falls back to the .bak copy when the file is missing or empty', () => {
    const root = dir();
    const t = new DelayOffsetTable(root);
    mkdirSync(dirname(t.path), { recursive: true });
    writeFileSync(`${t.path}.bak`, '{"offsetTable":{1:3}}');
    writeFileSync(t.path, '');
    t.load();
    expect(t.get(1)).toBe(3);
  });

  it('serializes concurrent writes: the last state wins', async () => {
    const root = dir();
    const t = new DelayOffsetTable(root);
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 5; i++) {
      t.set(1, i);
      writes.push(t.persist());
    }
    await Promise.all(writes);
    expect(readFileSync(t.path, 'utf8')).toBe('{"offsetTable":{1:5}}');
  });
});
