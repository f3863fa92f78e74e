import { describe, expect, it } from 'vitest';
import { buildPullSysFlag } from '../codes/flags';
import { decodeBatchBody, encodeBatchBody } from './batch-body';
import { createOffsetMsgId, decodeOffsetMsgId, hexLong, UniqKeyGenerator } from './message-id';
import {
  decodeProperties,
  encodeProperties,
  findProperty,
  overlaySendProperties,
  scanSendProperties,
} from './properties';
import { encodeHostAddress, parseAddress } from './host-address';
import { continueJavaHashCode, javaHashCode } from './tag-hash';

describe('properties string (§7.4, §19.5)', () => {
  it('encodes in insertion order as ali-ons does', () => {
    expect(encodeProperties({ foo: 'bar', xxx: 'yyy', a: '中文' })).toBe(
      'foo\u0001bar\u0002xxx\u0001yyy\u0002a\u0001中文\u0002',
    );
  });

  it('parses with Java rules: short, nameless and valueless segments dropped, later duplicates win', () => {
    expect(decodeProperties('foo\u0001bar\u0002xxx\u0001yyy\u0002a\u0001中文\u0002')).toEqual({
      foo: 'bar',
      xxx: 'yyy',
      a: '中文',
    });
    expect(decodeProperties('a\u0001\u0002\u0001b\u0002k\u0001v\u0002k\u0001w')).toEqual({ k: 'w' });
    expect(decodeProperties('')).toEqual({});
    expect(decodeProperties('TAGS\u0001null\u0002')).toEqual({ TAGS: 'null' });
  });

  it('finds one property without parsing the rest, with the same rules', () => {
    const s = 'XTAGS\u0001no\u0002TAGS\u0001TagA\u0002KEYS\u0001\u0002TAGS\u0001TagB\u0002';
    expect(findProperty(s, 'TAGS')).toBe('TagB');
    expect(findProperty(s, 'KEYS')).toBeUndefined();
    expect(findProperty(s, 'NONE')).toBeUndefined();
  });

  it('scans the properties a broker needs from a send in one pass, DELAY included', () => {
    const s = encodeProperties({
      TAGS: 'T',
      KEYS: 'a b',
      WAIT: 'false',
      DELAY: '3',
      UNIQ_KEY: 'U',
      DELAYX: '9',
    });
    expect(scanSendProperties(s)).toEqual({
      tags: 'T',
      keys: 'a b',
      wait: 'false',
      delay: '3',
      uniqKey: 'U',
    });
    expect(scanSendProperties('DELAY\u0001\u0002').delay).toBeUndefined();
  });

  it('overlays the scan of a later text as scanning the joined text would', () => {
    const a = encodeProperties({ TAGS: 'A', KEYS: 'ka', WAIT: 'true', UNIQ_KEY: 'U' });
    const b = encodeProperties({
      WAIT: 'false',
      TAGS: 'B',
      TIMER_DELAY_MS: '5',
      DELAY: '2',
      TRAN_MSG: 'true',
    });
    expect(overlaySendProperties(scanSendProperties(a), scanSendProperties(b))).toEqual(
      scanSendProperties(a + b),
    );
    expect(overlaySendProperties(scanSendProperties(b), scanSendProperties(a))).toEqual(
      scanSendProperties(b + a),
    );
    expect(overlaySendProperties(scanSendProperties(a), {})).toEqual(scanSendProperties(a));
  });

  it.each(['TIMER_DELIVER_MS', 'TIMER_DELAY_SEC', 'TIMER_DELAY_MS', '__STARTDELIVERTIME'])(
    'flags the timer property %s, and only a named one with a value',
    (name) => {
      expect(scanSendProperties(encodeProperties({ TAGS: 'T', [name]: '5' })).timer).toBe(true);
      expect(scanSendProperties(`${name}\u0001\u0002`).timer).toBeUndefined();
      expect(
        scanSendProperties(encodeProperties({ [`${name}X`]: '5', TIMER_OUT_MS: '5' })).timer,
      ).toBeUndefined();
    },
  );
});

describe('message ids (§8, §19.4)', () => {
  it('decodes the reference offset id', () => {
    expect(decodeOffsetMsgId('0ADA91A6000029CC0000006504009B6F')).toEqual({
      host: '10.218.145.166',
      port: 10700,
      addr: '10.218.145.166:10700',
      offset: 433858845551,
    });
  });

  it('creates offset ids that decode back, for IPv4 and IPv6 store hosts', () => {
    const id = createOffsetMsgId(encodeHostAddress('10.218.145.166', 10700), 433858845551);
    expect(id).toBe('0ADA91A6000029CC0000006504009B6F');
    const v6 = createOffsetMsgId(encodeHostAddress('::1', 10911), 42);
    expect(v6).toHaveLength(56);
    expect(decodeOffsetMsgId(v6)).toMatchObject({ port: 10911, offset: 42, addr: '[0:0:0:0:0:0:0:1]:10911' });
    expect(() => decodeOffsetMsgId('XYZ')).toThrow(/offset message id/);
  });

  it('renders offsets as 16 upper-case hex digits, as the bytes of a long would', () => {
    for (const n of [0, 1, 255, 0xffffffff, 2 ** 32, 433858845551, 2 ** 53 - 1]) {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(n));
      expect(hexLong(n)).toBe(b.toString('hex').toUpperCase());
    }
  });

  it('generates 32-hex-digit unique keys with a constant 12-byte prefix', () => {
    const g = new UniqKeyGenerator('10.0.0.5');
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(g.next());
    expect(ids.size).toBe(10_000);
    const [a, b] = [...ids];
    expect(a).toMatch(/^0A000005[0-9A-F]{24}$/);
    expect(a?.slice(0, 20)).toBe(b?.slice(0, 20));
  });
});

describe('tag hash codes (§19.6)', () => {
  it.each([
    ['TagA', 2598919],
    ['TagB', 2598920],
    ['*', 42],
    ['null', 3392903],
    ['中文', 646394],
    ['a-very-long-tag-name-to-overflow', 514294891],
  ])('%s → %i', (tag, code) => expect(javaHashCode(tag)).toBe(code));

  it('continues a prefix hash as if the strings were joined', () => {
    expect(continueJavaHashCode(javaHashCode('a-very-long-'), 'tag-name-to-overflow')).toBe(514294891);
    expect(['TagA', 'TagB'].map(javaHashCode)).toEqual([2598919, 2598920]); // usable as a map callback
  });
});

describe('pull sysFlag (§19.7)', () => {
  it('matches ali-ons', () => {
    expect(buildPullSysFlag(true, true, true, true)).toBe(15);
    expect(buildPullSysFlag(false, true, true, true)).toBe(14);
    expect(buildPullSysFlag(false, false, true, true)).toBe(12);
    expect(buildPullSysFlag(false, false, false, true)).toBe(8);
    expect(buildPullSysFlag(false, false, false, false)).toBe(0);
  });
});

describe('batch body (§7.6)', () => {
  it('encodes entries with zero magic and CRC and decodes them back', () => {
    const entries = [
      { flag: 1, body: Buffer.from('one'), properties: 'UNIQ_KEY\u0001A\u0002' },
      { flag: 0, body: Buffer.alloc(0), properties: '' },
    ];
    const buf = encodeBatchBody(entries);
    expect(buf.readInt32BE(0)).toBe(20 + 3 + 11);
    expect(buf.readInt32BE(4)).toBe(0);
    expect(buf.readInt32BE(8)).toBe(0);
    expect(decodeBatchBody(buf)).toEqual(entries);
  });

  it('rejects truncated and inconsistent entries', () => {
    const buf = encodeBatchBody([{ flag: 0, body: Buffer.from('abc'), properties: 'a\u0001b\u0002' }]);
    expect(() => decodeBatchBody(buf.subarray(0, buf.length - 1))).toThrow(/TOTALSIZE|exceeds|truncated/);
    const bad = Buffer.from(buf);
    bad.writeInt32BE(999, 0);
    expect(() => decodeBatchBody(bad)).toThrow(/TOTALSIZE/);
  });
});

describe('addresses', () => {
  it('parses host:port and [v6]:port', () => {
    expect(parseAddress('127.0.0.1:9876')).toEqual({ host: '127.0.0.1', port: 9876 });
    expect(parseAddress('[::1]:10911')).toEqual({ host: '::1', port: 10911 });
    expect(() => parseAddress('nohost')).toThrow(/without port/);
  });
});
