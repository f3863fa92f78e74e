import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrimeResult {
  gib: number;
  /** Milliseconds each GiB took to write. */
  msPerGib: number[];
}

const CHUNK = 1024 * 1024; // 1 MiB writes

/**
 * Write a scratch file of `gib` GiB into the temp directory and delete it, so the page cache the
 * scenarios fill comes from memory this machine has already touched. On a lazily backed VM (here:
 * Firecracker) the first touch of a guest page costs a hypervisor fault: ~3.3 s per GiB of page
 * cache against ~0.3 s once touched, charged to whichever system happens to write first. Capped at a
 * quarter of the free disk. Progress goes to stderr.
 */
export function primeMemory(gib: number): PrimeResult {
  const dir = mkdtempSync(join(tmpdir(), 'rocketts-bench-prime-'));
  const fs = statfsSync(dir);
  const allowed = Math.floor((fs.bavail * fs.bsize) / 4 / 2 ** 30);
  const total = Math.min(gib, allowed);
  const chunk = Buffer.alloc(CHUNK, 0x5a);
  const msPerGib: number[] = [];
  const fd = openSync(join(dir, 'scratch'), 'w');
  try {
    for (let g = 0; g < total; g++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 1024; i++) writeSync(fd, chunk, 0, CHUNK, (g * 1024 + i) * CHUNK);
      msPerGib.push(Number(process.hrtime.bigint() - t0) / 1e6);
      process.stderr.write(`  priming page cache: ${g + 1}/${total} GiB (${msPerGib[g]?.toFixed(0)} ms)\n`);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return { gib: total, msPerGib };
}
