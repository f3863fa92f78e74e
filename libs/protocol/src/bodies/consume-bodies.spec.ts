import { describe, expect, it } from 'vitest';
import {
  decodeConsumeMessageDirectlyResult,
  decodeConsumerConnection,
  decodeConsumerRunningInfo,
  decodeConsumeStats,
  decodeLockBatchRequest,
  decodeProducerConnection,
  decodeLockBatchResponse,
  decodeResetOffsetBody,
  encodeConsumeStats,
  encodeConsumerConnection,
  encodeLockBatchRequest,
  encodeLockBatchResponse,
  encodeProducerConnection,
  encodeResetOffsetBody,
} from './consume-bodies';

const mq = { topic: 'T', brokerName: 'broker-a', queueId: 3 };
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

// Texts as fastjson 1.2.x writes these beans (alphabetical keys, MessageQueue map keys as objects).
describe('consume bodies', () => {
  it('LockBatchRequestBody encodes as Java does and decodes back', () => {
    const text =
      '{"clientId":"10.0.0.5@123","consumerGroup":"G","mqSet":[{"brokerName":"broker-a","queueId":3,"topic":"T"}],"onlyThisBroker":false}';
    expect(
      encodeLockBatchRequest({ clientId: '10.0.0.5@123', consumerGroup: 'G', mqSet: [mq] }).toString(),
    ).toBe(text);
    expect(decodeLockBatchRequest(b(text))).toEqual({
      clientId: '10.0.0.5@123',
      consumerGroup: 'G',
      onlyThisBroker: false,
      mqSet: [mq],
    });
  });

  it('LockBatchResponseBody, including an empty body', () => {
    const text = '{"lockOKMQSet":[{"brokerName":"broker-a","queueId":3,"topic":"T"}]}';
    expect(encodeLockBatchResponse([mq]).toString()).toBe(text);
    expect(decodeLockBatchResponse(b(text))).toEqual([mq]);
    expect(decodeLockBatchResponse(undefined)).toEqual([]);
  });

  it('ResetOffsetBody uses the queue object as key', () => {
    const text = '{"offsetTable":{{"brokerName":"broker-a","queueId":3,"topic":"T"}:42}}';
    expect(encodeResetOffsetBody([[mq, 42]]).toString()).toBe(text);
    expect(decodeResetOffsetBody(b(text))).toEqual([[mq, 42]]);
  });

  it('ConsumeStats round-trips and reads Java text', () => {
    const text =
      '{"consumeTps":1.5,"offsetTable":{{"brokerName":"broker-a","queueId":3,"topic":"T"}:{"brokerOffset":10,"consumerOffset":7,"lastTimestamp":1700000000000,"pullOffset":9}}}';
    const stats = decodeConsumeStats(b(text));
    expect(stats.consumeTps).toBe(1.5);
    expect(stats.offsetTable).toEqual([
      [mq, { brokerOffset: 10, consumerOffset: 7, lastTimestamp: 1700000000000, pullOffset: 9 }],
    ]);
    expect(encodeConsumeStats(stats).toString()).toBe(text);
  });

  it('ConsumerConnection', () => {
    const text =
      '{"connectionSet":[{"clientAddr":"10.0.0.5:5555","clientId":"10.0.0.5@123","language":"JAVA","version":413}],"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","subscriptionTable":{"T":{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"T"}}}';
    const c = decodeConsumerConnection(b(text));
    expect(c.connectionSet).toEqual([
      { clientAddr: '10.0.0.5:5555', clientId: '10.0.0.5@123', language: 'JAVA', version: 413 },
    ]);
    expect(c.subscriptionTable.T?.subString).toBe('*');
    expect(c.messageModel).toBe('CLUSTERING');
    expect(encodeConsumerConnection(c).toString()).toBe(text);
  });

  it('ProducerConnection', () => {
    const text =
      '{"connectionSet":[{"clientAddr":"10.0.0.6:6666","clientId":"10.0.0.6@9","language":"NODE_JS","version":399}]}';
    const conns = decodeProducerConnection(b(text));
    expect(conns).toEqual([
      { clientAddr: '10.0.0.6:6666', clientId: '10.0.0.6@9', language: 'NODE_JS', version: 399 },
    ]);
    expect(encodeProducerConnection(conns).toString()).toBe(text);
  });

  it('ConsumerRunningInfo and ConsumeMessageDirectlyResult', () => {
    const info = decodeConsumerRunningInfo(
      b(
        '{"mqTable":{{"brokerName":"broker-a","queueId":3,"topic":"T"}:{"cachedMsgCount":2,"commitOffset":5,"droped":false,"locked":true}},"properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY"},"statusTable":{"T":{"consumeOKTPS":3.5}},"subscriptionSet":[]}',
      ),
    );
    expect(info.properties.PROP_CONSUME_TYPE).toBe('CONSUME_PASSIVELY');
    expect(info.mqTable[0]?.[0]).toEqual(mq);
    expect(info.mqTable[0]?.[1]).toMatchObject({ cachedMsgCount: 2, commitOffset: 5, locked: true });
    expect(info.statusTable.T?.consumeOKTPS).toBe(3.5);
    expect(
      decodeConsumeMessageDirectlyResult(
        b('{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"spentTimeMills":3}'),
      ),
    ).toEqual({ autoCommit: true, consumeResult: 'CR_SUCCESS', order: false, spentTimeMills: 3 });
  });

  it('a key that is not a queue is a clear protocol error', () => {
    expect(() => decodeResetOffsetBody(b('{"offsetTable":{"nope":1}}'))).toThrow(/not a MessageQueue/);
  });
});
