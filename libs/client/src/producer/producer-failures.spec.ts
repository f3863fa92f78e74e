import {
  RemotingConnectError,
  RemotingTimeoutError,
  RequestCode,
  ResponseCode,
  ResponseError,
} from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import {
  drop,
  dropMidFrame,
  late,
  never,
  respond,
  wrongLength,
  type Behaviour,
} from '../../../../test/fakes/fake-broker';
import type { FakeCluster } from '../../../../test/fakes/fake-cluster';
import { producerFixture } from '../../../../test/fakes/producer-fixture';

const { cluster, producer } = producerFixture({ brokers: 1, queueNums: 1 });

const sendCounts = (c: FakeCluster): number[] =>
  c.brokers.map((b) => b.requestsOf(RequestCode.SEND_MESSAGE_V2).length);

/** The very first send request, on whichever broker the round-robin picks, gets `b`; every other send succeeds. */
function failFirstSend(c: FakeCluster, b: Behaviour): void {
  let failed = false;
  for (const broker of c.brokers) {
    broker.on(RequestCode.SEND_MESSAGE_V2, (req) => {
      if (failed) return broker.defaultBehaviour(req);
      failed = true;
      return b;
    });
  }
}

describe('send retries (DefaultMQProducerImpl.sendDefaultImpl)', () => {
  it.each([
    ['SYSTEM_BUSY', respond(ResponseCode.SYSTEM_BUSY, undefined, undefined, '[REJECTREQUEST]system busy')],
    ['TOPIC_NOT_EXIST', respond(ResponseCode.TOPIC_NOT_EXIST, undefined, undefined, 'topic not exist')],
    ['a dropped connection', drop()],
    ['a frame cut in the middle', dropMidFrame()],
    ['a frame with a wrong length', wrongLength()],
  ])('retries on the other broker after %s', async (_what, behaviour) => {
    const c = await cluster(2);
    failFirstSend(c, behaviour);
    const r = await (await producer(c)).send({ topic: c.topic, body: 'x' });
    expect(r.status).toBe('SEND_OK');
    expect(sendCounts(c)).toEqual([1, 1]);
    const failed = c.brokers.find((b) => b.brokerName !== r.messageQueue.brokerName);
    expect(failed?.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(1);
  });

  it('fails at once on MESSAGE_ILLEGAL', async () => {
    const c = await cluster(2);
    failFirstSend(c, respond(ResponseCode.MESSAGE_ILLEGAL, undefined, undefined, 'the message is illegal'));
    const err = await (await producer(c)).send({ topic: c.topic, body: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({
      code: 'MESSAGE_ILLEGAL',
      retriable: false,
      remark: 'the message is illegal',
      requestCode: RequestCode.SEND_MESSAGE_V2,
    });
    expect(sendCounts(c).reduce((a, b) => a + b)).toBe(1);
  });

  it('throws the last error after 1 + retryTimesWhenSendFailed attempts', async () => {
    const c = await cluster(2);
    const busy = respond(ResponseCode.SYSTEM_BUSY, undefined, undefined, 'busy');
    for (const b of c.brokers) b.on(RequestCode.SEND_MESSAGE_V2, busy);
    await expect((await producer(c)).send({ topic: c.topic, body: 'x' })).rejects.toMatchObject({
      code: 'SYSTEM_BUSY',
    });
    expect(sendCounts(c).reduce((a, b) => a + b)).toBe(3);
    expect(Math.min(...sendCounts(c))).toBe(1);
    await expect(
      (await producer(c, { retryTimesWhenSendFailed: 0 })).send({ topic: c.topic, body: 'x' }),
    ).rejects.toBeInstanceOf(ResponseError);
    expect(sendCounts(c).reduce((a, b) => a + b)).toBe(4);
  });

  it('retries on the same broker, reconnecting, when it is the only one', async () => {
    const c = await cluster(1);
    c.brokers[0]?.script(RequestCode.SEND_MESSAGE_V2, drop());
    const p = await producer(c);
    expect((await p.send({ topic: c.topic, body: 'x' })).status).toBe('SEND_OK');
    expect(c.brokers[0]?.connectionsAccepted).toBe(2);
  });

  it('reconnects on the next send after the broker dropped the connection', async () => {
    const c = await cluster(1);
    const p = await producer(c, { retryTimesWhenSendFailed: 0 });
    await p.send({ topic: c.topic, body: 'one' });
    c.brokers[0]?.dropConnections();
    await new Promise((r) => setTimeout(r, 20));
    expect((await p.send({ topic: c.topic, body: 'two' })).status).toBe('SEND_OK');
    expect(c.brokers[0]?.connectionsAccepted).toBe(2);
  });

  it('gives up with the connection error when every attempt loses its connection', async () => {
    const c = await cluster(1);
    c.brokers[0]?.on(RequestCode.SEND_MESSAGE_V2, drop());
    await expect((await producer(c)).send({ topic: c.topic, body: 'x' })).rejects.toBeInstanceOf(
      RemotingConnectError,
    );
    expect(c.brokers[0]?.connectionsAccepted).toBe(3);
  });
});

describe('send timeouts', () => {
  it('throws RemotingTimeoutError carrying addr, opaque and timeoutMs when the broker never answers', async () => {
    const c = await cluster(2);
    failFirstSend(c, never());
    const p = await producer(c);
    await p.fetchPublishMessageQueues(c.topic); // route cached, so the budget goes to the send itself
    const started = Date.now();
    const err = await p.send({ topic: c.topic, body: 'x' }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(err).toBeInstanceOf(RemotingTimeoutError);
    const sent = c.brokers.flatMap((b) =>
      b.requestsOf(RequestCode.SEND_MESSAGE_V2).map((cmd) => ({ addr: b.addr, opaque: cmd.opaque })),
    );
    expect(sent).toHaveLength(1); // the whole budget went to the first attempt
    const e = err as RemotingTimeoutError;
    expect({ addr: e.addr, opaque: e.opaque }).toEqual(sent[0]);
    expect(e.timeoutMs).toBeGreaterThan(150);
    expect(e.timeoutMs).toBeLessThanOrEqual(300);
    expect(e.requestCode).toBe(RequestCode.SEND_MESSAGE_V2);
    expect(e.retriable).toBe(true);
  });

  it('ignores an answer that arrives after the timeout and keeps working', async () => {
    const c = await cluster(1);
    const broker = c.brokers[0]!;
    broker.script(RequestCode.SEND_MESSAGE_V2, (req) => late(400, broker.defaultBehaviour(req)));
    const p = await producer(c);
    await expect(p.send({ topic: c.topic, body: 'slow' }, { timeoutMs: 150 })).rejects.toBeInstanceOf(
      RemotingTimeoutError,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await p.send({ topic: c.topic, body: 'fast' })).status).toBe('SEND_OK');
    expect(broker.connectionsAccepted).toBe(1);
  });

  it('rejects a non-positive timeout', async () => {
    const c = await cluster(1);
    await expect((await producer(c)).send({ topic: c.topic, body: 'x' }, { timeoutMs: 0 })).rejects.toThrow(
      /^timeoutMs:/,
    );
  });
});
