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
});
