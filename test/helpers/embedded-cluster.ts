import { join } from 'node:path';
import { Admin, Producer, silentLogger } from '@rocketts/client';
import {
  BrokerController,
  NamesrvController,
  resolveBrokerConfig,
  resolveNamesrvConfig,
} from '../../broker/src';
import { randomGroup, randomTopic, tmpStoreDir } from './tmp';

export const EMBEDDED_CLUSTER = 'TestCluster';

export interface EmbeddedCluster {
  namesrvAddr: string;
  brokers: BrokerController[];
  /** "127.0.0.1:port" of each broker, in the order of `brokers`. */
  brokerAddrs: string[];
  admin: Admin;
  /**
   * Create `topic` (a random name by default) with `queueNums` read/write queues on every broker and wait
   * until the name server routes it on all of them; returns the topic.
   */
  createTopic(topic?: string, queueNums?: number): Promise<string>;
  /** A started producer of a new group; `stop()` shuts it down. */
  startProducer(): Promise<Producer>;
  stop(): Promise<void>;
}

export interface EmbeddedClusterOptions {
  /** Brokers named broker-a, broker-b, … (default 1). */
  brokers?: number;
  /** broker.conf keys applied to every broker (e.g. messageDelayLevel). */
  brokerConf?: Record<string, unknown>;
}

/**
 * A name server and `brokers` brokers in this process, on loopback ports chosen by the OS, with a temp
 * store: no build needed, one process to stop. Tests that exercise the CLI start processes with
 * test/helpers/cluster.ts instead.
 */
export async function startEmbeddedCluster(options: EmbeddedClusterOptions = {}): Promise<EmbeddedCluster> {
  const dirs = tmpStoreDir('rocketts-embedded-');
  const ns = new NamesrvController(
    resolveNamesrvConfig({
      listenPort: 0,
      bindAddress: '127.0.0.1',
      kvConfigPath: join(dirs.dir, 'kv.json'),
    }),
    { logger: silentLogger },
  );
  const { port } = await ns.start();
  const namesrvAddr = `127.0.0.1:${port}`;
  const brokers: BrokerController[] = [];
  const brokerAddrs: string[] = [];
  for (let i = 0; i < (options.brokers ?? 1); i++) {
    const broker = new BrokerController(
      resolveBrokerConfig({
        brokerClusterName: EMBEDDED_CLUSTER,
        brokerName: `broker-${String.fromCharCode(97 + i)}`,
        brokerIP1: '127.0.0.1',
        bindAddress: '127.0.0.1',
        listenPort: 0,
        namesrvAddr,
        storePathRootDir: join(dirs.dir, `broker-${i}`),
        mappedFileSizeCommitLog: 16 * 1024 * 1024,
        ...options.brokerConf,
      }),
      silentLogger,
    );
    brokerAddrs.push((await broker.start()).addr);
    brokers.push(broker);
  }
  const admin = new Admin({ namesrvAddr, logger: silentLogger });
  await admin.start();
  const producers: Producer[] = [];
  return {
    namesrvAddr,
    brokers,
    brokerAddrs,
    admin,
    async createTopic(topic = randomTopic(), queueNums = 4) {
      await admin.createTopic({
        topic,
        clusterName: EMBEDDED_CLUSTER,
        readQueueNums: queueNums,
        writeQueueNums: queueNums,
      });
      // Registration with the name server is asynchronous.
      await waitFor(async () => {
        const route = await admin.topicRoute(topic);
        if (route.queueDatas.filter((q) => q.readQueueNums >= queueNums).length < brokers.length)
          throw new Error(`${topic} not routed on every broker yet`);
      });
      return topic;
    },
    async startProducer() {
      const p = new Producer({ namesrvAddr, producerGroup: randomGroup(), logger: silentLogger });
      await p.start();
      producers.push(p);
      return p;
    },
    async stop() {
      for (const p of producers.splice(0)) await p.shutdown();
      await admin.shutdown();
      for (const b of [...brokers].reverse()) await b.shutdown();
      await ns.shutdown();
      dirs.cleanup();
    },
  };
}

/** Poll `check` until it passes or `timeoutMs` elapses; the last failure is rethrown. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
