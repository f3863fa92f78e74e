import { afterAll, beforeAll } from 'vitest';
import { Admin, Producer, silentLogger } from '@rocketts/client';
import { startBroker, startNamesrv, type ProcHandle } from './cluster';
import { eventually } from './push';
import { randomGroup, randomTopic, tmpStoreDir } from './tmp';

/** A name server and a broker started through the CLI, with an admin and a producer, for one test file. */
export interface CliCluster {
  /** Temp directory of the file: stores, offsets files. */
  readonly dir: string;
  readonly ns: ProcHandle;
  readonly broker: ProcHandle;
  readonly admin: Admin;
  readonly producer: Producer;
  /** Run at the end of the file, last registered first (consumers, extra processes). */
  readonly stops: (() => Promise<unknown>)[];
  /** A new random topic with `queues` queues, returned once its route is served. */
  topic(queues: number): Promise<string>;
}

/**
 * Registers beforeAll/afterAll that start and stop a CLI cluster; the fields are usable inside tests and
 * hooks that run after beforeAll.
 */
export function useCliCluster(): CliCluster {
  const dirs = tmpStoreDir();
  const c = { dir: dirs.dir, stops: [] as (() => Promise<unknown>)[] } as {
    -readonly [K in keyof CliCluster]: CliCluster[K];
  };
  c.topic = async (queues: number): Promise<string> => {
    const t = randomTopic();
    await c.admin.createTopic({
      topic: t,
      clusterName: 'TestCluster',
      readQueueNums: queues,
      writeQueueNums: queues,
    });
    await eventually(async () => (await c.admin.topicRoute(t).catch(() => undefined)) !== undefined, 'route');
    return t;
  };
  beforeAll(async () => {
    c.ns = await startNamesrv(dirs.dir);
    c.broker = await startBroker({ namesrv: c.ns.addr, storeDir: `${dirs.dir}/broker` });
    c.admin = new Admin({ namesrvAddr: c.ns.addr, logger: silentLogger });
    await c.admin.start();
    c.producer = new Producer({ namesrvAddr: c.ns.addr, producerGroup: randomGroup(), logger: silentLogger });
    await c.producer.start();
  });
  afterAll(async () => {
    for (const s of c.stops.splice(0).reverse()) await s().catch(() => undefined);
    await c.producer?.shutdown();
    await c.admin?.shutdown();
    await c.broker?.stop();
    await c.ns?.stop();
    dirs.cleanup();
  });
  return c;
}
