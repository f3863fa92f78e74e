import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer, silentLogger } from '@rocketts/client';
import {
  createRequest,
  encodeFrameToBuffer,
  FrameDecoder,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  type RemotingCommand,
} from '@rocketts/protocol';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { randomGroup, randomTopic, tmpStoreDir } from '../helpers/tmp';

interface RawConn {
  socket: Socket;
  responses: RemotingCommand[];
  closed: Promise<void>;
  next(): Promise<RemotingCommand>;
}

function raw(addr: string): Promise<RawConn> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: host as string, port: Number(port) });
    const decoder = new FrameDecoder();
    const responses: RemotingCommand[] = [];
    const waiters: ((c: RemotingCommand) => void)[] = [];
    socket.on('data', (d) => {
      for (const c of decoder.push(d)) {
        const w = waiters.shift();
        if (w) w(c);
        else responses.push(c);
      }
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        responses,
        closed,
        next: () =>
          new Promise((r) =>
            responses.length > 0 ? r(responses.shift() as RemotingCommand) : waiters.push(r),
          ),
      }),
    );
    socket.once('error', reject);
  });
}

const within = <T>(p: Promise<T>, ms = 5000): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`not within ${ms} ms`)), ms))]);

describe('bad input to the broker', () => {
  const dirs = tmpStoreDir();
  let ns: ProcHandle;
  let broker: ProcHandle;
  let producer: Producer;
  const topic = randomTopic();

  beforeAll(async () => {
    ns = await startNamesrv(dirs.dir);
    broker = await startBroker({
      namesrv: ns.addr,
      storeDir: `${dirs.dir}/b`,
      conf: { maxMessageSize: 1024 * 1024 },
    });
    producer = new Producer({
      namesrvAddr: ns.addr,
      producerGroup: randomGroup(),
      logger: silentLogger,
      maxMessageSize: 8 * 1024 * 1024,
    });
    await producer.start();
    await producer.send({ topic, body: 'warm-up' });
  });

  afterAll(async () => {
    await producer?.shutdown();
    await broker?.stop();
    await ns?.stop();
    dirs.cleanup();
  });

  const stillServes = async (): Promise<void> => {
    expect((await producer.send({ topic, body: 'still here' })).status).toBe('SEND_OK');
  };

  it.each([
    ['a length below the header word', Buffer.from('0000000200000000', 'hex')],
    ['a length over the 16 MiB cap', Buffer.from('7fffffff00000000', 'hex')],
    ['a header length beyond the frame', Buffer.from('00000006000000ff7b7d', 'hex')],
    [
      'a header that is not JSON',
      Buffer.concat([Buffer.from('0000000700000003', 'hex'), Buffer.from('{{{')]),
    ],
    ['an unknown serialize type', Buffer.concat([Buffer.from('0000000605000002', 'hex'), Buffer.from('{}')])],
  ])('closes the connection on %s and keeps serving others', async (_what, bytes) => {
    const c = await raw(broker.addr);
    c.socket.write(bytes);
    await within(c.closed);
    await stillServes();
  });

  it('answers an unknown request code with REQUEST_CODE_NOT_SUPPORTED', async () => {
    const c = await raw(broker.addr);
    c.socket.write(encodeFrameToBuffer({ ...createRequest(9999), opaque: 77 }));
    const resp = await within(c.next());
    expect(resp).toMatchObject({
      code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      opaque: 77,
      remark: ' request type 9999 not supported',
    });
    c.socket.destroy();
  });

  it('names a missing header field and keeps the connection', async () => {
    const c = await raw(broker.addr);
    c.socket.write(
      encodeFrameToBuffer({
        ...createRequest(RequestCode.SEND_MESSAGE_V2, { a: 'g' }, Buffer.from('x')),
        opaque: 5,
      }),
    );
    const resp = await within(c.next());
    expect(resp.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(resp.remark).toMatch(/required field 'b' is missing/);
    c.socket.write(encodeFrameToBuffer({ ...createRequest(9998), opaque: 6 }));
    expect((await within(c.next())).opaque).toBe(6);
    c.socket.destroy();
  });

  it('refuses an oversize body with MESSAGE_ILLEGAL and stores nothing', async () => {
    const header = SendMessageRequestHeaderV2.encode({
      producerGroup: 'g',
      topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      flag: 0,
    });
    const c = await raw(broker.addr);
    c.socket.write(
      encodeFrameToBuffer({
        ...createRequest(RequestCode.SEND_MESSAGE_V2, header, Buffer.alloc(2 * 1024 * 1024)),
        opaque: 9,
      }),
    );
    const resp = await within(c.next());
    expect(resp.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(resp.remark).toMatch(/maxMessageSize/);
    c.socket.destroy();
    await stillServes();
  });

  it('survives a client that drops mid-frame', async () => {
    const c = await raw(broker.addr);
    const frame = encodeFrameToBuffer({
      ...createRequest(RequestCode.HEART_BEAT, undefined, Buffer.from('{"clientID":"x"}')),
      opaque: 1,
    });
    c.socket.end(frame.subarray(0, frame.length - 5));
    await within(c.closed);
    await stillServes();
  });
});
