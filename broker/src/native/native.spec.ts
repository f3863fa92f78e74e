import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  BLANK_MAGIC,
  bodyCrc,
  encodeHostAddress,
  measureMessageRecord,
  POS_BODY_CRC,
  writeMessageRecord,
  type MessageRecordInput,
} from '@rocketts/protocol';
import { describe, expect, it, vi } from 'vitest';
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
    expect(() => addon.crc32(small, 0, 8, 2 ** 32)).toThrow(RangeError);
    expect(() => addon.crc32(small, -1, 8, 0)).toThrow(TypeError);
    expect(() => addon.crc32('abc' as unknown as Buffer, 0, 1, 0)).toThrow(TypeError);
    expect(() => addon.crc32(new Uint16Array(4) as unknown as Buffer, 0, 1, 0)).toThrow(TypeError);
    expect(() => addon.sealRecords(small, 8, 17)).toThrow(RangeError);
  });

  it('sealRecords writes the bytes the JavaScript path writes (BODYCRC, CRC entry) and stops at a filler', () => {
    const records = [
      record(randomBytes(1024), encodeHostAddress('10.1.2.3', 10911), 0),
      record(randomBytes(333), encodeHostAddress('fe80::1', 10911), 0),
      record(Buffer.alloc(0), encodeHostAddress('127.0.0.1', 9876), 0),
      record(randomBytes(65_536), encodeHostAddress('127.0.0.1', 9876), 0),
    ];
    // The filler's TOTALSIZE is the rest of a segment, far past this run.
    const run = Buffer.concat([Buffer.alloc(3), ...records, fillerOf(1 << 20)]);
    expect(addon.sealRecords(run, 3, run.length)).toBe(records.length);

    let pos = 3;
    for (const r of records) {
      const viaJs = Buffer.from(r);
      viaJs.writeInt32BE(bodyCrc(bodyOf(viaJs)), POS_BODY_CRC);
      sealRecordCrc(viaJs, 0, viaJs.length);
      expect(run.subarray(pos, pos + r.length).equals(viaJs)).toBe(true);
      expect(verifyRecordCrc(run, pos, r.length)).toBe(true);
      pos += r.length;
    }
  });

  it('sealRecords stops at a record that does not parse with -1, after sealing those before it', () => {
    const good = record(randomBytes(100), encodeHostAddress('127.0.0.1', 1), 0);
    const bad = record(randomBytes(100), encodeHostAddress('127.0.0.1', 1), 0);
    bad.writeInt32BE(10_000, 84); // BODYLENGTH past the record's end
    const run = Buffer.concat([good, bad]);
    const badBefore = Buffer.from(bad);
    expect(addon.sealRecords(run, 0, run.length)).toBe(-1);
    expect(verifyRecordCrc(run, 0, good.length)).toBe(true);
    expect(run.subarray(good.length).equals(badBefore)).toBe(true);
    // A TOTALSIZE past the range, and a zero one, are refused too (never a read outside the run).
    expect(addon.sealRecords(good, 0, good.length - 1)).toBe(-1);
    const zero = Buffer.from(good);
    zero.writeInt32BE(0, 0);
    expect(addon.sealRecords(zero, 0, zero.length)).toBe(-1);
  });
});

describe('sealRecords without the addon (ROCKETTS_NATIVE=0)', () => {
  it('walks the run in JavaScript to the same bytes, stops at a filler, and throws at a bad record', async () => {
    const saved = process.env.ROCKETTS_NATIVE;
    process.env.ROCKETTS_NATIVE = '0';
    vi.resetModules();
    try {
      const js = await import('../store/commit-log/record-crc');
      expect(js.SEAL_WRITES_BODY_CRC).toBe(false);
      const bodies = [randomBytes(700), Buffer.alloc(0)];
      const hosts = [encodeHostAddress('127.0.0.1', 1), encodeHostAddress('fe80::2', 2)];
      // Without the addon BODYCRC is computed while the record is written.
      const records = bodies.map((b, i) => record(b, hosts[i] as Buffer, undefined));
      const run = Buffer.concat([...records, fillerOf(1 << 20)]);
      js.sealRecords(run, 0, run.length);
      let pos = 0;
      for (const [i, r] of records.entries()) {
        expect(verifyRecordCrc(run, pos, r.length)).toBe(true);
        if (native) {
          const viaAddon = record(bodies[i] as Buffer, hosts[i] as Buffer, 0);
          native.sealRecords(viaAddon, 0, viaAddon.length);
          expect(run.subarray(pos, pos + r.length).equals(viaAddon)).toBe(true);
        }
        pos += r.length;
      }
      const bad = Buffer.from(records[0] as Buffer);
      bad.writeInt32BE(bad.length + 1, 0);
      expect(() => js.sealRecords(bad, 0, bad.length)).toThrow(/does not parse/);
    } finally {
      if (saved === undefined) delete process.env.ROCKETTS_NATIVE;
      else process.env.ROCKETTS_NATIVE = saved;
      vi.resetModules();
    }
  });
});

function fillerOf(segmentRest: number): Buffer {
  const filler = Buffer.alloc(8);
  filler.writeInt32BE(segmentRest);
  filler.writeInt32BE(BLANK_MAGIC, 4);
  return filler;
}

/** The body of a record at offset 0: BODYLENGTH follows the hosts, 12 bytes longer each when IPv6. */
function bodyOf(rec: Buffer): Buffer {
  const sysFlag = rec.readInt32BE(36);
  const lenPos = 84 + (sysFlag & 0x10 ? 12 : 0) + (sysFlag & 0x20 ? 12 : 0);
  return rec.subarray(lenPos + 4, lenPos + 4 + rec.readInt32BE(lenPos));
}

/** A V1 record with the CRC placeholder. */
function record(body: Buffer, host: Buffer, crc: number | undefined): Buffer {
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
    bodyCrc: crc,
  };
  const size = measureMessageRecord(input);
  const buf = Buffer.alloc(size.total);
  writeMessageRecord(buf, 0, input, size);
  return buf;
}
