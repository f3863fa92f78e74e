import { describe, expect, it } from 'vitest';
import { parseJavaJson, stringifyJavaJson } from './java-json';

describe('fastjson-compatible JSON', () => {
  it('writes Java maps with numeric keys unquoted, beans with sorted keys, nulls omitted', () => {
    const v = {
      queueDatas: [],
      brokerDatas: [
        {
          cluster: 'c',
          brokerName: 'b',
          brokerAddrs: new Map([
            [1, 'y'],
            [0, 'x'],
          ]),
          zoneName: undefined,
        },
      ],
    };
    expect(stringifyJavaJson(v)).toBe(
      '{"brokerDatas":[{"brokerAddrs":{0:"x",1:"y"},"brokerName":"b","cluster":"c"}],"queueDatas":[]}',
    );
  });

  it('writes standard JSON with quoted keys and escaped non-ASCII', () => {
    expect(stringifyJavaJson({ m: new Map([[0, '中']]) }, { standard: true })).toBe('{"m":{"0":"\\u4e2d"}}');
  });

  it('writes bean-keyed maps with object keys as Java peers do', () => {
    const mq = { topic: 'T', brokerName: 'b', queueId: 0 };
    expect(stringifyJavaJson({ offsetTable: new Map([[mq, 5]]) })).toBe(
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:5}}',
    );
  });

  it('reads the route of a Java name server in fastjson style', () => {
    const text =
      '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';
    expect(parseJavaJson(text)).toEqual({
      brokerDatas: [
        {
          brokerAddrs: { '0': '127.0.0.1:10911' },
          brokerName: 'broker-a',
          cluster: 'DefaultCluster',
          enableActingMaster: false,
        },
      ],
      filterServerTable: {},
      queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }],
    });
  });

  it('reads object keys as canonical JSON text and rejects garbage', () => {
    const parsed = parseJavaJson(
      '{"offsetTable":{{"topic":"T","queueId":0,"brokerName":"b"}:{"brokerOffset":5}}}',
    ) as Record<string, Record<string, unknown>>;
    expect(Object.keys(parsed.offsetTable ?? {})).toEqual(['{"brokerName":"b","queueId":0,"topic":"T"}']);
    expect(() => parseJavaJson('{"a":')).toThrow(/invalid JSON/);
    expect(() => parseJavaJson('{a b}')).toThrow(/invalid JSON/);
  });
});
