import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpStoreDir } from '../../../../test/helpers/tmp';
import { IndexFile } from './index-file';

describe('IndexFile flush', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('writes back scattered and adjacent dirty slot pages so a reopened file answers every key', async () => {
    const t = tmpStoreDir('rocketts-index-');
    dirs.push(t);
    const path = join(t.dir, 'index');
    const slots = 50_000; // ~49 slot pages
    const file = new IndexFile(path, slots, 20_000, true, true);
    const t0 = 1_700_000_000_000;
    // Hashes spread over every page, runs of neighbours and single pages alike.
    const hashes = Array.from({ length: 5_000 }, (_, i) => (i * 7919) % slots);
    hashes.forEach((h, i) => expect(file.put(h, 1000 + i, t0 + i)).toBe(true));
    await file.flush();
    file.close();

    const reopened = new IndexFile(path, slots, 20_000, false, false);
    for (const i of [0, 1, 2, 999, 2500, 4999]) {
      expect(reopened.query(hashes[i] as number, 32, t0, t0 + 10_000)).toContain(1000 + i);
    }
    expect(reopened.header.indexCount).toBe(5_001);
    reopened.close();
  });

  const T0 = 1_700_000_000_000;
  const newFile = (slots = 10_000, entries = 20_000): { file: IndexFile; path: string } => {
    const t = tmpStoreDir('rocketts-index-');
    dirs.push(t);
    const path = join(t.dir, 'index');
    return { file: new IndexFile(path, slots, entries, true, true), path };
  };
  /** What a reader of the file sees now (another descriptor, nothing from this process's memory). */
  const onDisk = (path: string): IndexFile => new IndexFile(path, 10_000, 20_000, false, false);
  const putRange = (file: IndexFile, from: number, to: number): void => {
    for (let i = from; i < to; i++) expect(file.put((i * 31) % 10_000, 5000 + i, T0 + i)).toBe(true);
  };
  const found = (f: IndexFile, i: number): boolean =>
    f.query((i * 31) % 10_000, 64, T0, T0 + 100_000).includes(5000 + i);

  it('keeps taking puts while a flush is in the pool; its header counts only what it wrote, the next flush the rest', async () => {
    const { file, path } = newFile();
    putRange(file, 0, 3000);
    const first = file.flush();
    putRange(file, 3000, 6000); // many land on slot pages the first flush took
    await first;
    const mid = onDisk(path);
    expect(mid.header.indexCount).toBe(3001);
    for (const i of [0, 1500, 2999]) expect(found(mid, i)).toBe(true);
    mid.close();

    await file.flush();
    file.close();
    const end = onDisk(path);
    expect(end.header.indexCount).toBe(6001);
    for (const i of [0, 2999, 3000, 4500, 5999]) expect(found(end, i)).toBe(true);
    end.close();
  });

  it('seal writes at once what a flush still in the pool took, so the file is whole before any await', async () => {
    const { file, path } = newFile();
    putRange(file, 0, 3000);
    const inPool = file.flush();
    putRange(file, 3000, 4000);
    const sealed = file.seal();
    const now = onDisk(path); // read before either settles
    expect(now.header.indexCount).toBe(4001);
    for (const i of [0, 1234, 2999, 3000, 3999]) expect(found(now, i)).toBe(true);
    now.close();
    await Promise.all([inPool, sealed]);
    file.close();
    const later = onDisk(path);
    expect(later.header.indexCount).toBe(4001); // the pool's header write did not go back in time
    later.close();
  });

  it('closes its descriptor only after the flush under way has finished with it', async () => {
    const { file, path } = newFile();
    putRange(file, 0, 2000);
    const flushing = file.flush();
    file.close();
    await expect(flushing).resolves.toBeUndefined();
    const reopened = onDisk(path);
    expect(reopened.header.indexCount).toBe(2001);
    reopened.close();
  });

  it("writes a new file's untouched slots as holes, not megabytes of zeros", async () => {
    const t = tmpStoreDir('rocketts-index-');
    dirs.push(t);
    const path = join(t.dir, 'index');
    const slots = 1_000_000; // 4 MB of slots
    const file = new IndexFile(path, slots, 1000, true, true);
    expect(file.put(7, 100, T0)).toBe(true);
    expect(file.put(999_999, 200, T0 + 1)).toBe(true);
    await file.flush();
    file.close();
    expect(statSync(path).blocks * 512).toBeLessThan(256 * 1024);
    const reopened = new IndexFile(path, slots, 1000, false, false);
    expect(reopened.query(7, 8, T0, T0 + 10)).toEqual([100]);
    expect(reopened.query(999_999, 8, T0, T0 + 10)).toEqual([200]);
    expect(reopened.query(5, 8, T0, T0 + 10)).toEqual([]);
    reopened.close();
  });

  it('reports a seal that cannot write as a rejection, not a throw into the put that filled the file', async () => {
    const { file } = newFile();
    putRange(file, 0, 10);
    file.close(); // every write now fails (no descriptor)
    let sealing: Promise<void> | undefined;
    expect(() => (sealing = file.seal())).not.toThrow();
    await expect(sealing).rejects.toThrow(/fd/);
    expect(() => file.put(1, 1, T0)).toThrow(/read-only/); // the memory copy was dropped all the same
  });
});
