import { silentLogger } from '@rocketts/client';
import { createRequest, Perm, RequestCode, ResponseCode, topicConfig } from '@rocketts/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { parseProperties } from '../config/properties-file';
import { NamesrvRuntimeConfig, resolveNamesrvConfig } from './namesrv-config';
import { RouteInfoManager } from './route-info-manager';
import { TopicAdminProcessor } from './topic-admin-processor';

const channel = new MemoryChannel();

describe('TopicAdminProcessor', () => {
  let routes: RouteInfoManager;
  let config: NamesrvRuntimeConfig;
  let processor: TopicAdminProcessor;

  beforeEach(() => {
    routes = new RouteInfoManager({ brokerExpiredMillis: 120_000 });
    config = new NamesrvRuntimeConfig(
      resolveNamesrvConfig({ kvConfigPath: '/var/lib/rocketts/kvConfig.json', listenPort: 0 }),
    );
    processor = new TopicAdminProcessor(routes, config, silentLogger);
    routes.registerBroker({
      clusterName: 'DefaultCluster',
      brokerAddr: '127.0.0.1:10911',
      brokerName: 'broker-a',
      brokerId: 0,
      haServerAddr: '',
      topicConfigWrapper: {
        topicConfigTable: { T1: topicConfig('T1'), T2: topicConfig('T2') },
        dataVersion: { timestamp: 1, counter: 1, stateVersion: 0 },
      },
      filterServerList: [],
      channel,
    });
  });

  const updateConfig = (text: string) =>
    processor.process(
      createRequest(RequestCode.UPDATE_NAMESRV_CONFIG, undefined, Buffer.from(text)),
      channel,
    );

  it('wipes and adds write permission, answering the topic counts in headers', () => {
    const wipe = processor.process(
      createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' }),
      channel,
    );
    expect(wipe.extFields).toEqual({ wipeTopicCount: '2' });
    expect(routes.pickupTopicRouteData('T1')?.queueDatas[0]?.perm).toBe(Perm.READ);

    const add = processor.process(
      createRequest(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' }),
      channel,
    );
    expect(add.extFields).toEqual({ addTopicCount: '2' });
    expect(routes.pickupTopicRouteData('T1')?.queueDatas[0]?.perm).toBe(Perm.READ | Perm.WRITE);

    const none = processor.process(
      createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'nobody' }),
      channel,
    );
    expect(none.extFields).toEqual({ wipeTopicCount: '0' });
  });

  it('deletes a topic from the name server', () => {
    const resp = processor.process(
      createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'T1', clusterName: 'DefaultCluster' }),
      channel,
    );
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    expect(routes.getAllTopicList()).toEqual(['T2']);
  });

  it('answers GET_NAMESRV_CONFIG as Java properties text', () => {
    const body =
      processor.process(createRequest(RequestCode.GET_NAMESRV_CONFIG), channel).body?.toString('utf8') ?? '';
    expect(body).toMatch(/^listenPort=0\n/m);
    expect(body).toContain('kvConfigPath=/var/lib/rocketts/kvConfig.json\n');
    expect(parseProperties(body)).toMatchObject({
      brokerExpiredMillis: '120000',
      enableAllTopicList: 'true',
      orderMessageEnable: 'false',
    });
  });

  it('applies a valid update atomically', () => {
    expect(updateConfig('orderMessageEnable=true\nbrokerExpiredMillis=30000\n').code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(config.current).toMatchObject({ orderMessageEnable: true, brokerExpiredMillis: 30_000 });
    expect(updateConfig('').code).toBe(ResponseCode.SUCCESS);
  });

  it('refuses path keys remotely with NO_PERMISSION naming the key, changing nothing', () => {
    for (const key of ['kvConfigPath', 'configStorePath', 'rocketmqHome', 'storePathRootDir']) {
      const resp = updateConfig(`orderMessageEnable=true\n${key}=/tmp/evil\n`);
      expect([resp.code, resp.remark]).toEqual([
        ResponseCode.NO_PERMISSION,
        `Can not update config path: ${key}`,
      ]);
    }
    expect(config.current.kvConfigPath).toBe('/var/lib/rocketts/kvConfig.json');
    expect(config.current.orderMessageEnable).toBe(false);
  });

  it('rejects unknown keys, bad values and start-only keys with INVALID_PARAMETER naming the key', () => {
    const cases: [string, RegExp][] = [
      ['noSuchKey=1', /config key 'noSuchKey': unknown configuration key/],
      ['brokerExpiredMillis=soon', /config key 'brokerExpiredMillis': expected an integer/],
      ['orderMessageEnable=yes', /config key 'orderMessageEnable'/],
      ['scanNotActiveBrokerInterval=1', /config key 'scanNotActiveBrokerInterval': 1 is below the minimum/],
      ['listenPort=9877', /config key 'listenPort': read at start only/],
    ];
    for (const [text, remark] of cases) {
      const resp = updateConfig(`enableAllTopicList=false\n${text}`);
      expect(resp.code).toBe(ResponseCode.INVALID_PARAMETER);
      expect(resp.remark).toMatch(remark);
    }
    expect(config.current.enableAllTopicList).toBe(true);
  });
});
