import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  encodeHostAddress,
  measureMessageRecord,
  POS_BODY_CRC,
  writeMessageRecord,
  type MessageRecordInput,
} from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { CRC_PLACEHOLDER, sealRecordCrc, verifyRecordCrc } from '../store/commit-log/record-crc';
import { native, type NativeBindings } from './native';

// `npm run build` compiles the addon; only ROCKETTS_NATIVE=0 (the JavaScript path on purpose) skips it.
const wanted = process.env.ROCKETTS_NATIVE !== '0';

describe.runIf(wanted)('native addon', () => {
  const addon = native as NativeBindings;
  const data = randomBytes(70_000);

  it('is built and loaded', () => {
    expect(native).toBeDefined();
    expect(typeof addon.accelerated).toBe('boolean');
  });

  it('crc32 equals zlib.crc32 for every length up to 600 bytes at any alignment, and long ranges', () => {
    for (let len = 0; len <= 600; len++) {
      const start = (len * 13) % 64;
      expect(addon.crc32(data, start, start + len, 0)).toBe(crc32(data.subarray(start, start + len)));
    }
    for (const len of [1024, 1087, 4096, 65_536, 69_999]) {
      expect(addon.crc32(data, 1, 1 + len, 0)).toBe(crc32(data.subarray(1, 1 + len)));
    }
  });

  it('crc32 continues from a previous value as zlib does', () => {
    const first = crc32(data.subarray(5, 300));
    expect(addon.crc32(data, 300, 2000, first)).toBe(crc32(data.subarray(300, 2000), first));
    expect(addon.crc32(data, 7, 7, 0xdeadbeef)).toBe(0xdeadbeef);
  });

  it('refuses ranges outside the buffer and arguments of the wrong type, and reads nothing', () => {
    const small = Buffer.alloc(16);
    expect(() => addon.crc32(small, 0, 17, 0)).toThrow(RangeError);
    expect(() => addon.crc32(small, 9, 8, 0)).toThrow(RangeError);
    expect(() => addon.crc32(small, -1, 8, 0)).toThrow(TypeError);
    expect(() => addon.crc32('abc' as unknown as Buffer, 0, 1, 0)).toThrow(TypeError);
    expect(() => addon.crc32(new Uint16Array(4) as unknown as Buffer, 0, 1, 0)).toThrow(TypeError);
    expect(() => addon.sealRecord(small, 8, 9)).toThrow(RangeError);
  });

  it('sealRecord writes the bytes the JavaScript path writes: BODYCRC and the CRC entry', () => {
    const cases: [string, Buffer, Buffer][] = [
      ['IPv4, 1 KiB body', randomBytes(1024), encodeHostAddress('10.1.2.3', 10911)],
      ['IPv6 hosts, odd body', randomBytes(333), encodeHostAddress('fe80::1', 10911)],
      ['empty body', Buffer.alloc(0), encodeHostAddress('127.0.0.1', 9876)],
      ['64 KiB body', randomBytes(65_536), encodeHostAddress('127.0.0.1', 9876)],
    ];
    for (const [name, body, host] of cases) {
      const viaJs = record(body, host, undefined);
      sealRecordCrc(viaJs, 3, viaJs.length - 3);
      const viaNative = record(body, host, 0);
      expect(viaNative.readInt32BE(3 + POS_BODY_CRC), name).toBe(0);
      expect(addon.sealRecord(viaNative, 3, viaNative.length - 3), name).toBe(true);
      expect(viaNative.equals(viaJs), name).toBe(true);
      expect(verifyRecordCrc(viaNative, 3, viaNative.length - 3), name).toBe(true);
    }
  });

  it('sealRecord leaves a record whose lengths overrun it untouched', () => {
    const rec = record(randomBytes(100), encodeHostAddress('127.0.0.1', 1), 0);
    rec.writeInt32BE(10_000, 3 + 84); // BODYLENGTH past the end
    const before = Buffer.from(rec);
    expect(addon.sealRecord(rec, 3, rec.length - 3)).toBe(false);
    expect(addon.sealRecord(rec, 3, 50)).toBe(false);
    expect(rec.equals(before)).toBe(true);
  });
});

/** A V1 record with the CRC placeholder, at offset 3 of its buffer (records need no alignment). */
function record(body: Buffer, host: Buffer, bodyCrc: number | undefined): Buffer {
  const input: MessageRecordInput = {
    queueId: 3,
    flag: 0,
    queueOffset: 77,
    physicalOffset: 123_456_789,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: host,
    storeTimestamp: 1_700_000_000_123,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body,
    topic: 'TopicTest',
    properties: 'TAGS\u0001TagA\u0002UNIQ_KEY\u00017F0000010001B4AAC2E20F8E0D000000\u0002',
    propertiesTail: CRC_PLACEHOLDER,
    bodyCrc,
  };
  const size = measureMessageRecord(input);
  const buf = Buffer.alloc(3 + size.total);
  writeMessageRecord(buf, 3, input, size);
  return buf;
}
