import { decodeMessageRecords, type MessageExt } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { storedRecord } from '../../../../../test/fakes/fake-cluster';
import { buildRetryMessage, DLQ_DELAY_LEVEL } from './send-back';
import { markConsumeStart, resetRetryTopic, retryTopicOf } from './retry-topic';

const msg = (topic: string, properties: Record<string, string>, reconsumeTimes = 0): MessageExt =>
  decodeMessageRecords(storedRecord({ topic, body: 'b', properties, reconsumeTimes, queueOffset: 4 }))[0]!;

describe('resetRetryTopic', () => {
  it('shows a message of the group’s %RETRY% topic under RETRY_TOPIC', () => {
    const m = msg('%RETRY%G', { RETRY_TOPIC: 'Orders' });
    resetRetryTopic([m], 'G');
    expect(m.topic).toBe('Orders');
    expect(m.body.toString()).toBe('b');
    expect(m.queueOffset).toBe(4);
  });

  it('leaves other topics, other groups’ retry topics and messages without RETRY_TOPIC alone', () => {
    const plain = msg('Orders', { RETRY_TOPIC: 'X' });
    const otherGroup = msg('%RETRY%H', { RETRY_TOPIC: 'Orders' });
    const noProp = msg('%RETRY%G', {});
    resetRetryTopic([plain, otherGroup, noProp], 'G');
    expect([plain.topic, otherGroup.topic, noProp.topic]).toEqual(['Orders', '%RETRY%H', '%RETRY%G']);
  });

  it('stamps CONSUME_START_TIME', () => {
    const m = msg('T', {});
    markConsumeStart([m], 1234);
    expect(m.properties.CONSUME_START_TIME).toBe('1234');
  });
});

describe('buildRetryMessage (the §11.2 fallback)', () => {
  it('copies body, flag and properties; adds retry bookkeeping; DELAY 3 + reconsumeTimes', () => {
    const m = msg(
      '%RETRY%G',
      { RETRY_TOPIC: 'Orders', UNIQ_KEY: 'U', TAGS: 'A', CLUSTER: 'c', TRAN_MSG: 'true' },
      2,
    );
    resetRetryTopic([m], 'G');
    const r = buildRetryMessage(m, 'G', 16, 0);
    expect(r).toMatchObject({ topic: retryTopicOf('G'), flag: 0, delayTimeLevel: 5 });
    expect(r.body.toString()).toBe('b');
    expect(r.properties).toEqual({
      RETRY_TOPIC: 'Orders',
      UNIQ_KEY: 'U',
      TAGS: 'A',
      ORIGIN_MESSAGE_ID: 'U',
      RECONSUME_TIME: '3',
      MAX_RECONSUME_TIMES: '16',
    });
  });

  it('keeps the first ORIGIN_MESSAGE_ID and honours the context delay level', () => {
    const m = msg('T', { ORIGIN_MESSAGE_ID: 'FIRST', UNIQ_KEY: 'U2' });
    const r = buildRetryMessage(m, 'G', 16, 7);
    expect(r.properties?.ORIGIN_MESSAGE_ID).toBe('FIRST');
    expect(r.delayTimeLevel).toBe(7);
  });

  it('makes RECONSUME_TIME exceed the maximum for the DLQ, so the broker routes it there', () => {
    const m = msg('T', { UNIQ_KEY: 'U3' }, 0);
    m.setReconsumeTimes(4);
    expect(buildRetryMessage(m, 'G', 4, DLQ_DELAY_LEVEL).properties).toMatchObject({
      RECONSUME_TIME: '5',
      MAX_RECONSUME_TIMES: '4',
    });
    expect(buildRetryMessage(msg('T', {}, 0), 'G', 16, DLQ_DELAY_LEVEL).properties?.RECONSUME_TIME).toBe(
      '17',
    );
  });
});
