import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Producer, silentLogger } from '@rocketts/client';
import { startBroker, startNamesrv, type ProcHandle } from '@rocketts/broker';

export interface BenchCluster {
  namesrvAddr: string;
  /** Started; shut down when the run ends. */
  admin: Admin;
  /** Started (group bench_<name>_<pid>); shut down when the run ends. */
  producer: Producer;
}

export interface BenchClusterOptions {
  /** Names the temporary store directory. */
  name: string;
  flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /** Created before `run`, each with `queues` read and write queues. */
  topics: string[];
  queues: number;
}

/**
 * A name server and one broker started through the CLI, as users run them (temporary store, 1 GiB
 * segments), with the scenario's topics created and a producer started; everything is stopped and
 * deleted after `run`.
 */
export async function withBenchCluster<T>(
  o: BenchClusterOptions,
  run: (c: BenchCluster) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `rocketts-bench-${o.name}-`));
  let ns: ProcHandle | undefined;
  let broker: ProcHandle | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  try {
    ns = await startNamesrv(dir);
    broker = await startBroker({
      namesrv: ns.addr,
      storeDir: join(dir, 'broker'),
      flushDiskType: o.flushDiskType ?? 'ASYNC_FLUSH',
      conf: { mappedFileSizeCommitLog: 1024 * 1024 * 1024 },
    });
    admin = new Admin({ namesrvAddr: ns.addr, logger: silentLogger });
    await admin.start();
    for (const topic of o.topics) {
      await admin.createTopic({
        topic,
        clusterName: 'TestCluster',
        readQueueNums: o.queues,
        writeQueueNums: o.queues,
      });
    }
    producer = new Producer({
      namesrvAddr: ns.addr,
      producerGroup: `bench_${o.name}_${process.pid}`,
      logger: silentLogger,
    });
    await producer.start();
    return await run({ namesrvAddr: ns.addr, admin, producer });
  } finally {
    await producer?.shutdown();
    await admin?.shutdown();
    await broker?.stop();
    await ns?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
