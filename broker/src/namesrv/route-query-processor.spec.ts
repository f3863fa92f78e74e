import {
  createRequest,
  decodeTopicList,
  MQVersion,
  RequestCode,
  ResponseCode,
  topicConfig,
  type TopicConfig,
} from '@rocketts/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NAMESRV_SCHEMA } from '../config/broker-config';
import { resolveSchema } from '../config/config-schema';
import { KvConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config-manager';
import { NamesrvRuntimeConfig } from './namesrv-config';
import { RouteInfoManager } from './route-info-manager';
import { RouteQueryProcessor } from './route-query-processor';

const channel = new MemoryChannel();

/** Exactly what a 4.9.x name server answers ali-ons (version 121): §6.1 minus 5.x's enableActingMaster. */
const OLD_CLIENT_ROUTE =
  '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
  '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';

describe('RouteQueryProcessor', () => {
  let dir: string;
  let routes: RouteInfoManager;
  let kv: KvConfigManager;
  let config: NamesrvRuntimeConfig;
  let processor: RouteQueryProcessor;

  function register(
    brokerName: string,
    addr: string,
    topics: TopicConfig[],
    clusterName = 'DefaultCluster',
  ): void {
    routes.registerBroker({
      clusterName,
      brokerAddr: addr,
      brokerName,
      brokerId: 0,
      haServerAddr: '',
      topicConfigWrapper: {
        topicConfigTable: Object.fromEntries(topics.map((t) => [t.topicName, t])),
        dataVersion: { timestamp: 1, counter: 1, stateVersion: 0 },
      },
      filterServerList: [],
      channel,
    });
  }

  function routeRequest(topic: string, version: number, ext: Record<string, string> = {}) {
    const req = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic, ...ext });
    req.version = version;
    return req;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rocketts-nsroute-'));
    routes = new RouteInfoManager({ brokerExpiredMillis: 120_000 });
    kv = new KvConfigManager(join(dir, 'kvConfig.json'));
    config = new NamesrvRuntimeConfig(resolveSchema(NAMESRV_SCHEMA, { kvConfigPath: kv.path }));
    processor = new RouteQueryProcessor(routes, kv, config);
    register('broker-a', '127.0.0.1:10911', [
      topicConfig('TopicTest', { readQueueNums: 4, writeQueueNums: 4 }),
    ]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers an old client (version < 401) with fastjson bare numeric keys, byte for byte', () => {
    const resp = processor.process(routeRequest('TopicTest', MQVersion.V3_4_9));
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    expect(resp.body?.toString('utf8')).toBe(OLD_CLIENT_ROUTE);
  });

  it('answers standard JSON to clients ≥ 4.9.4 and to old clients that ask for it', () => {
    const standard = OLD_CLIENT_ROUTE.replace('{0:', '{"0":');
    expect(processor.process(routeRequest('TopicTest', MQVersion.V4_9_4)).body?.toString()).toBe(standard);
    expect(
      processor
        .process(routeRequest('TopicTest', MQVersion.V3_4_9, { acceptStandardJsonOnly: 'true' }))
        .body?.toString(),
    ).toBe(standard);
    expect(
      processor
        .process(routeRequest('TopicTest', MQVersion.V3_4_9, { acceptStandardJsonOnly: 'false' }))
        .body?.toString(),
    ).toBe(OLD_CLIENT_ROUTE);
  });

  it('answers TOPIC_NOT_EXIST with the Java remark and no body', () => {
    const resp = processor.process(routeRequest('Missing', MQVersion.V4_9_8));
    expect(resp.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(resp.remark).toBe('No topic route info in name server for the topic: Missing');
    expect(resp.body).toBeUndefined();
  });

  it('adds orderTopicConf from KV ORDER_TOPIC_CONFIG only when orderMessageEnable is on', () => {
    kv.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'TopicTest', 'broker-a:4');
    expect(processor.process(routeRequest('TopicTest', MQVersion.V4_9_8)).body?.toString()).not.toContain(
      'orderTopicConf',
    );
    config.update({ orderMessageEnable: 'true' });
    expect(processor.process(routeRequest('TopicTest', MQVersion.V4_9_8)).body?.toString()).toContain(
      '"orderTopicConf":"broker-a:4"',
    );
  });

  it('answers GET_BROKER_CLUSTER_INFO in fastjson style whatever the client version', () => {
    const req = createRequest(RequestCode.GET_BROKER_CLUSTER_INFO);
    req.version = MQVersion.V5_3_3;
    expect(processor.process(req).body?.toString()).toBe(
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},' +
        '"clusterAddrTable":{"DefaultCluster":["broker-a"]}}',
    );
  });

  it('lists all topics unless enableAllTopicList is off', () => {
    const req = createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    expect(decodeTopicList(processor.process(req).body)).toEqual(['TopicTest']);
    config.update({ enableAllTopicList: 'false' });
    const resp = processor.process(req);
    expect([resp.code, resp.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'disable']);
  });

  it('lists topics by cluster, system topics and unit topics', () => {
    register(
      'broker-b',
      '127.0.0.2:10911',
      [
        topicConfig('Other'),
        topicConfig('Unit', { topicSysFlag: 1 }),
        topicConfig('UnitSub', { topicSysFlag: 2 }),
      ],
      'C2',
    );
    const list = (code: number, ext?: Record<string, string>): string[] =>
      decodeTopicList(processor.process(createRequest(code, ext)).body);
    expect(list(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'C2' })).toEqual(['Other', 'Unit', 'UnitSub']);
    expect(list(RequestCode.GET_UNIT_TOPIC_LIST)).toEqual(['Unit']);
    expect(list(RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST)).toEqual(['UnitSub']);
    expect(list(RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST)).toEqual(['UnitSub']);
    const system = processor
      .process(createRequest(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS))
      .body?.toString();
    expect(system).toBe(
      '{"brokerAddr":"127.0.0.1:10911","topicList":["DefaultCluster","broker-a","C2","broker-b"]}',
    );
  });
});
