import { silentLogger } from '@rocketts/client';
import {
  bodyCrc,
  createRequest,
  decodeKvTable,
  encodeJavaJson,
  encodeRegisterBrokerBody,
  HeaderFieldError,
  parseJavaJson,
  RequestCode,
  ResponseCode,
  topicConfig,
  type DataVersion,
} from '@rocketts/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerRegistrationProcessor } from './broker-registration-processor';
import { KvConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config-manager';
import { RouteInfoManager } from './route-info-manager';

const channel = new MemoryChannel();

const DV: DataVersion = { timestamp: 1_700_000_000_000, counter: 7, stateVersion: 0 };

function registerBody(dataVersion = DV): Buffer {
  return encodeRegisterBrokerBody({
    filterServerList: [],
    topicConfigSerializeWrapper: {
      dataVersion,
      topicConfigTable: { TopicTest: topicConfig('TopicTest', { readQueueNums: 4, writeQueueNums: 4 }) },
    },
  });
}

function registerRequest(over: Record<string, string> = {}, body: Buffer = registerBody()) {
  const ext = {
    brokerName: 'broker-a',
    brokerAddr: '127.0.0.1:10911',
    clusterName: 'DefaultCluster',
    haServerAddr: '127.0.0.1:10912',
    brokerId: '0',
    ...over,
  };
  return createRequest(RequestCode.REGISTER_BROKER, ext, body);
}

describe('BrokerRegistrationProcessor', () => {
  let dir: string;
  let routes: RouteInfoManager;
  let kv: KvConfigManager;
  let processor: BrokerRegistrationProcessor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rocketts-nsreg-'));
    routes = new RouteInfoManager({ brokerExpiredMillis: 120_000 });
    kv = new KvConfigManager(join(dir, 'kvConfig.json'));
    processor = new BrokerRegistrationProcessor(routes, kv, silentLogger);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('registers a master: SUCCESS, no master address, and no body while ORDER_TOPIC_CONFIG is empty', () => {
    const resp = processor.process(registerRequest(), channel);
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    expect(resp.extFields).toEqual({});
    expect(resp.body).toBeUndefined();
    expect(routes.pickupTopicRouteData('TopicTest')?.queueDatas).toHaveLength(1);
  });

  it('answers with the ORDER_TOPIC_CONFIG namespace as a KVTable', () => {
    kv.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'TopicTest', 'broker-a:4');
    const resp = processor.process(registerRequest(), channel);
    expect(decodeKvTable(resp.body)).toEqual({ TopicTest: 'broker-a:4' });
  });

  it('tells a slave where its live master and HA port are', () => {
    processor.process(registerRequest(), channel);
    const resp = processor.process(
      registerRequest({ brokerAddr: '127.0.0.2:10911', haServerAddr: '127.0.0.2:10912', brokerId: '1' }),
      channel,
    );
    expect(resp.extFields).toEqual({ masterAddr: '127.0.0.1:10911', haServerAddr: '127.0.0.1:10912' });
  });

  it('checks bodyCrc32 when it is not 0', () => {
    const body = registerBody();
    const bad = processor.process(
      registerRequest({ bodyCrc32: String((bodyCrc(body) + 1) & 0x7fffffff) }, body),
      channel,
    );
    expect([bad.code, bad.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'crc32 not match']);
    expect(routes.counts().brokers).toBe(0);

    expect(processor.process(registerRequest({ bodyCrc32: String(bodyCrc(body)) }, body), channel).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(processor.process(registerRequest({ bodyCrc32: '0' }, body), channel).code).toBe(
      ResponseCode.SUCCESS,
    );
  });

  it('registers a broker that sends no body, with no topics', () => {
    const req = registerRequest();
    req.body = undefined;
    expect(processor.process(req, channel).code).toBe(ResponseCode.SUCCESS);
    expect(routes.counts()).toMatchObject({ brokers: 1, topics: 0 });
    expect(routes.queryBrokerDataVersion('127.0.0.1:10911')).toEqual({
      timestamp: 0,
      counter: 0,
      stateVersion: 0,
    });
  });

  it('rejects a registration without a required header field (the server answers SYSTEM_ERROR)', () => {
    const req = registerRequest();
    delete req.extFields?.haServerAddr;
    expect(() => processor.process(req, channel)).toThrow(HeaderFieldError);
  });

  it('unregisters a broker', () => {
    processor.process(registerRequest(), channel);
    const ext = {
      brokerName: 'broker-a',
      brokerAddr: '127.0.0.1:10911',
      clusterName: 'DefaultCluster',
      brokerId: '0',
    };
    expect(processor.process(createRequest(RequestCode.UNREGISTER_BROKER, ext), channel).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(routes.pickupTopicRouteData('TopicTest')).toBeUndefined();
  });

  it('QUERY_DATA_VERSION reports a change, answers the stored version and refreshes liveness when unchanged', () => {
    let now = 1_000_000;
    routes = new RouteInfoManager({ brokerExpiredMillis: 120_000, now: () => now });
    processor = new BrokerRegistrationProcessor(routes, kv, silentLogger);
    processor.process(registerRequest(), channel);
    const ext = {
      brokerName: 'broker-a',
      brokerAddr: '127.0.0.1:10911',
      clusterName: 'DefaultCluster',
      brokerId: '0',
    };

    const changed = processor.process(
      createRequest(RequestCode.QUERY_DATA_VERSION, ext, encodeJavaJson({ ...DV, counter: 8 })),
      channel,
    );
    expect(changed.extFields).toEqual({ changed: 'true' });
    expect(parseJavaJson(changed.body as Buffer)).toEqual(DV);

    now += 100_000;
    const same = processor.process(
      createRequest(RequestCode.QUERY_DATA_VERSION, ext, encodeJavaJson(DV)),
      channel,
    );
    expect(same.extFields).toEqual({ changed: 'false' });
    expect(routes.scanNotActiveBroker(1_000_000 + 120_001)).toEqual([]);
  });
});
