import { RemotingTimeoutError, RequestCode, ResponseCode } from '@rocketts/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drop, late, never, respond } from '../../../../test/fakes/fake-broker';
import type { FakeCluster } from '../../../../test/fakes/fake-cluster';
import { producerFixture } from '../../../../test/fakes/producer-fixture';
import type { Producer } from './producer';

const { cluster, producer } = producerFixture({ brokers: 2, queueNums: 2 });

const countsOf = (c: FakeCluster): number[] =>
  c.brokers.map((b) => b.requestsOf(RequestCode.SEND_MESSAGE_V2).length);
const sendMany = async (p: Producer, topic: string, n: number): Promise<string[]> => {
  const brokers: string[] = [];
  for (let i = 0; i < n; i++) brokers.push((await p.send({ topic, body: `m${i}` })).messageQueue.brokerName);
  return brokers;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('latency fault avoidance (MQFaultStrategy, on by default)', () => {
  it('after broker A fails, sends go to B and keep avoiding A for the window, then use A again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const c = await cluster();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    a.script(RequestCode.SEND_MESSAGE_V2, respond(ResponseCode.SYSTEM_BUSY, undefined, undefined, 'busy'));
    const p = await producer(c);
    await p.fetchPublishMessageQueues(c.topic);
    // Four sends walk over a0 a1 b0 b1 (from a random start), so A fails once; it is retried on B.
    const first = await sendMany(p, c.topic, 4);
    expect(first.every((name) => name === b.brokerName)).toBe(true);
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(1);

    // A is healthy again, but a failure keeps it avoided for 10 minutes (4.x isolation).
    vi.setSystemTime(Date.now() + 9 * 60_000);
    expect(new Set(await sendMany(p, c.topic, 10))).toEqual(new Set([b.brokerName]));
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(1);

    vi.setSystemTime(Date.now() + 60_001);
    expect(new Set(await sendMany(p, c.topic, 10))).toEqual(new Set([a.brokerName, b.brokerName]));
  });

  it('avoids a slow broker for 30 s after an answer of 550 ms or more', async () => {
    const c = await cluster();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    a.script(RequestCode.SEND_MESSAGE_V2, (req) => late(600, a.defaultBehaviour(req)));
    const p = await producer(c);
    await sendMany(p, c.topic, 4); // walks over every queue once, so A answers slowly once
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(1);
    expect(new Set(await sendMany(p, c.topic, 8))).toEqual(new Set([b.brokerName]));
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(1);
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 30_000);
    expect(new Set(await sendMany(p, c.topic, 8))).toContain(a.brokerName);
  });

  it('a hung broker costs one timeout, not one per send', async () => {
    const c = await cluster();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    a.on(RequestCode.SEND_MESSAGE_V2, never());
    const p = await producer(c);
    await p.fetchPublishMessageQueues(c.topic);
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await p.send({ topic: c.topic, body: 'x' }, { timeoutMs: 200 }).then(
        (res) => res.messageQueue.brokerName,
        (e: unknown) => (e instanceof RemotingTimeoutError ? 'timeout' : String(e)),
      );
      outcomes.push(r);
    }
    expect(outcomes.filter((o) => o === 'timeout').length).toBeLessThanOrEqual(1);
    expect(outcomes.filter((o) => o === b.brokerName).length).toBeGreaterThanOrEqual(5);
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2).length).toBeLessThanOrEqual(1);
  });

  it('sends somewhere when every broker is avoided', async () => {
    const c = await cluster();
    for (const b of c.brokers) b.script(RequestCode.SEND_MESSAGE_V2, drop());
    const p = await producer(c);
    const r = await p.send({ topic: c.topic, body: 'x' });
    expect(r.status).toBe('SEND_OK');
    expect(countsOf(c).reduce((x, y) => x + y)).toBe(3);
    expect((await p.send({ topic: c.topic, body: 'y' })).status).toBe('SEND_OK');
  });

  it('keeps plain round-robin when sendLatencyFaultEnable is false', async () => {
    const c = await cluster();
    const [a] = c.brokers as [FakeCluster['brokers'][0]];
    a.script(RequestCode.SEND_MESSAGE_V2, respond(ResponseCode.SYSTEM_BUSY));
    const p = await producer(c, { sendLatencyFaultEnable: false });
    await sendMany(p, c.topic, 12);
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2).length).toBeGreaterThanOrEqual(5);
  });

  it('does not hold a broker responsible for a message it refuses (MESSAGE_ILLEGAL)', async () => {
    const c = await cluster();
    const [a] = c.brokers as [FakeCluster['brokers'][0]];
    a.script(RequestCode.SEND_MESSAGE_V2, respond(ResponseCode.MESSAGE_ILLEGAL));
    const p = await producer(c);
    const toA = { topic: c.topic, brokerName: a.brokerName, queueId: 0 };
    await expect(p.send({ topic: c.topic, body: 'bad' }, { queue: toA })).rejects.toMatchObject({
      code: 'MESSAGE_ILLEGAL',
    });
    await sendMany(p, c.topic, 8);
    expect(a.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(5);
  });
});
