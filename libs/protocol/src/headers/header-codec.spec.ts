import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as headers from './index';
import type { HeaderCodec } from './header-codec';

const codecs = Object.entries(headers).filter(
  (e): e is [string, HeaderCodec<Record<string, unknown>>] =>
    typeof e[1] === 'object' && e[1] !== null && 'decode' in e[1] && 'fields' in e[1],
);

function sample(c: HeaderCodec<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  c.fields.forEach((f, i) => {
    out[f.field] =
      f.type === 'string'
        ? `v-${f.field}-中`
        : f.type === 'boolean'
          ? i % 2 === 0
          : f.type === 'int'
            ? -i - 1
            : 2 ** 40 + i;
  });
  return out;
}

describe('custom header codecs', () => {
  it('covers every header codec exported', () => {
    expect(codecs.length).toBeGreaterThanOrEqual(20);
  });

  it.each(codecs)('%s round-trips through extFields as strings', (_name, codec) => {
    const value = sample(codec);
    const ext = codec.encode(value);
    for (const v of Object.values(ext)) expect(typeof v).toBe('string');
    expect(codec.decode(ext)).toEqual(value);
  });

  it.each(codecs.filter(([, c]) => c.fields.some((f) => f.required)))(
    '%s rejects a missing required field',
    (_n, codec) => {
      const ext = codec.encode(sample(codec));
      const req = codec.fields.find((f) => f.required);
      delete ext[req?.wire as string];
      expect(() => codec.decode(ext)).toThrow(`required field '${req?.wire}'`);
    },
  );

  it('uses one-letter keys for SEND_MESSAGE_V2 and Java names for SEND_MESSAGE', () => {
    const h = {
      producerGroup: 'G',
      topic: 'T',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: 0,
      bornTimestamp: 1,
      flag: 0,
    };
    expect(Object.keys(headers.SendMessageRequestHeaderV2.encode(h))).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
    ]);
    expect(headers.SendMessageRequestHeaderV1.encode(h)).toMatchObject({ producerGroup: 'G', topic: 'T' });
  });

  it('decodes the same where code generation from strings is disabled', () => {
    // The built package in a process that refuses `new Function`: codecs fall back to a loop.
    const dist = join(__dirname, '../../dist/headers/index.js');
    const ext = { consumerGroup: 'g', topic: 't', queueId: '+7', setZeroIfNotFound: 'TRUE' };
    const script = `const h = require(${JSON.stringify(dist)});
      const c = h.QueryConsumerOffsetRequestHeader;
      let missing = '';
      try { c.decode(undefined); } catch (e) { missing = e.message; }
      console.log(JSON.stringify({ decoded: c.decode(${JSON.stringify(ext)}), missing }));`;
    const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { decoded: unknown; missing: string };
    expect(out.decoded).toEqual(headers.QueryConsumerOffsetRequestHeader.decode(ext));
    expect(out.missing).toMatch(/missing/);
  });

  it('parses like Java: ints strictly, booleans true only for "true" in any case', () => {
    const c = headers.QueryConsumerOffsetRequestHeader;
    expect(c.decode({ consumerGroup: 'g', topic: 't', queueId: '+7', setZeroIfNotFound: 'TRUE' })).toEqual({
      consumerGroup: 'g',
      topic: 't',
      queueId: 7,
      setZeroIfNotFound: true,
    });
    expect(
      c.decode({ consumerGroup: 'g', topic: 't', queueId: '1', setZeroIfNotFound: 'yes' }).setZeroIfNotFound,
    ).toBe(false);
    expect(() => c.decode({ consumerGroup: 'g', topic: 't', queueId: '1.5' })).toThrow(/invalid value '1.5'/);
    expect(() => c.decode({ consumerGroup: 'g', topic: 't', queueId: '2147483648' })).toThrow(
      /invalid value/,
    );
    expect(() => c.decode(undefined)).toThrow(/missing/);
  });

  it('builds the SEND_MESSAGE_V2 extFields JSON directly, equal to the codec and escaping strings', () => {
    const h = {
      producerGroup: 'P"G',
      topic: 'T',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 3,
      sysFlag: 1,
      bornTimestamp: 1_700_000_000_000,
      flag: 0,
      properties: 'TAGS\u0001中\u0002',
      reconsumeTimes: 0,
      unitMode: false,
      batch: true,
      brokerName: 'b',
    };
    expect(JSON.parse(headers.sendHeaderV2Json(h))).toEqual(headers.SendMessageRequestHeaderV2.encode(h));
    const minimal = {
      ...h,
      properties: undefined,
      reconsumeTimes: undefined,
      unitMode: undefined,
      batch: undefined,
      brokerName: undefined,
    };
    expect(JSON.parse(headers.sendHeaderV2Json(minimal))).toEqual(
      headers.SendMessageRequestHeaderV2.encode(minimal),
    );
  });

  it('builds the send response extFields JSON directly, equal to the codec', () => {
    const h = {
      msgId: 'A,B',
      queueId: 1,
      queueOffset: 2 ** 40,
      transactionId: 'x"y',
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
    };
    expect(JSON.parse(headers.sendResponseHeaderJson(h))).toEqual(
      headers.SendMessageResponseHeader.encode(h),
    );
    const bare = { msgId: 'A', queueId: 0, queueOffset: 0 };
    expect(JSON.parse(headers.sendResponseHeaderJson(bare))).toEqual(
      headers.SendMessageResponseHeader.encode(bare),
    );
    // A broker's offset ids need no escaping: written as they are, the same text.
    const ids = {
      msgId: '7F00000100002A9F0000000000000000,7F00000100002A9F0000000000000461',
      queueId: 3,
      queueOffset: 9,
    };
    expect(headers.sendResponseHeaderJson(ids, true)).toBe(headers.sendResponseHeaderJson(ids));
  });
});
