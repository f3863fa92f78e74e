import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageSysFlag } from '../codes/flags';
import { encodeHostAddress } from './host-address';
import {
  BLANK_MAGIC,
  bodyCrc,
  decodeMessageRecord,
  decodeMessageRecords,
  encodeMessageRecord,
  type MessageRecordInput,
} from './message-record';
import { encodeProperties } from './properties';

const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../../fixtures/ali-ons', name));

describe('stored message record — real broker fixtures (§19.3)', () => {
  it('decodes message.bin to the documented fields and stops at the trailing garbage', () => {
    const buf = fixture('message.bin');
    expect(buf.length).toBe(264);
    const m = decodeMessageRecord(buf, 0, { checkCrc: true });
    expect(m.storeSize).toBe(132);
    expect(m.bodyCRC).toBe(0x55bdf8fc);
    expect(m.queueId).toBe(0);
    expect(m.flag).toBe(0);
    expect(m.queueOffset).toBe(276);
    expect(m.commitLogOffset).toBe(433806745406);
    expect(m.sysFlag).toBe(0);
    expect(m.bornTimestamp).toBe(1442834438803);
    expect(m.bornHost).toBe('10.62.60.82:54073');
    expect(m.storeTimestamp).toBe(1442834438869);
    expect(m.storeHost).toBe('10.218.145.166:10700');
    expect(m.reconsumeTimes).toBe(0);
    expect(m.preparedTransactionOffset).toBe(0);
    expect(m.body.toString()).toBe('{"room":"1","msg":"1"}');
    expect(m.topic).toBe('TopicTest');
    expect(m.properties).toEqual({ TAGS: 'TagA' });
    expect(m.tags).toBe('TagA');
    expect(m.offsetMsgId).toBe('0ADA91A6000029CC0000006500E59F3E');
    expect(m.msgId).toBe(m.offsetMsgId);
    expect(decodeMessageRecords(buf)).toHaveLength(1);
  });

  it('re-encodes message.bin byte for byte', () => {
    const buf = fixture('message.bin');
    const m = decodeMessageRecord(buf);
    const input: MessageRecordInput = {
      queueId: m.queueId,
      flag: m.flag,
      queueOffset: m.queueOffset,
      physicalOffset: m.commitLogOffset,
      sysFlag: m.sysFlag,
      bornTimestamp: m.bornTimestamp,
      bornHost: encodeHostAddress('10.62.60.82', 54073),
      storeTimestamp: m.storeTimestamp,
      storeHost: encodeHostAddress('10.218.145.166', 10700),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: m.body,
      topic: m.topic,
      properties: encodeProperties(m.properties),
    };
    expect(encodeMessageRecord(input).equals(buf.subarray(0, 132))).toBe(true);
  });

  it('decodes the three records of batch_message.bin', () => {
    const msgs = decodeMessageRecords(fixture('batch_message.bin'), { checkCrc: true });
    expect(msgs.map((m) => m.queueOffset)).toEqual([278, 279, 280]);
    expect(msgs.map((m) => m.commitLogOffset)).toEqual([436297835178, 436297847625, 436297848184]);
    expect(msgs.map((m) => m.offsetMsgId)).toEqual([
      '0ADA91A6000029CC000000659560A2AA',
      '0ADA91A6000029CC000000659560D349',
      '0ADA91A6000029CC000000659560D578',
    ]);
    for (const m of msgs) {
      expect(m.storeSize).toBe(125);
      expect(m.body.toString()).toBe('Hello MetaQ !!!');
      expect(m.bodyCRC).toBe(0x5fde743c);
      expect(m.topic).toBe('TopicTest');
      expect(m.properties).toEqual({ TAGS: 'TagA' });
      expect(m.storeHost).toBe('10.218.145.166:10700');
    }
  });

  it('rejects the inconsistent hand-made message_compress.bin instead of misreading it', () => {
    const buf = fixture('message_compress.bin');
    expect(buf.readInt32BE(0)).toBe(125);
    expect(() => decodeMessageRecord(buf)).toThrow(/TOTALSIZE says 125/);
    expect(decodeMessageRecords(buf)).toEqual([]);
  });

  it('inflates a consistent compressed record when asked (the body of message_compress.bin, re-encoded)', () => {
    const compressed = Buffer.from('789cf348cdc9c957f04d2d490c54505454040028880470', 'hex');
    const rec = encodeMessageRecord({ ...baseInput(), sysFlag: MessageSysFlag.COMPRESSED, body: compressed });
    expect(decodeMessageRecord(rec).body.equals(compressed)).toBe(true);
    expect(decodeMessageRecord(rec, 0, { inflate: true, checkCrc: true }).body.toString()).toBe(
      'Hello MetaQ !!!',
    );
  });
});

function baseInput(): MessageRecordInput {
  return {
    queueId: 3,
    flag: 7,
    queueOffset: 2 ** 40 + 5,
    physicalOffset: 2 ** 45 + 11,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_123,
    bornHost: encodeHostAddress('127.0.0.1', 50000),
    storeTimestamp: 1_700_000_000_456,
    storeHost: encodeHostAddress('10.0.0.1', 10911),
    reconsumeTimes: 2,
    preparedTransactionOffset: 99,
    body: Buffer.from('payload'),
    topic: 'T-中文',
    properties: encodeProperties({ TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'ABC' }),
  };
}

describe('stored message record — encode/decode', () => {
  it('round-trips every field including 64-bit offsets and UTF-8 topics', () => {
    const rec = encodeMessageRecord(baseInput());
    const m = decodeMessageRecord(rec, 0, { checkCrc: true });
    expect(m).toMatchObject({
      queueId: 3,
      flag: 7,
      queueOffset: 2 ** 40 + 5,
      commitLogOffset: 2 ** 45 + 11,
      bornTimestamp: 1_700_000_000_123,
      bornHost: '127.0.0.1:50000',
      storeTimestamp: 1_700_000_000_456,
      storeHost: '10.0.0.1:10911',
      reconsumeTimes: 2,
      preparedTransactionOffset: 99,
      topic: 'T-中文',
      bodyCRC: bodyCrc(Buffer.from('payload')),
    });
    expect(m.keys).toEqual(['k1', 'k2']);
    expect(m.msgId).toBe('ABC');
    expect(m.storeSize).toBe(rec.length);
  });

  it('CONSUME_START_TIME stamped before the first read shows on decode; after it, in place', () => {
    const early = decodeMessageRecord(encodeMessageRecord(baseInput()), 0);
    early.setConsumeStartTimestamp(42);
    expect(early.properties.CONSUME_START_TIME).toBe('42');
    expect(early.keys).toEqual(['k1', 'k2']);
    const late = decodeMessageRecord(encodeMessageRecord(baseInput()), 0);
    expect(late.properties.CONSUME_START_TIME).toBeUndefined();
    late.setConsumeStartTimestamp(43);
    expect(late.properties.CONSUME_START_TIME).toBe('43');
  });

  it('writes IPv6 hosts with their SYSFLAG bits and maps IPv4-mapped peers to IPv4', () => {
    const rec = encodeMessageRecord({
      ...baseInput(),
      bornHost: encodeHostAddress('::1', 1),
      storeHost: encodeHostAddress('::ffff:10.0.0.2', 2),
    });
    const m = decodeMessageRecord(rec);
    expect(m.sysFlag & MessageSysFlag.BORNHOST_V6).toBeTruthy();
    expect(m.sysFlag & MessageSysFlag.STOREHOST_V6).toBe(0);
    expect(m.bornHost).toBe('[0:0:0:0:0:0:0:1]:1');
    expect(m.storeHost).toBe('10.0.0.2:2');
    expect(m.storeSize).toBe(encodeMessageRecord(baseInput()).length + 12);
  });

  it('rejects bad magic (including the blank end-of-file marker), truncation and a CRC mismatch', () => {
    const rec = encodeMessageRecord(baseInput());
    const blank = Buffer.from(rec);
    blank.writeInt32BE(BLANK_MAGIC, 4);
    expect(() => decodeMessageRecord(blank)).toThrow(/bad magic/);
    expect(() => decodeMessageRecord(rec.subarray(0, rec.length - 1))).toThrow(/does not fit/);
    const flipped = Buffer.from(rec);
    flipped.writeUInt8((flipped[90] as number) ^ 0xff, 90); // inside the body, which starts at 84 + 4
    expect(() => decodeMessageRecord(flipped, 0, { checkCrc: true })).toThrow(/CRC mismatch/);
    expect(decodeMessageRecord(flipped).body.toString()).not.toBe('payload');
  });

  it('refuses topics over 127 bytes and properties over 32767 bytes', () => {
    expect(() => encodeMessageRecord({ ...baseInput(), topic: 'x'.repeat(128) })).toThrow(/127/);
    expect(() => encodeMessageRecord({ ...baseInput(), properties: 'x'.repeat(32768) })).toThrow(/32767/);
    const tail = Buffer.from('T\u0001tail\u0002');
    expect(() =>
      encodeMessageRecord({
        ...baseInput(),
        properties: 'x'.repeat(32767 - tail.length + 1),
        propertiesTail: tail,
      }),
    ).toThrow(/32767/);
  });

  it('stores a properties tail after the text, inside the same properties length', () => {
    const text = encodeProperties({ KEYS: 'k é' });
    const tail = Buffer.from('TAIL\u0001x\u0002', 'latin1');
    const joined = encodeMessageRecord({ ...baseInput(), properties: text + tail.toString('latin1') });
    const split = encodeMessageRecord({ ...baseInput(), properties: text, propertiesTail: tail });
    expect(split).toEqual(joined);
    expect(decodeMessageRecord(split, 0).properties).toEqual({ KEYS: 'k é', TAIL: 'x' });
    const onlyTail = encodeMessageRecord({ ...baseInput(), properties: '', propertiesTail: tail });
    expect(decodeMessageRecord(onlyTail, 0).properties).toEqual({ TAIL: 'x' });
  });

  it('writes a topic given as bytes exactly as the same topic given as text', () => {
    const base = baseInput();
    const viaBytes = encodeMessageRecord({ ...base, topicBytes: Buffer.from(base.topic, 'utf8') });
    expect(viaBytes).toEqual(encodeMessageRecord(base));
    expect(decodeMessageRecord(viaBytes, 0).topic).toBe('T-中文');
    const long = Buffer.alloc(128, 0x61);
    expect(() => encodeMessageRecord({ ...base, topic: 'x', topicBytes: long })).toThrow(/exceeds 127/);
  });
});
