import { describe, expect, it } from 'vitest';
import { FRAME_FIXTURES as F } from '../../fixtures/frames';
import { SerializeType } from '../codes/flags';
import { createRequest, createResponse, isOneway, isResponse, type RemotingCommand } from './command';
import { decodeFramePayload, encodeFrameToBuffer } from './frame-codec';
import { FrameDecoder } from './frame-decoder';
import { encodeJsonHeader } from './json-header';
import { decodeRocketMqHeader, encodeRocketMqHeader } from './rocketmq-header';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');
const decodeOne = (frame: Buffer): RemotingCommand => {
  const cmds = new FrameDecoder().push(frame);
  expect(cmds).toHaveLength(1);
  return cmds[0] as RemotingCommand;
};

describe('JSON frames from ali-ons (§19.1)', () => {
  it('decodes the ali-ons request: length, header type and fields', () => {
    const frame = hex(F.aliOnsRequest);
    expect(frame.length).toBe(137);
    expect(frame.readInt32BE(0)).toBe(133);
    expect(frame.readInt32BE(4)).toBe(0x81);
    const cmd = decodeOne(frame);
    expect(cmd).toMatchObject({ code: 217, language: 'JAVA', opaque: 1, flag: 0, version: 121 });
    expect(cmd.extFields).toEqual({ namespace: 'PROJECT_CONFIG', key: '192.168.1.103' });
    expect(cmd.body).toBeUndefined();
    expect(isResponse(cmd)).toBe(false);
  });

  it('decodes the ali-ons response with remark and empty extFields', () => {
    const cmd = decodeOne(hex(F.aliOnsResponse));
    expect(cmd).toMatchObject({
      code: 0,
      opaque: 1,
      flag: 1,
      version: 121,
      remark: 'not set any response code',
    });
    expect(cmd.extFields).toEqual({});
    expect(isResponse(cmd)).toBe(true);
  });

  it('decodes frames with version 78 and without an extFields key', () => {
    expect(decodeOne(hex(F.aliOnsDecodedRequest))).toMatchObject({ code: 217, version: 78, flag: 0 });
    const resp = decodeOne(hex(F.aliOnsDecodedResponse));
    expect(resp).toMatchObject({ code: 0, flag: 1, remark: 'not set any response code' });
    expect(resp.extFields).toBeUndefined();
  });

  it('encodes a response header byte-identical to a Java broker (derived §19.1.5)', () => {
    const resp = { ...createResponse({ opaque: 0, serializeType: SerializeType.JSON }, 0), version: 403 };
    const header = encodeJsonHeader(resp);
    expect(header).toBe(F.javaResponseHeader);
    const frame = encodeFrameToBuffer(resp);
    expect(frame.subarray(0, 8).toString('hex')).toBe('000000630000005f');
    expect(frame.length).toBe(8 + 95);
  });

  it('coerces numbers and booleans in extFields to strings (ali-ons SEND_MESSAGE_V2)', () => {
    const header = Buffer.from(F.aliOnsSendV2Header, 'utf8');
    expect(header.length).toBe(204);
    const body = Buffer.from('hello');
    const frame = Buffer.alloc(8 + header.length + body.length);
    frame.writeInt32BE(4 + header.length + body.length, 0);
    frame.writeInt32BE(header.length, 4);
    header.copy(frame, 8);
    body.copy(frame, 8 + header.length);
    expect(frame.subarray(0, 8).toString('hex')).toBe('000000d5000000cc');
    const cmd = decodeOne(frame);
    expect(cmd.code).toBe(310);
    expect(cmd.extFields).toEqual({
      a: 'PID_G',
      b: 'TopicTest',
      c: 'TBW102',
      d: '4',
      e: '0',
      f: '0',
      g: '1700000000000',
      h: '0',
      i: 'TAGS\u0001TagA\u0002',
      j: '0',
      k: 'false',
    });
    expect(cmd.body?.toString()).toBe('hello');
  });
});

describe('ROCKETMQ binary header (§19.2)', () => {
  const base = {
    code: 103,
    language: 'JAVA',
    version: 2333,
    opaque: 1,
    flag: 0,
    serializeType: SerializeType.ROCKETMQ,
  } as const;

  it('encodes the three reference headers byte for byte', () => {
    expect(encodeRocketMqHeader(base).toString('hex')).toBe(F.binaryHeaderBare);
    expect(encodeRocketMqHeader({ ...base, remark: 'Sample Remark' }).toString('hex')).toBe(
      F.binaryHeaderRemark,
    );
    expect(encodeRocketMqHeader({ ...base, extFields: { key: 'value' } }).toString('hex')).toBe(
      F.binaryHeaderExt,
    );
  });

  it('decodes them back', () => {
    expect(decodeRocketMqHeader(hex(F.binaryHeaderBare))).toMatchObject({
      code: 103,
      version: 2333,
      opaque: 1,
      remark: undefined,
    });
    expect(decodeRocketMqHeader(hex(F.binaryHeaderRemark)).remark).toBe('Sample Remark');
    expect(decodeRocketMqHeader(hex(F.binaryHeaderExt)).extFields).toEqual({ key: 'value' });
  });

  it('frames with serialize type 1 in the high byte', () => {
    const frame = encodeFrameToBuffer({ ...base, extFields: { key: 'value' } });
    expect(frame.subarray(0, 8).toString('hex')).toBe(F.binaryFramePrefix);
    const cmd = decodeOne(frame);
    expect(cmd.serializeType).toBe(SerializeType.ROCKETMQ);
    expect(cmd.extFields).toEqual({ key: 'value' });
  });

  it('drops empty strings as Java does and rejects lengths beyond the header', () => {
    const h = encodeRocketMqHeader({ ...base, remark: '', extFields: { a: '', b: 'x' } });
    expect(decodeRocketMqHeader(h)).toMatchObject({ remark: undefined, extFields: { b: 'x' } });
    const bad = hex(F.binaryHeaderRemark);
    bad.writeInt32BE(1000, 13);
    expect(() => decodeRocketMqHeader(bad)).toThrow(/remark length/);
    expect(() => decodeRocketMqHeader(Buffer.alloc(10))).toThrow(/shorter/);
  });
});

describe('FrameDecoder', () => {
  const frames = [
    hex(F.aliOnsRequest),
    hex(F.aliOnsResponse),
    encodeFrameToBuffer({ ...createRequest(310, { a: 'g' }, Buffer.from('body bytes')), opaque: 7 }),
    encodeFrameToBuffer({
      ...createRequest(11, { x: '1' }, undefined, SerializeType.ROCKETMQ),
      opaque: 8,
      flag: 2,
    }),
  ];
  const stream = Buffer.concat(frames);
  const expected = new FrameDecoder().push(stream);

  it('decodes a stream of several frames', () => {
    expect(expected.map((c) => c.code)).toEqual([217, 0, 310, 11]);
    expect(expected[2]?.body?.toString()).toBe('body bytes');
    expect(isOneway(expected[3] as RemotingCommand)).toBe(true);
  });

  it('gives the same commands when the stream is split at every byte boundary', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got).toEqual(expected);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('gives the same commands when fed one byte at a time', () => {
    const d = new FrameDecoder();
    const got: RemotingCommand[] = [];
    for (const b of stream) got.push(...d.push(Buffer.from([b])));
    expect(got).toEqual(expected);
  });

  it('copies a frame spanning chunks once and leaves the frames after it in their chunk', () => {
    const body = (n: number): Buffer => Buffer.alloc(n, n & 0xff);
    const big = encodeFrameToBuffer({ ...createRequest(320, { a: 'g' }, body(5000)), opaque: 1 });
    const small = encodeFrameToBuffer({ ...createRequest(310, { a: 'g' }, body(100)), opaque: 2 });
    const tail = Buffer.concat([big.subarray(3000), small, small.subarray(0, 10)]);
    const d = new FrameDecoder();
    expect(d.push(big.subarray(0, 3000))).toEqual([]);
    const [first, second] = d.push(tail);
    expect(first?.body).toEqual(body(5000));
    expect(first?.body?.buffer).not.toBe(tail.buffer);
    // The frame after the spanning one is a view of the chunk it arrived in, not a copy.
    expect(second?.body).toEqual(body(100));
    expect(second?.body?.buffer).toBe(tail.buffer);
    expect(d.bufferedBytes).toBe(10);
  });

  it('rejects a frame longer than the cap before buffering it', () => {
    const d = new FrameDecoder(1024);
    const head = Buffer.alloc(8);
    head.writeInt32BE(2048, 0);
    expect(() => d.push(head)).toThrow(/exceeds the limit of 1024/);
    expect(() => new FrameDecoder().push(Buffer.from('7fffffff00000000', 'hex'))).toThrow(
      /exceeds the limit/,
    );
  });

  it('rejects lengths below 4, header lengths beyond the frame, bad JSON and unknown serialize types', () => {
    expect(() => new FrameDecoder().push(Buffer.from('0000000200000000', 'hex'))).toThrow(/smaller than/);
    expect(() => decodeFramePayload(Buffer.from('000000ff7b7d', 'hex'))).toThrow(/exceeds the frame/);
    expect(() => decodeFramePayload(Buffer.from('000000027b7b', 'hex'))).toThrow(/not valid JSON/);
    expect(() => decodeFramePayload(Buffer.from('000000025b5d', 'hex'))).toThrow(/not an object/);
    expect(() => decodeFramePayload(Buffer.from('050000027b7d', 'hex'))).toThrow(/serialize type 5/);
    expect(() => decodeFramePayload(Buffer.from('000000027b7d', 'hex'))).toThrow(/no 'code'/);
  });
});
