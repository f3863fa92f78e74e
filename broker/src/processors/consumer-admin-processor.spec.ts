import {
  createRequest,
  decodeConsumerConnection,
  decodeConsumeStats,
  decodeProducerConnection,
  RequestCode,
  ResponseCode,
  topicConfig,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinGroup, specBrokerContext, type SpecBroker } from '../../../test/helpers/broker-context';
import { inner } from '../../../test/helpers/store';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { ConsumerAdminProcessor } from './consumer-admin-processor';

describe('ConsumerAdminProcessor', () => {
  let b: SpecBroker;
  let processor: ConsumerAdminProcessor;
  const storeTimes: number[] = [];

  beforeEach(async () => {
    b = await specBrokerContext();
    processor = new ConsumerAdminProcessor(b.ctx);
    const { ctx } = b;
    ctx.topics.update(topicConfig('T', { readQueueNums: 2, writeQueueNums: 2 }));
    ctx.topics.update(topicConfig('U', { readQueueNums: 1, writeQueueNums: 1 }));
    ctx.topics.ensure('%RETRY%G', 1, 6);
    storeTimes.length = 0;
    for (let i = 0; i < 3; i++)
      storeTimes.push((await ctx.store.putMessage(inner('T', 0, `m${i}`))).storeTimestamp);
    await ctx.store.putMessage(inner('T', 1, 'q1'));
    await ctx.store.putMessage(inner('U', 0, 'u'));
    ctx.offsets.commit('G', 'T', 0, 2);
    ctx.offsets.commit('G', 'U', 0, 1);
  });
  afterEach(() => b.close());

  const call = (code: number, ext: Record<string, string>): RemotingCommand =>
    processor.process(createRequest(code, ext), new MemoryChannel()) as RemotingCommand;
  const stats = (ext: Record<string, string>) => {
    const resp = call(RequestCode.GET_CONSUME_STATS, ext);
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    return decodeConsumeStats(resp.body);
  };
  /** Sorted: the body is a map, written in key order. */
  const rows = (ext: Record<string, string>): string[] =>
    stats(ext)
      .offsetTable.map(
        ([mq, o]) => `${mq.topic}/${mq.queueId} ${o.brokerOffset} ${o.consumerOffset} ${o.pullOffset}`,
      )
      .sort();

  it('reports every queue of the topics with offsets, and the retry topic, per broker queue', () => {
    b.ctx.offsets.commitPullOffset('G', 'T', 0, 3);
    const s = stats({ consumerGroup: 'G' });
    expect(s.offsetTable.map(([mq]) => mq.brokerName)).toEqual([
      'broker-a',
      'broker-a',
      'broker-a',
      'broker-a',
    ]);
    expect(rows({ consumerGroup: 'G' })).toEqual(['%RETRY%G/0 0 0 0', 'T/0 3 2 3', 'T/1 1 0 0', 'U/0 1 1 1']);
    const of = (topic: string, queueId: number) =>
      s.offsetTable.find(([mq]) => mq.topic === topic && mq.queueId === queueId)?.[1];
    const [t0, t1] = [of('T', 0), of('T', 1)];
    // Store time of the last consumed message (offset 1); 0 for a queue nothing was consumed from.
    expect(t0?.lastTimestamp).toBe(storeTimes[1]);
    expect(t1?.lastTimestamp).toBe(0);
    expect(s.consumeTps).toBe(0);
  });

  it('narrows to the given topic or topic list', () => {
    expect(rows({ consumerGroup: 'G', topic: 'U' })).toEqual(['U/0 1 1 1']);
    expect(rows({ consumerGroup: 'G', topicList: 'U;T' })).toEqual(['T/0 3 2 2', 'T/1 1 0 0', 'U/0 1 1 1']);
    expect(rows({ consumerGroup: 'G', topic: 'NoSuchTopic' })).toEqual([]);
  });

  it('leaves out topics an online group does not subscribe, but keeps its retry topic', () => {
    joinGroup(b.ctx, 'G', 'c1', new MemoryChannel(), ['T']);
    expect(rows({ consumerGroup: 'G' })).toEqual(['%RETRY%G/0 0 0 0', 'T/0 3 2 2', 'T/1 1 0 0']);
    expect(rows({ consumerGroup: 'G', topic: 'U' })).toEqual([]);
  });

  it('lists a group’s connections and subscriptions, CONSUMER_NOT_ONLINE without members', () => {
    const none = call(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'G' });
    expect([none.code, none.remark]).toEqual([
      ResponseCode.CONSUMER_NOT_ONLINE,
      'the consumer group[G] not online',
    ]);
    joinGroup(b.ctx, 'G', '10.0.0.1@a', new MemoryChannel('10.0.0.1:5001'), ['T']);
    joinGroup(b.ctx, 'G', '10.0.0.2@b', new MemoryChannel('10.0.0.2:5002'), ['T']);
    const resp = call(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'G' });
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    const cc = decodeConsumerConnection(resp.body);
    expect(cc.connectionSet).toEqual([
      { clientId: '10.0.0.1@a', clientAddr: '10.0.0.1:5001', language: 'JAVA', version: 413 },
      { clientId: '10.0.0.2@b', clientAddr: '10.0.0.2:5002', language: 'JAVA', version: 413 },
    ]);
    expect(cc).toMatchObject({
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    });
    expect(Object.keys(cc.subscriptionTable)).toEqual(['T']);
  });

  it('lists a producer group’s connections, SYSTEM_ERROR for an unknown group', () => {
    const none = call(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: 'PG' });
    expect([none.code, none.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'the producer group[PG] not exist']);
    const channel = new MemoryChannel('10.0.0.9:7000');
    b.ctx.producers.register('PG', {
      channel,
      clientId: '10.0.0.9@p',
      language: 'NODE_JS',
      version: 399,
      lastUpdate: Date.now(),
    });
    expect(
      decodeProducerConnection(call(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: 'PG' }).body),
    ).toEqual([{ clientId: '10.0.0.9@p', clientAddr: '10.0.0.9:7000', language: 'NODE_JS', version: 399 }]);
  });
});
