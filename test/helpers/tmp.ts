import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A fresh temp directory; `cleanup()` removes it. Every test makes its own. */
export function tmpStoreDir(prefix = 'rocketts-store-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A topic or group name no other test uses. */
export function randomName(prefix = 'T'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export const randomTopic = (): string => randomName('Topic');
export const randomGroup = (): string => randomName('Group');
