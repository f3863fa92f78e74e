import { afterEach } from 'vitest';
import { silentLogger } from '../../libs/client/src/logger';
import { Producer } from '../../libs/client/src/producer/producer';
import type { ProducerOptions } from '../../libs/client/src/producer/producer-options';
import { startFakeCluster, type FakeCluster } from './fake-cluster';

/**
 * Fake clusters and producers for producer specs, all closed after each test (registers the
 * afterEach hook of the calling spec file).
 */
export function producerFixture(defaults: { brokers: number; queueNums: number }): {
  cluster(brokers?: number, queueNums?: number): Promise<FakeCluster>;
  producer(c: FakeCluster, extra?: Partial<ProducerOptions>): Promise<Producer>;
} {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    async cluster(brokers = defaults.brokers, queueNums = defaults.queueNums) {
      const c = await startFakeCluster(brokers, { queueNums });
      cleanups.push(() => c.close());
      return c;
    },
    async producer(c, extra = {}) {
      const p = new Producer({
        namesrvAddr: c.namesrv.addr,
        producerGroup: 'PG',
        logger: silentLogger,
        ...extra,
      });
      await p.start();
      cleanups.push(() => p.shutdown());
      return p;
    },
  };
}
