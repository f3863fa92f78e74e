import { execFile, type ExecFileException } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { CLI } from './cluster';

const execFileAsync = promisify(execFile);

/** One admin command's budget: a hanging client (a socket or timer left open) fails the test. */
export const CLI_TIMEOUT_MS = 15_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AdminCli {
  /** `node broker/bin/rocketts.js admin …` with the environment a user would have (no NAMESRV_ADDR, default logs). */
  run(...args: string[]): Promise<CliResult>;
  /** Run a command that must succeed, returning its stdout. */
  ok(...args: string[]): Promise<string>;
}

/** The `rocketts admin` CLI as a child process; files it writes (message bodies) go to `tmpDir`. */
export function adminCli(tmpDir: string): AdminCli {
  const run = async (...args: string[]): Promise<CliResult> => {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpDir };
    delete env.NAMESRV_ADDR;
    delete env.ROCKETTS_LOG_LEVEL;
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, 'admin', ...args], {
        env,
        timeout: CLI_TIMEOUT_MS,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as ExecFileException & { stdout: string; stderr: string };
      if (typeof e.code !== 'number')
        throw new Error(`rocketts admin ${args.join(' ')} did not exit (${e.signal ?? e.message})`);
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const ok = async (...args: string[]): Promise<string> => {
    const r = await run(...args);
    expect(r, `rocketts admin ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
    return r.stdout;
  };
  return { run, ok };
}

/** Poll until `check` passes: routes reach the name server and the index is built asynchronously. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

/** Rows of an mqadmin-style table, header line dropped, cells split on runs of blanks. */
export const tableRows = (stdout: string): string[][] =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));

/** The value of a `Label:   value` line of a message detail block. */
export function field(stdout: string, label: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${label}:`));
  return line?.slice(label.length + 1).trim();
}
