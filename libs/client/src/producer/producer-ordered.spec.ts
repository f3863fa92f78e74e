import {
  decodeProperties,
  InvalidArgumentError,
  RequestCode,
  ResponseCode,
  ResponseError,
  SendMessageRequestHeaderV2,
  type MessageQueue,
  type RemotingCommand,
} from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { respond } from '../../../../test/fakes/fake-broker';
import type { FakeCluster } from '../../../../test/fakes/fake-cluster';
import { producerFixture } from '../../../../test/fakes/producer-fixture';
import { selectByHash, selectByRandom, type MessageQueueSelector } from './selectors';

const { cluster, producer } = producerFixture({ brokers: 2, queueNums: 4 });

const sends = (c: FakeCluster): { broker: string; cmd: RemotingCommand }[] =>
  c.brokers.flatMap((b) =>
    b.requestsOf(RequestCode.SEND_MESSAGE_V2).map((cmd) => ({ broker: b.brokerName, cmd })),
  );
const propsOf = (cmd: RemotingCommand): Record<string, string> =>
  decodeProperties(SendMessageRequestHeaderV2.decode(cmd.extFields).properties ?? '');

describe('ordered sends with a selector (sendSelectImpl)', () => {
  it('puts every message of a key on one queue, in send order', async () => {
    const c = await cluster();
    const p = await producer(c);
    const keys = ['order-1', 'order-2', 'order-3'];
    const placed = new Map<string, Set<string>>();
    for (let i = 0; i < 20; i++) {
      for (const key of keys) {
        const r = await p.send({ topic: c.topic, body: `${key}:${i}` }, { selector: selectByHash, arg: key });
        const where = `${r.messageQueue.brokerName}/${r.messageQueue.queueId}`;
        placed.set(key, (placed.get(key) ?? new Set()).add(where));
      }
    }
    // Java's indices over the 8 publish queues (a0…a3, b0…b3): order-1 → 6, order-2 → 5, order-3 → 4
    expect(Object.fromEntries([...placed].map(([k, v]) => [k, [...v]]))).toEqual({
      'order-1': [`${c.brokers[1]?.brokerName}/2`],
      'order-2': [`${c.brokers[1]?.brokerName}/1`],
      'order-3': [`${c.brokers[1]?.brokerName}/0`],
    });
    const bodiesOnB = sends(c)
      .filter((s) => s.broker === c.brokers[1]?.brokerName)
      .map((s) => s.cmd.body?.toString() ?? '')
      .filter((b) => b.startsWith('order-1:'));
    expect(bodiesOnB).toEqual(Array.from({ length: 20 }, (_, i) => `order-1:${i}`));
  });

  it('gives the selector the publish queues in route order, the message and the arg', async () => {
    const c = await cluster();
    const p = await producer(c);
    let seen: { mqs: readonly MessageQueue[]; body: unknown; arg: unknown } | undefined;
    const selector: MessageQueueSelector = (mqs, msg, arg) => {
      seen = { mqs, body: msg.body, arg };
      return mqs[5] as MessageQueue;
    };
    const r = await p.send({ topic: c.topic, body: 'x' }, { selector, arg: { id: 7 } });
    expect(seen?.mqs.map((q) => `${q.brokerName}/${q.queueId}`)).toEqual(
      c.brokers.flatMap((b) => [0, 1, 2, 3].map((q) => `${b.brokerName}/${q}`)),
    );
    expect(seen?.body).toBe('x');
    expect(seen?.arg).toEqual({ id: 7 });
    expect(r.messageQueue).toEqual({ topic: c.topic, brokerName: c.brokers[1]?.brokerName, queueId: 1 });
  });

  it('does not retry on another queue when the chosen broker fails', async () => {
    const c = await cluster();
    for (const b of c.brokers)
      b.on(RequestCode.SEND_MESSAGE_V2, respond(ResponseCode.SYSTEM_BUSY, undefined, undefined, 'busy'));
    const p = await producer(c);
    const err = await p
      .send({ topic: c.topic, body: 'x' }, { selector: selectByRandom })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(sends(c)).toHaveLength(1);
  });

  it('rejects a selector that returns something other than a publish queue, before sending', async () => {
    const c = await cluster();
    const p = await producer(c);
    const bad: MessageQueueSelector[] = [
      () => undefined as unknown as MessageQueue,
      () => ({ topic: c.topic, brokerName: 'nowhere', queueId: 0 }),
      (mqs) => ({ ...(mqs[0] as MessageQueue), queueId: 99 }),
    ];
    for (const selector of bad) {
      await expect(p.send({ topic: c.topic, body: 'x' }, { selector })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    await expect(
      p.send({ topic: c.topic, body: 'x' }, { selector: 'hash' as unknown as MessageQueueSelector }),
    ).rejects.toThrow(/^selector:/);
    expect(sends(c)).toHaveLength(0);
  });

  it('sends one-way frames to the selected queue', async () => {
    const c = await cluster();
    const p = await producer(c);
    await p.sendOneway({ topic: c.topic, body: 'x' }, { selector: selectByHash, arg: 'order-1' });
    const [sent] = await c.brokers[1]!.waitForRequests(RequestCode.SEND_MESSAGE_V2, 1);
    expect(SendMessageRequestHeaderV2.decode(sent?.extFields).queueId).toBe(2);
  });
});

describe('sharding keys (ali-ons __SHARDING_KEY)', () => {
  it('sends a key to one queue id on any broker, with the property set', async () => {
    const c = await cluster();
    const p = await producer(c);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => p.send({ topic: c.topic, body: `m${i}`, shardingKey: 'order-3' })),
    );
    // MD5("order-3") starts f93e03b3; 4181590963 mod 4 distinct queue ids = 3
    expect(new Set(results.map((r) => r.messageQueue.queueId))).toEqual(new Set([3]));
    expect(new Set(results.map((r) => r.messageQueue.brokerName)).size).toBe(2);
    expect(sends(c).every((s) => propsOf(s.cmd).__SHARDING_KEY === 'order-3')).toBe(true);
  });

  it('retries on another broker with the same queue id', async () => {
    const c = await cluster();
    const [a, b] = c.brokers as [FakeCluster['brokers'][0], FakeCluster['brokers'][0]];
    a.script(RequestCode.SEND_MESSAGE_V2, respond(ResponseCode.SYSTEM_BUSY));
    b.script(RequestCode.SEND_MESSAGE_V2, respond(ResponseCode.SYSTEM_BUSY));
    const r = await (await producer(c)).send({ topic: c.topic, body: 'x', shardingKey: 'order-1' });
    expect(r.messageQueue.queueId).toBe(1);
    const ids = sends(c).map((s) => SendMessageRequestHeaderV2.decode(s.cmd.extFields).queueId);
    expect(ids).toEqual([1, 1, 1]);
  });

  it('yields to an explicit queue or selector', async () => {
    const c = await cluster();
    const p = await producer(c);
    const mq = { topic: c.topic, brokerName: c.brokers[0]!.brokerName, queueId: 0 };
    expect(
      (await p.send({ topic: c.topic, body: 'x', shardingKey: 'order-3' }, { queue: mq })).messageQueue,
    ).toEqual(mq);
    const r = await p.send(
      { topic: c.topic, body: 'x', shardingKey: 'order-3' },
      { selector: (mqs) => mqs[1] as MessageQueue },
    );
    expect(r.messageQueue.queueId).toBe(1);
  });

  it('rejects a sharding key holding the property separators', async () => {
    const c = await cluster();
    await expect(
      (await producer(c)).send({ topic: c.topic, body: 'x', shardingKey: 'a\u0001b' }),
    ).rejects.toThrow(/^shardingKey:/);
  });
});

describe('delayTimeLevel (property DELAY)', () => {
  it('sends the level for the broker to apply (it clamps levels beyond its table)', async () => {
    const c = await cluster(1);
    const p = await producer(c);
    await p.send({ topic: c.topic, body: 'x', delayTimeLevel: 3 });
    await p.send({ topic: c.topic, body: 'x', delayTimeLevel: 40 });
    await p.send({ topic: c.topic, body: 'x', delayTimeLevel: 0 });
    expect(sends(c).map((s) => propsOf(s.cmd).DELAY)).toEqual(['3', '40', undefined]);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 31, '3' as unknown as number])(
    'rejects %s before sending',
    async (level) => {
      const c = await cluster(1);
      const err = await (
        await producer(c)
      )
        .send({ topic: c.topic, body: 'x', delayTimeLevel: level })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe('delayTimeLevel');
      expect(sends(c)).toHaveLength(0);
    },
  );
});
