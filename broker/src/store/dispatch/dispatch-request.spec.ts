import { describe, expect, it } from 'vitest';
import { encodeHostAddress, encodeMessageRecord, encodeProperties } from '@rocketts/protocol';
import { CRC_PLACEHOLDER, sealRecordCrc } from '../commit-log/record-crc';
import { checkRecord } from './dispatch-request';

function record(bornHost = encodeHostAddress('127.0.0.1', 1)): Buffer {
  const rec = encodeMessageRecord({
    queueId: 1,
    flag: 0,
    queueOffset: 5,
    physicalOffset: 1000,
    sysFlag: 0,
    bornTimestamp: 1,
    bornHost,
    storeTimestamp: 2,
    storeHost: encodeHostAddress('127.0.0.1', 2),
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: Buffer.from('hello world'),
    topic: 'R',
    properties: encodeProperties({ KEYS: 'k1', TAGS: 'T' }),
    propertiesTail: CRC_PLACEHOLDER,
  });
  sealRecordCrc(rec, 0, rec.length);
  return rec;
}

describe('recovery record check', () => {
  it.each([
    ['IPv4 hosts', record()],
    ['an IPv6 born host', record(encodeHostAddress('::1', 7))],
  ])('accepts an intact record with %s and detects a change to any single byte', (_what, rec) => {
    const buf = Buffer.concat([rec, Buffer.alloc(64)]);
    expect(checkRecord(buf, 0, 1000, 4096)).toMatchObject({
      kind: 'record',
      request: { topic: 'R', keys: 'k1', consumeQueueOffset: 5 },
    });
    const missed: number[] = [];
    for (let i = 0; i < rec.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const b = Buffer.from(buf);
        b.writeUInt8((b[i] as number) ^ x, i);
        if (checkRecord(b, 0, 1000, 4096).kind === 'record') missed.push(i);
      }
    }
    expect(missed).toEqual([]);
  });

  it('reads zeros as the end of the log and the blank filler as the end of a segment', () => {
    expect(checkRecord(Buffer.alloc(64), 0, 0, 4096).kind).toBe('end');
    const blank = Buffer.alloc(64);
    blank.writeInt32BE(64, 0);
    blank.writeInt32BE(0xcbd43194 | 0, 4);
    expect(checkRecord(blank, 0, 0, 64).kind).toBe('blank');
  });
});
