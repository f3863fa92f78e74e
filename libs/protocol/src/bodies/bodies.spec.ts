import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeHeartbeatData, encodeHeartbeatData, type HeartbeatData } from './heartbeat';
import {
  decodeClusterInfo,
  decodeTopicRouteData,
  encodeClusterInfo,
  encodeTopicRouteData,
  type TopicRouteData,
} from './route';
import { decodeRegisterBrokerBody, encodeRegisterBrokerBody, topicConfig } from './topic-config';
import {
  decodeConsumerIdList,
  decodeKvTable,
  decodeTopicList,
  encodeConsumerIdList,
  encodeKvTable,
  encodeTopicList,
} from './simple-bodies';

const route: TopicRouteData = {
  brokerDatas: [
    {
      cluster: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerAddrs: new Map([[0, '127.0.0.1:10911']]),
      enableActingMaster: false,
    },
  ],
  filterServerTable: {},
  queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, writeQueueNums: 4, topicSysFlag: 0 }],
};

describe('route bodies (§6.1)', () => {
  it('encodes the route exactly as a Java name server answers an old client', () => {
    expect(encodeTopicRouteData(route, false).toString()).toBe(
      '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
    expect(encodeTopicRouteData(route, true).toString()).toContain('"brokerAddrs":{"0":"127.0.0.1:10911"}');
  });

  it('decodes both styles and the 4.8-era topicSynFlag spelling', () => {
    expect(decodeTopicRouteData(encodeTopicRouteData(route, false))).toEqual(route);
    expect(decodeTopicRouteData(encodeTopicRouteData(route, true))).toEqual(route);
    const old = Buffer.from(
      '{"brokerDatas":[],"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"writeQueueNums":1,"topicSynFlag":3}]}',
    );
    expect(decodeTopicRouteData(old).queueDatas[0]?.topicSysFlag).toBe(3);
  });

  it('round-trips ClusterInfo with bare numeric keys', () => {
    const info = {
      brokerAddrTable: new Map([['broker-a', route.brokerDatas[0]!]]),
      clusterAddrTable: new Map([['DefaultCluster', ['broker-a']]]),
    };
    const buf = encodeClusterInfo(info);
    expect(buf.toString()).toContain('{0:"127.0.0.1:10911"}');
    expect(decodeClusterInfo(buf)).toEqual(info);
  });
});

describe('broker registration bodies (§6.2)', () => {
  const body = {
    filterServerList: [],
    topicConfigSerializeWrapper: {
      dataVersion: { counter: 7, stateVersion: 0, timestamp: 1700000000000 },
      topicConfigTable: { TopicTest: topicConfig('TopicTest', { readQueueNums: 4, writeQueueNums: 4 }) },
    },
  };

  it('round-trips the JSON form', () => {
    const buf = encodeRegisterBrokerBody(body);
    expect(buf.toString()).toMatch(
      /^\{"filterServerList":\[\],"topicConfigSerializeWrapper":\{"dataVersion":\{"counter":7/,
    );
    expect(decodeRegisterBrokerBody(buf, false)).toEqual(body);
  });

  it('decodes the compressed form Java brokers can send', () => {
    const parts: Buffer[] = [];
    const chunk = (s: string): void => {
      const b = Buffer.from(s);
      const len = Buffer.alloc(4);
      len.writeInt32BE(b.length);
      parts.push(len, b);
    };
    chunk('{"counter":7,"stateVersion":0,"timestamp":1700000000000}');
    const count = Buffer.alloc(4);
    count.writeInt32BE(1);
    parts.push(count);
    chunk('TopicTest 4 4 6 SINGLE_TAG');
    chunk('[]');
    const decoded = decodeRegisterBrokerBody(deflateSync(Buffer.concat(parts)), true);
    expect(decoded).toEqual(body);
    expect(() => decodeRegisterBrokerBody(Buffer.from('nope'), true)).toThrow(/inflate/);
  });
});

describe('heartbeat and small bodies', () => {
  it('decodes the Java 5.x heartbeat example and round-trips ours', () => {
    const java = Buffer.from(
      '{"clientID":"10.0.0.5@12345#1234567890","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"G1","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":1700000000000,"tagsSet":["TagA"],"topic":"T1"}],"unitMode":false}],"heartbeatFingerprint":0,"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}],"withoutSub":false}',
    );
    const hb: HeartbeatData = decodeHeartbeatData(java);
    expect(hb.clientID).toBe('10.0.0.5@12345#1234567890');
    expect(hb.consumerDataSet[0]?.subscriptionDataSet[0]).toMatchObject({
      codeSet: [2598919],
      tagsSet: ['TagA'],
      topic: 'T1',
    });
    expect(decodeHeartbeatData(encodeHeartbeatData(hb))).toEqual(hb);
  });

  it('round-trips topic lists, KV tables and consumer id lists', () => {
    expect(decodeTopicList(encodeTopicList(['A', 'B']))).toEqual(['A', 'B']);
    expect(decodeKvTable(encodeKvTable({ a: '1' }))).toEqual({ a: '1' });
    expect(decodeConsumerIdList(encodeConsumerIdList(['x@1']))).toEqual(['x@1']);
    expect(() => decodeTopicList(Buffer.from('[1]'))).toThrow(/not an object/);
    expect(() => decodeTopicList(undefined)).toThrow(/empty body/);
  });
});
