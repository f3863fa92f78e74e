import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemotingClient, silentLogger } from '@rocketts/client';
import {
  bodyCrc,
  createRequest,
  decodeClusterInfo,
  decodeTopicRouteData,
  encodeRegisterBrokerBody,
  MQVersion,
  RequestCode,
  ResponseCode,
  topicConfig,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NamesrvController, resolveNamesrvConfig } from '../../broker/src/namesrv';

const TIMEOUT_MS = 3000;
const BROKER_ADDR = '127.0.0.1:10911';

/** Poll until `check` passes or `timeoutMs` elapses (eviction on close is asynchronous). */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('name server over TCP, driven by the real RemotingClient', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rocketts-namesrv-it-'));
  const kvConfigPath = join(dir, 'kvConfig.json');
  const topic = `NamesrvIT-${randomUUID().slice(0, 8)}`;
  const controller = new NamesrvController(
    resolveNamesrvConfig({ listenPort: 0, bindAddress: '127.0.0.1', kvConfigPath }),
    { logger: silentLogger },
  );
  const admin = new RemotingClient({ logger: silentLogger });
  const broker = new RemotingClient({ logger: silentLogger });
  let addr = '';

  const call = (cmd: RemotingCommand, client = admin): Promise<RemotingCommand> =>
    client.invoke(addr, cmd, TIMEOUT_MS);

  function routeRequest(version: number): RemotingCommand {
    const req = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    req.version = version;
    return req;
  }

  beforeAll(async () => {
    const { port } = await controller.start();
    addr = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    admin.shutdown();
    broker.shutdown();
    await controller.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a broker with a checksummed body', async () => {
    const body = encodeRegisterBrokerBody({
      filterServerList: [],
      topicConfigSerializeWrapper: {
        dataVersion: { timestamp: Date.now(), counter: 1, stateVersion: 0 },
        topicConfigTable: { [topic]: topicConfig(topic, { readQueueNums: 4, writeQueueNums: 4 }) },
      },
    });
    const ext = {
      brokerName: 'broker-it',
      brokerAddr: BROKER_ADDR,
      clusterName: 'ItCluster',
      haServerAddr: '127.0.0.1:10912',
      brokerId: '0',
      bodyCrc32: String(bodyCrc(body)),
    };
    const resp = await call(createRequest(RequestCode.REGISTER_BROKER, ext, body), broker);
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    expect(controller.stats()).toMatchObject({ brokers: 1, topics: 1, clusters: 1 });
  });

  it('serves the route in standard JSON to a 4.9.8 client and with bare keys to an old one', async () => {
    const resp = await call(routeRequest(MQVersion.V4_9_8));
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    const route = decodeTopicRouteData(resp.body);
    expect(route.brokerDatas).toEqual([
      { cluster: 'ItCluster', brokerName: 'broker-it', brokerAddrs: new Map([[0, BROKER_ADDR]]) },
    ]);
    expect(route.queueDatas).toEqual([
      { brokerName: 'broker-it', perm: 6, readQueueNums: 4, writeQueueNums: 4, topicSysFlag: 0 },
    ]);
    expect(resp.body?.toString()).toContain(`"brokerAddrs":{"0":"${BROKER_ADDR}"}`);

    const old = await call(routeRequest(MQVersion.V3_4_9));
    expect(old.body?.toString()).toContain(`"brokerAddrs":{0:"${BROKER_ADDR}"}`);
  });

  it('answers TOPIC_NOT_EXIST for an unknown topic', async () => {
    const resp = await call(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: `${topic}-missing` }));
    expect(resp.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(resp.remark).toBe(`No topic route info in name server for the topic: ${topic}-missing`);
  });

  it('serves the cluster info', async () => {
    const resp = await call(createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
    const info = decodeClusterInfo(resp.body);
    expect(info.clusterAddrTable.get('ItCluster')).toEqual(['broker-it']);
    expect(info.brokerAddrTable.get('broker-it')?.brokerAddrs.get(0)).toBe(BROKER_ADDR);
  });

  it('puts, gets and deletes a KV config, persisted to kvConfigPath', async () => {
    const key = { namespace: 'ORDER_TOPIC_CONFIG', key: topic };
    expect(
      (await call(createRequest(RequestCode.PUT_KV_CONFIG, { ...key, value: 'broker-it:4' }))).code,
    ).toBe(ResponseCode.SUCCESS);
    expect((await call(createRequest(RequestCode.GET_KV_CONFIG, key))).extFields?.value).toBe('broker-it:4');
    expect(JSON.parse(readFileSync(kvConfigPath, 'utf8'))).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: { [topic]: 'broker-it:4' } },
    });

    expect((await call(createRequest(RequestCode.DELETE_KV_CONFIG, key))).code).toBe(ResponseCode.SUCCESS);
    expect((await call(createRequest(RequestCode.GET_KV_CONFIG, key))).code).toBe(
      ResponseCode.QUERY_NOT_FOUND,
    );
    expect(existsSync(kvConfigPath)).toBe(true);
  });

  it('answers REQUEST_CODE_NOT_SUPPORTED for a broker-only request', async () => {
    const resp = await call(createRequest(RequestCode.SEND_MESSAGE));
    expect(resp.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });

  it('evicts the broker as soon as its connection closes', async () => {
    broker.shutdown();
    await eventually(async () => {
      const resp = await call(routeRequest(MQVersion.V4_9_8));
      expect(resp.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    });
    const info = decodeClusterInfo((await call(createRequest(RequestCode.GET_BROKER_CLUSTER_INFO))).body);
    expect(info.brokerAddrTable.size).toBe(0);
    expect(controller.stats()).toMatchObject({ brokers: 0, topics: 0, clusters: 0 });
  });
});
