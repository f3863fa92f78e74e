/**
 * Start the real `rocketts` CLI as child processes (name server, brokers) and wait until they are
 * up: used by integration tests, benchmarks and local-cluster scripts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The broker package's CLI; the same relative path from src/ (tests) and dist/ (scripts, bench). */
export const CLI = resolve(__dirname, '../../bin/rocketts.js');
const BUILT_MAIN = resolve(__dirname, '../../dist/cli/main.js');

/**
 * V8 options a broker process starts with (as RocketMQ's runbroker.sh sets the JVM heap). A broker's
 * live heap is small (~8 MB) and V8 sizes the old generation from it, leaving ~8 MB of headroom: the
 * objects each scavenge promotes filled that every 250–400 ms at 10,000 msg/s, and every full
 * collection paused the broker 2–5 ms. A 128 MB initial old generation makes them rare (20 → 2 in a
 * 10 s run) and halved p99 end-to-end latency at that rate. Memory is only used as garbage
 * accumulates. Node does not accept this option in NODE_OPTIONS, so it goes on the command line.
 */
export const BROKER_NODE_OPTIONS: readonly string[] = ['--initial-old-space-size=128'];

export interface ProcHandle {
  proc: ChildProcess;
  port: number;
  /** "127.0.0.1:port". */
  addr: string;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

function ensureBuilt(): void {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error('broker/dist is missing: run `npm run build` (npm test does it first)');
  }
}

/** Run the real CLI as a child process and wait for its "boot success" line. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
  nodeOptions: readonly string[] = [],
): Promise<ProcHandle> {
  ensureBuilt();
  const proc = spawn(process.execPath, [...nodeOptions, CLI, ...args], {
    env: { ...process.env, ROCKETTS_LOG_LEVEL: process.env.ROCKETTS_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`rocketts ${args.join(' ')} did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /boot success\. serializeType=\w+ port=(\d+)|broker\[[^,]+, [^\]]+:(\d+)\] boot success/.exec(
        out,
      );
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1] ?? m[2]);
        resolveStart({
          proc,
          port,
          addr: `127.0.0.1:${port}`,
          output: () => out,
          exited,
          stop: async () => {
            proc.kill('SIGTERM');
            return exited;
          },
          kill: async () => {
            proc.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rocketts ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

export function startNamesrv(dir: string): Promise<ProcHandle> {
  return startCli([
    'namesrv',
    '--port',
    '0',
    '--bindAddress=127.0.0.1',
    `--kvConfigPath=${join(dir, 'kv.json')}`,
  ]);
}

export interface BrokerOptions {
  namesrv: string;
  storeDir: string;
  brokerName?: string;
  flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /** Extra broker.conf lines. */
  conf?: Record<string, string | number | boolean>;
  port?: number;
}

/** Write a broker.conf in the store dir and start `rocketts broker -c` on it. */
export function startBroker(o: BrokerOptions): Promise<ProcHandle> {
  const conf: Record<string, string | number | boolean> = {
    brokerClusterName: 'TestCluster',
    brokerName: o.brokerName ?? 'broker-a',
    brokerId: 0,
    brokerIP1: '127.0.0.1',
    bindAddress: '127.0.0.1',
    listenPort: o.port ?? 0,
    storePathRootDir: o.storeDir,
    flushDiskType: o.flushDiskType ?? 'ASYNC_FLUSH',
    mappedFileSizeCommitLog: 64 * 1024 * 1024,
    ...o.conf,
  };
  mkdirSync(o.storeDir, { recursive: true });
  const file = join(o.storeDir, 'broker.conf');
  writeFileSync(
    file,
    Object.entries(conf)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  return startCli(['broker', '-c', file, '-n', o.namesrv], {}, undefined, BROKER_NODE_OPTIONS);
}
