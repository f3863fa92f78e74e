import { Perm, type BrokerData, type QueueData, type TopicRouteData } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import {
  capRouteQueues,
  topicRouteToPublishInfo,
  topicRouteToSubscribeQueues,
  TopicPublishInfo,
} from './topic-publish-info';

const RW = Perm.READ | Perm.WRITE;
const broker = (name: string, addrs: [number, string][]): BrokerData => ({
  cluster: 'C',
  brokerName: name,
  brokerAddrs: new Map(addrs),
});
const queues = (name: string, perm: number, read: number, write: number): QueueData => ({
  brokerName: name,
  perm,
  readQueueNums: read,
  writeQueueNums: write,
  topicSysFlag: 0,
});
const route = (
  brokerDatas: BrokerData[],
  queueDatas: QueueData[],
  orderTopicConf?: string,
): TopicRouteData => ({
  brokerDatas,
  queueDatas,
  filterServerTable: {},
  ...(orderTopicConf ? { orderTopicConf } : {}),
});
const names = (info: TopicPublishInfo): string[] =>
  info.messageQueues.map((q) => `${q.brokerName}:${q.queueId}`);

describe('publish queues (§6.1, MQClientInstance.topicRouteData2TopicPublishInfo)', () => {
  it('sorts queue datas by broker name and lists write queues of each', () => {
    const r = route(
      [broker('b', [[0, 'h:2']]), broker('a', [[0, 'h:1']])],
      [queues('b', RW, 1, 2), queues('a', RW, 4, 1)],
    );
    const info = topicRouteToPublishInfo('T', r);
    expect(names(info)).toEqual(['a:0', 'b:0', 'b:1']);
    expect(info.orderTopic).toBe(false);
    expect(info.messageQueues[0]).toEqual({ topic: 'T', brokerName: 'a', queueId: 0 });
  });

  it('skips brokers without a master and unwritable queue data', () => {
    const r = route(
      [broker('a', [[1, 'h:1']]), broker('b', [[0, 'h:2']]), broker('c', [[0, 'h:3']])],
      [queues('a', RW, 2, 2), queues('b', Perm.READ, 2, 2), queues('c', RW, 1, 1), queues('d', RW, 1, 1)],
    );
    expect(names(topicRouteToPublishInfo('T', r))).toEqual(['c:0']);
  });

  it('takes queues from orderTopicConf when present, ignoring queue datas and masters', () => {
    const r = route([broker('a', [[1, 'h:1']])], [queues('a', Perm.READ, 8, 8)], 'b:2;a:1');
    const info = topicRouteToPublishInfo('T', r);
    expect(names(info)).toEqual(['b:0', 'b:1', 'a:0']);
    expect(info.orderTopic).toBe(true);
  });

  it('is not ok without queues', () => {
    const info = topicRouteToPublishInfo('T', route([], []));
    expect(info.ok).toBe(false);
    expect(info.selectOneMessageQueue()).toBeUndefined();
  });
});

describe('subscribe queues (topicRouteData2TopicSubscribeInfo)', () => {
  it('lists readable queues of every broker, master or not, sorted by broker then id', () => {
    const r = route(
      [broker('b', [[1, 'h:1']])],
      [queues('b', Perm.READ, 2, 0), queues('a', RW, 1, 4), queues('c', Perm.WRITE, 3, 3)],
    );
    expect(topicRouteToSubscribeQueues('T', r).map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'a:0',
      'b:0',
      'b:1',
    ]);
  });
});

describe('queue selection (TopicPublishInfo.selectOneMessageQueue)', () => {
  const mqs = ['a', 'a', 'b', 'b'].map((brokerName, i) => ({ topic: 'T', brokerName, queueId: i % 2 }));

  it('goes round-robin over all queues', () => {
    const info = new TopicPublishInfo('T', mqs, false);
    const seen = Array.from({ length: 8 }, () => info.selectOneMessageQueue());
    expect(new Set(seen.slice(0, 4)).size).toBe(4);
    expect(seen.slice(4)).toEqual(seen.slice(0, 4));
  });

  it('avoids the broker that failed last while another one has queues', () => {
    const info = new TopicPublishInfo('T', mqs, false);
    for (let i = 0; i < 10; i++) expect(info.selectOneMessageQueue('a')?.brokerName).toBe('b');
    const single = new TopicPublishInfo('T', mqs.slice(0, 2), false);
    expect(single.selectOneMessageQueue('a')?.brokerName).toBe('a');
  });
});

describe('auto-create route stand-in', () => {
  it('caps read and write queue numbers at the producer default', () => {
    const capped = capRouteQueues(
      route([broker('a', [[0, 'h:1']])], [queues('a', 7, 8, 8), queues('b', 7, 2, 2)]),
      4,
    );
    expect(capped.queueDatas.map((q) => [q.readQueueNums, q.writeQueueNums])).toEqual([
      [4, 4],
      [2, 2],
    ]);
  });
});
