import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Admin, silentLogger } from '@rocketts/client';
import {
  BROKER_NODE_OPTIONS,
  CLI,
  startBroker,
  startCli,
  startNamesrv,
  type ProcHandle,
} from '../helpers/cluster';
import { tmpStoreDir } from '../helpers/tmp';

const run = promisify(execFile);

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { timeout: 15_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('rocketts namesrv / broker commands', () => {
  it('refuses a bad broker.conf value and names the key', async () => {
    const d = tmpStoreDir();
    try {
      const conf = join(d.dir, 'broker.conf');
      writeFileSync(conf, `storePathRootDir=${d.dir}\nflushDiskType=SOMETIMES\n`);
      const r = await runCli(['broker', '-c', conf]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("config key 'flushDiskType'");
      expect(r.stderr).toContain('ASYNC_FLUSH, SYNC_FLUSH');
      writeFileSync(conf, `storePathRootDir=${d.dir}\nlistenPort=70000\n`);
      expect((await runCli(['broker', '-c', conf])).stderr).toContain("config key 'listenPort'");
      expect((await runCli(['broker', '-c', join(d.dir, 'missing.conf')])).stderr).toContain('cannot read');
    } finally {
      d.cleanup();
    }
  });

  it('prints the effective configuration with -p, warning about keys it does not know', async () => {
    const d = tmpStoreDir();
    try {
      const conf = join(d.dir, 'broker.conf');
      writeFileSync(
        conf,
        `# RocketMQ keys\nbrokerName=broker-x\nstorePathRootDir=${d.dir}\nenableDLegerCommitLog=false\n`,
      );
      const r = await runCli(['broker', '-c', conf, '-p']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('brokerName=broker-x');
      expect(r.stdout).toContain('flushDiskType=ASYNC_FLUSH');
      expect(r.stderr).toMatch(/unknown config key ignored.*enableDLegerCommitLog/);
    } finally {
      d.cleanup();
    }
  });

  it('rejects unknown commands and options with a usage error', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['namesrv', '--noSuchOption=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --noSuchOption');
  });

  it('stops cleanly on SIGTERM: exit 0, checkpoint written, abort marker removed', async () => {
    const d = tmpStoreDir();
    try {
      const ns = await startNamesrv(d.dir);
      const storeDir = join(d.dir, 'b');
      const broker = await startBroker({ namesrv: ns.addr, storeDir });
      // Started as a user's script would, with the broker's V8 heap options on its command line.
      const argv = readFileSync(`/proc/${broker.proc.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 1 + BROKER_NODE_OPTIONS.length)).toEqual(BROKER_NODE_OPTIONS);
      expect(existsSync(join(storeDir, 'abort'))).toBe(true);
      expect(await broker.stop()).toBe(0);
      expect(existsSync(join(storeDir, 'abort'))).toBe(false);
      expect(existsSync(join(storeDir, 'checkpoint'))).toBe(true);
      expect(await ns.stop()).toBe(0);
    } finally {
      d.cleanup();
    }
  });

  it('serves /health and /metrics on the broker and the name server', async () => {
    const d = tmpStoreDir();
    try {
      const ns = await startCli([
        'namesrv',
        '--port',
        '0',
        '--bindAddress=127.0.0.1',
        `--kvConfigPath=${join(d.dir, 'kv.json')}`,
        '--metricsPort=0',
      ]);
      const broker = await startBroker({
        namesrv: ns.addr,
        storeDir: join(d.dir, 'b'),
        conf: { metricsPort: 0 },
      });
      try {
        const port = (h: ProcHandle): number => Number(/metrics on port (\d+)/.exec(h.output())?.[1]);
        const health = await fetch(`http://127.0.0.1:${port(broker)}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'UP', broker: 'broker-a', writable: true });
        const metrics = await (await fetch(`http://127.0.0.1:${port(broker)}/metrics`)).text();
        expect(metrics).toMatch(/^# TYPE rocketts_broker_messages_put_total counter$/m);
        expect(metrics).toMatch(
          /^rocketts_broker_connections\{broker="broker-a",cluster="TestCluster"\} \d+$/m,
        );
        const nsMetrics = await (await fetch(`http://127.0.0.1:${port(ns)}/metrics`)).text();
        expect(nsMetrics).toMatch(/^rocketts_namesrv_brokers 1$/m);
        expect((await fetch(`http://127.0.0.1:${port(ns)}/nope`)).status).toBe(404);
      } finally {
        await broker.stop();
        await ns.stop();
      }
    } finally {
      d.cleanup();
    }
  });

  it('registers a broker with every name server it is given, and each serves its routes', async () => {
    const d = tmpStoreDir();
    const nsA = await startNamesrv(join(d.dir, 'a'));
    const nsB = await startNamesrv(join(d.dir, 'b'));
    const broker = await startBroker({ namesrv: `${nsA.addr};${nsB.addr}`, storeDir: join(d.dir, 'broker') });
    try {
      for (const ns of [nsA, nsB]) {
        const admin = new Admin({ namesrvAddr: ns.addr, logger: silentLogger });
        await admin.start();
        try {
          const cluster = await admin.clusterInfo();
          expect(cluster.brokerAddrTable.get('broker-a')?.brokerAddrs.get(0)).toBe(broker.addr);
          expect(await admin.topicList()).toContain('TBW102');
        } finally {
          await admin.shutdown();
        }
      }
    } finally {
      await broker.stop();
      await nsA.stop();
      await nsB.stop();
      d.cleanup();
    }
  });
});
