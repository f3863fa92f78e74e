import {
  decodeBatchBody,
  decodeProperties,
  InvalidArgumentError,
  MessageSysFlag,
  UniqKeyGenerator,
} from '@rocketts/protocol';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { prepareBatch, prepareMessage, type PrepareContext } from './prepare-message';

const ctx: PrepareContext = {
  maxMessageSize: 4 * 1024 * 1024,
  compressOverBytes: 4096,
  uniqKeys: new UniqKeyGenerator('10.0.0.5'),
};

describe('prepareMessage', () => {
  it('encodes TAGS, KEYS joined by spaces, WAIT, DELAY, user properties and a fresh UNIQ_KEY', () => {
    const p = prepareMessage(
      {
        topic: 'T',
        body: 'hello',
        tags: 'TagA',
        keys: ['k1', 'k2'],
        properties: { a: '1' },
        delayTimeLevel: 3,
        waitStoreMsgOK: false,
        flag: 7,
      },
      ctx,
    );
    const props = decodeProperties(p.properties);
    expect(props).toMatchObject({ a: '1', TAGS: 'TagA', KEYS: 'k1 k2', WAIT: 'false', DELAY: '3' });
    expect(props.UNIQ_KEY).toMatch(/^0A000005[0-9A-F]{24}$/);
    expect(p).toMatchObject({ topic: 'T', flag: 7, sysFlag: 0, batch: false, uniqKeys: [props.UNIQ_KEY] });
    expect(p.body.toString()).toBe('hello');
  });

  it('moves RECONSUME_TIME and MAX_RECONSUME_TIMES into the header fields of a %RETRY% send only', () => {
    const properties = { RECONSUME_TIME: '3', MAX_RECONSUME_TIMES: '16', RETRY_TOPIC: 'T' };
    const retry = prepareMessage({ topic: '%RETRY%G', body: 'x', properties }, ctx);
    expect(retry).toMatchObject({ reconsumeTimes: 3, maxReconsumeTimes: 16 });
    const props = decodeProperties(retry.properties);
    expect(props.RETRY_TOPIC).toBe('T');
    expect(props.RECONSUME_TIME).toBeUndefined();
    expect(props.MAX_RECONSUME_TIMES).toBeUndefined();
    const plain = prepareMessage({ topic: 'T', body: 'x', properties }, ctx);
    expect(plain.reconsumeTimes).toBeUndefined();
    expect(decodeProperties(plain.properties).RECONSUME_TIME).toBe('3');
    expect(() =>
      prepareMessage({ topic: '%RETRY%G', body: 'x', properties: { RECONSUME_TIME: 'x' } }, ctx),
    ).toThrow(InvalidArgumentError);
  });

  it('keeps a caller-provided UNIQ_KEY and defaults WAIT to true, without DELAY for level 0', () => {
    const props = decodeProperties(
      prepareMessage({ topic: 'T', body: 'x', properties: { UNIQ_KEY: 'MINE' }, delayTimeLevel: 0 }, ctx)
        .properties,
    );
    expect(props).toEqual({ UNIQ_KEY: 'MINE', WAIT: 'true' });
  });

  it('compresses bodies of at least 4 KiB with zlib and flags them, smaller ones not', () => {
    const big = Buffer.alloc(4096, 'a');
    const p = prepareMessage({ topic: 'T', body: big }, ctx);
    expect(p.sysFlag & MessageSysFlag.COMPRESSED).toBe(MessageSysFlag.COMPRESSED);
    expect(p.body.length).toBeLessThan(200);
    expect(inflateSync(p.body)).toEqual(big);
    const small = prepareMessage({ topic: 'T', body: Buffer.alloc(4095, 'a') }, ctx);
    expect(small.sysFlag).toBe(0);
    expect(small.body.length).toBe(4095);
  });

  it.each([
    [{ topic: 'bad topic', body: 'x' }, 'topic'],
    [{ topic: 'x'.repeat(128), body: 'x' }, 'topic'],
    [{ topic: '', body: 'x' }, 'topic'],
    [{ topic: 'TBW102', body: 'x' }, 'topic'],
    [{ topic: 'SCHEDULE_TOPIC_XXXX', body: 'x' }, 'topic'],
    [{ topic: 'T', body: '' }, 'body'],
    [{ topic: 'T', body: 42 }, 'body'],
    [{ topic: 'T', body: 'x', tags: 'a\u0001b' }, 'tags'],
    [{ topic: 'T', body: 'x', properties: { k: 1 } }, 'properties.k'],
    [{ topic: 'T', body: 'x', flag: 2 ** 31 }, 'flag'],
    [{ topic: 'T', body: 'x', delayTimeLevel: -1 }, 'delayTimeLevel'],
  ])('rejects %j on %s', (msg, key) => {
    expect(() => prepareMessage(msg as never, ctx)).toThrow(InvalidArgumentError);
    expect(() => prepareMessage(msg as never, ctx)).toThrow(new RegExp(`^${key.replace('.', '\\.')}:`));
  });

  it('accepts the longest legal topic and rejects a body over maxMessageSize', () => {
    expect(prepareMessage({ topic: '%|_-' + 'a'.repeat(123), body: 'x' }, ctx).topic).toHaveLength(127);
    expect(() =>
      prepareMessage({ topic: 'T', body: Buffer.alloc(11) }, { ...ctx, maxMessageSize: 10 }),
    ).toThrow(/exceeds maxMessageSize 10/);
  });
});

describe('prepareBatch (§7.6)', () => {
  it('encodes each message with its own UNIQ_KEY, no compression, WAIT at batch level', () => {
    const big = Buffer.alloc(5000, 'b');
    const p = prepareBatch(
      [
        { topic: 'T', body: 'one', tags: 'A', flag: 1 },
        { topic: 'T', body: big, keys: 'k' },
      ],
      ctx,
    );
    expect(p).toMatchObject({ batch: true, sysFlag: 0, flag: 0, properties: 'WAIT\u0001true\u0002' });
    const entries = decodeBatchBody(p.body);
    expect(entries.map((e) => e.flag)).toEqual([1, 0]);
    expect(entries[0]?.body.toString()).toBe('one');
    expect(entries[1]?.body).toEqual(big);
    const props = entries.map((e) => decodeProperties(e.properties));
    expect(props[0]).toMatchObject({ TAGS: 'A', WAIT: 'true' });
    expect(props[1]).toMatchObject({ KEYS: 'k' });
    expect(p.uniqKeys).toEqual([props[0]?.UNIQ_KEY, props[1]?.UNIQ_KEY]);
    expect(new Set(p.uniqKeys).size).toBe(2);
  });

  it.each([
    [[], 'messages'],
    [
      [
        { topic: 'T', body: 'a' },
        { topic: 'U', body: 'b' },
      ],
      'messages\\[1\\]\\.topic',
    ],
    [
      [
        { topic: 'T', body: 'a' },
        { topic: 'T', body: 'b', waitStoreMsgOK: false },
      ],
      'messages\\[1\\]\\.waitStoreMsgOK',
    ],
    [[{ topic: 'T', body: 'a', delayTimeLevel: 2 }], 'messages\\[0\\]\\.delayTimeLevel'],
    [[{ topic: '%RETRY%G', body: 'a' }], 'topic'],
    [[{ topic: 'T', body: '' }], 'body'],
  ])('rejects %j', (msgs, key) => {
    expect(() => prepareBatch(msgs as never, ctx)).toThrow(new RegExp(`^${key}:`));
  });

  it('gives plain messages (nothing but topic, body, flag) the properties text the property builder gives', () => {
    for (const waitStoreMsgOK of [true, false]) {
      const p = prepareBatch(
        [
          { topic: 'T', body: 'a', waitStoreMsgOK }, // plain
          { topic: 'T', body: 'b', flag: 7, waitStoreMsgOK }, // plain
          { topic: 'T', body: 'c', delayTimeLevel: 0, waitStoreMsgOK }, // built: same fields
          { topic: 'T', body: 'd', tags: '', shardingKey: '', waitStoreMsgOK }, // built: same fields
          { topic: 'T', body: 'e', tags: 'X', waitStoreMsgOK }, // built: more fields
        ],
        ctx,
      );
      const entries = decodeBatchBody(p.body);
      const texts = entries.map((e, i) => e.properties.replace(p.uniqKeys[i] as string, '<key>'));
      const expected = `WAIT\u0001${waitStoreMsgOK}\u0002UNIQ_KEY\u0001<key>\u0002`;
      expect(texts.slice(0, 4)).toEqual([expected, expected, expected, expected]);
      expect(texts[4]).toBe(`TAGS\u0001X\u0002${expected}`);
      expect(entries.map((e) => e.flag)).toEqual([0, 7, 0, 0, 0]);
      expect(new Set(p.uniqKeys).size).toBe(5);
      expect(p.uniqKeys.every((k) => /^[0-9A-F]{32}$/.test(k))).toBe(true);
    }
  });

  it('rejects a batch body over maxMessageSize', () => {
    expect(() =>
      prepareBatch(
        [
          { topic: 'T', body: 'aaaa' },
          { topic: 'T', body: 'bbbb' },
        ],
        { ...ctx, maxMessageSize: 100 },
      ),
    ).toThrow(/batch body/);
  });
});
