import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@rocketts/client';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { StateError, topicConfig } from '@rocketts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NamesrvController } from './namesrv-controller';
import { resolveNamesrvConfig } from './namesrv-config';

const stubChannel = (): MemoryChannel => new MemoryChannel();

describe('NamesrvController', () => {
  let dir: string;
  let lines: string[];
  let clock: { now: number };
  let controller: NamesrvController;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rocketts-nsctl-'));
    lines = [];
    clock = { now: 1_000_000 };
    const config = resolveNamesrvConfig({
      listenPort: 0,
      bindAddress: '127.0.0.1',
      kvConfigPath: join(dir, 'kvConfig.json'),
      scanNotActiveBrokerInterval: 10,
    });
    const logger = createLogger('namesrv', { level: 'info', write: (l) => lines.push(l) });
    controller = new NamesrvController(config, { logger, now: () => clock.now });
  });
  afterEach(async () => {
    await controller.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts on a free port once, and shuts down idempotently', async () => {
    const { port } = await controller.start();
    expect(port).toBeGreaterThan(0);
    expect(controller.port).toBe(port);
    await expect(controller.start()).rejects.toThrow(StateError);
    expect(controller.stats()).toEqual({
      clusters: 0,
      brokerNames: 0,
      brokers: 0,
      topics: 0,
      connections: 0,
      kvNamespaces: 0,
    });
    await controller.shutdown();
    await controller.shutdown();
  });

  it('evicts an expired broker on its scan timer and logs it', async () => {
    await controller.start();
    const channel = stubChannel();
    controller.routeInfo.registerBroker({
      clusterName: 'C',
      brokerAddr: '127.0.0.1:10911',
      brokerName: 'broker-a',
      brokerId: 0,
      haServerAddr: '',
      topicConfigWrapper: {
        topicConfigTable: { T: topicConfig('T') },
        dataVersion: { timestamp: 1, counter: 1, stateVersion: 0 },
      },
      filterServerList: [],
      channel,
    });
    expect(controller.stats()).toMatchObject({ brokers: 1, topics: 1 });
    clock.now += 120_001;
    await expect.poll(() => controller.stats().brokers, { timeout: 2000 }).toBe(0);
    expect(channel.isActive() === false).toBe(true);
    expect(lines.map((l) => JSON.parse(l) as { msg: string; brokerAddr?: string })).toContainEqual(
      expect.objectContaining({ msg: 'broker expired', brokerAddr: '127.0.0.1:10911' }),
    );
  });
});
