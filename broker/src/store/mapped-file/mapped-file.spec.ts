import { afterEach, describe, expect, it } from 'vitest';
import { tmpStoreDir } from '../../../../test/helpers/tmp';
import { MappedFile } from './mapped-file';

describe('MappedFile.flush', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  const newFile = (): MappedFile => {
    const t = tmpStoreDir();
    const f = MappedFile.create(t.dir, 0, 1 << 20);
    cleanups.push(() => {
      f.close();
      t.cleanup();
    });
    return f;
  };
  const bytes = Buffer.alloc(4096, 7);

  it('shares a sync under way with callers whose bytes it covers', async () => {
    const f = newFile();
    f.append(bytes, 0, bytes.length);
    const first = f.flush();
    expect(f.flush()).toBe(first);
    expect(await first).toBe(4096);
    expect(f.flushedPosition).toBe(4096);
  });

  it('starts a second sync at once for bytes written after the first started', async () => {
    const f = newFile();
    f.append(bytes, 0, bytes.length);
    const first = f.flush();
    f.append(bytes, 0, bytes.length);
    const second = f.flush();
    expect(second).not.toBe(first);
    expect(f.syncsInFlight).toBe(2);
    // A third caller with new bytes waits for the second and then syncs again.
    f.append(bytes, 0, bytes.length);
    const third = f.flush();
    expect(third).not.toBe(second);
    expect(f.syncsInFlight).toBe(2);
    expect(await first).toBeGreaterThanOrEqual(4096);
    expect(await second).toBeGreaterThanOrEqual(8192);
    expect(await third).toBe(12288);
    await f.idle();
    expect(f.syncsInFlight).toBe(0);
    expect(f.flushedPosition).toBe(12288);
  });

  it('is idle at once when nothing is being synced', async () => {
    const f = newFile();
    await f.idle();
    expect(await f.flush()).toBe(0);
  });
});
