import { join } from 'node:path';
import { Admin, silentLogger } from '@rocketts/client';
import { BrokerController } from '../../broker/src/broker-controller';
import { resolveBrokerConfig } from '../../broker/src/config';
import { NamesrvController, resolveNamesrvConfig } from '../../broker/src/namesrv';
import { randomTopic, tmpStoreDir } from './tmp';

export { eventually } from './push';

/** A name server and one broker in this process, on loopback ports chosen by the OS, with a temp store. */
export interface InProcessCluster {
  namesrvAddr: string;
  broker: BrokerController;
  brokerAddr: string;
  admin: Admin;
  /** A new topic with `queues` read/write queues on the broker, visible in the name server's route. */
  createTopic(queues: number, topic?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startInProcessCluster(
  brokerConf: Record<string, string | number | boolean> = {},
): Promise<InProcessCluster> {
  const dirs = tmpStoreDir('rocketts-push-');
  const ns = new NamesrvController(
    resolveNamesrvConfig({
      listenPort: 0,
      bindAddress: '127.0.0.1',
      kvConfigPath: join(dirs.dir, 'kv.json'),
    }),
    { logger: silentLogger },
  );
  const { port: nsPort } = await ns.start();
  const namesrvAddr = `127.0.0.1:${nsPort}`;
  const broker = new BrokerController(
    resolveBrokerConfig({
      brokerClusterName: 'TestCluster',
      brokerName: 'broker-a',
      brokerIP1: '127.0.0.1',
      bindAddress: '127.0.0.1',
      listenPort: 0,
      namesrvAddr,
      storePathRootDir: join(dirs.dir, 'store'),
      mappedFileSizeCommitLog: 16 * 1024 * 1024,
      ...brokerConf,
    }),
    silentLogger,
  );
  const info = await broker.start();
  const admin = new Admin({ namesrvAddr, logger: silentLogger });
  await admin.start();
  return {
    namesrvAddr,
    broker,
    brokerAddr: info.addr,
    admin,
    async createTopic(queues, topic = randomTopic()) {
      await admin.createTopic({
        topic,
        clusterName: 'TestCluster',
        readQueueNums: queues,
        writeQueueNums: queues,
      });
      await waitForRoute(admin, topic, queues);
      return topic;
    },
    async stop() {
      await admin.shutdown();
      await broker.shutdown();
      await ns.shutdown();
      dirs.cleanup();
    },
  };
}

/** Poll the name server until `topic` has a route with `queues` read queues (registration is asynchronous). */
export async function waitForRoute(
  admin: Admin,
  topic: string,
  queues = 1,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const route = await admin.topicRoute(topic);
      if (route.queueDatas.some((q) => q.readQueueNums >= queues)) return;
    } catch {
      // not registered yet
    }
    if (Date.now() > deadline) throw new Error(`no route for ${topic} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
