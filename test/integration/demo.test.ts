import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cluster';
import { tmpStoreDir } from '../helpers/tmp';

const run = promisify(execFile);

describe('rocketts demo (what `npm run demo` runs)', () => {
  it('round-trips the order events through an embedded name server and broker', async () => {
    const d = tmpStoreDir();
    try {
      const { stdout } = await run(
        process.execPath,
        [CLI, 'demo', '--once', '--dir', d.dir, '--namesrvPort', '0', '--port', '0'],
        {
          timeout: 30_000,
        },
      );
      expect(stdout.match(/^ {2}sent /gm)).toHaveLength(9);
      const got = stdout.match(/^ {2}got .*$/gm) ?? [];
      expect(got).toHaveLength(6);
      expect(got.every((l) => /OrderPaid|OrderShipped/.test(l))).toBe(true);
      expect(stdout).toContain('query by key ORDER-1002 → 3 messages');
      expect(stdout.trimEnd().endsWith('demo done')).toBe(true);
    } finally {
      d.cleanup();
    }
  });
});
