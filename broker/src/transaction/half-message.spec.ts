import { describe, expect, it } from 'vitest';
import { decodeProperties, MessageSysFlag, SystemTopic } from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import { isHalfRequest, toHalfMessage } from './half-message';

const sent = (): MessageInner => ({
  topic: 'Orders',
  queueId: 3,
  flag: 7,
  body: Buffer.from('b'),
  properties:
    'TRAN_MSG\u0001true\u0002PGROUP\u0001pg\u0002TAGS\u0001t\u0002DELAY\u00012\u0002UNIQ_KEY\u0001U1\u0002',
  tagsCode: 116,
  sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE | MessageSysFlag.COMPRESSED,
  bornTimestamp: 1,
  bornHost: Buffer.alloc(8),
  storeHost: Buffer.alloc(8),
  reconsumeTimes: 0,
  preparedTransactionOffset: 0,
  waitStoreMsgOK: true,
  uniqKey: 'U1',
});

describe('half message transform (§10.1)', () => {
  it('moves the message to RMQ_SYS_TRANS_HALF_TOPIC queue 0, keeping its real address and transaction id', () => {
    const m = sent();
    toHalfMessage(m);
    expect(m.topic).toBe(SystemTopic.TRANS_HALF);
    expect(m.queueId).toBe(0);
    expect(decodeProperties(m.properties)).toEqual({
      TRAN_MSG: 'true',
      PGROUP: 'pg',
      TAGS: 't',
      DELAY: '2',
      UNIQ_KEY: 'U1',
      REAL_TOPIC: 'Orders',
      REAL_QID: '3',
      __transactionId__: 'U1',
    });
    expect(m.tagsCode).toBe(116);
    expect(m.flag).toBe(7);
  });

  it('resets the transaction bits to NOT_TYPE and keeps the others', () => {
    const m = sent();
    toHalfMessage(m);
    expect(m.sysFlag).toBe(MessageSysFlag.COMPRESSED);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['yes', false],
    [undefined, false],
  ] as const)('TRAN_MSG=%s asks for a half message: %s', (v, expected) => {
    expect(isHalfRequest(v)).toBe(expected);
  });
});
