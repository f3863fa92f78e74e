import { join } from 'node:path';
import { Admin, silentLogger } from '@rocketts/client';
import {
  BrokerController,
  NamesrvController,
  resolveBrokerConfig,
  resolveNamesrvConfig,
} from '../../broker/src';
import { tmpStoreDir } from './tmp';

export const EMBEDDED_CLUSTER = 'TestCluster';

export interface EmbeddedCluster {
  namesrvAddr: string;
  brokers: BrokerController[];
  admin: Admin;
  /** Create `topic` on every broker and wait until the name server routes it. */
  createTopic(topic: string, queueNums?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A name server and `brokers` brokers (broker-a, broker-b, …) in this process, on loopback with a temp store:
 * no build needed, one process to stop. Tests that exercise the CLI use test/helpers/cluster.ts instead.
 */
export async function startEmbeddedCluster(
  options: { brokers?: number; brokerConf?: Record<string, unknown> } = {},
): Promise<EmbeddedCluster> {
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
    await broker.start();
    brokers.push(broker);
  }
  const admin = new Admin({ namesrvAddr, logger: silentLogger });
  await admin.start();
  return {
    namesrvAddr,
    brokers,
    admin,
    async createTopic(topic, queueNums = 4) {
      await admin.createTopic({
        topic,
        clusterName: EMBEDDED_CLUSTER,
        readQueueNums: queueNums,
        writeQueueNums: queueNums,
      });
      await waitFor(async () => {
        const route = await admin.topicRoute(topic);
        if (route.queueDatas.length < brokers.length)
          throw new Error(`${topic} not routed on every broker yet`);
      });
    },
    async stop() {
      await admin.shutdown();
      for (const b of brokers.reverse()) await b.shutdown();
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
