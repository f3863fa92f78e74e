import { RequestCode, ResponseError, SerializeType } from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBroker, fakeRoute, late } from '../../../../test/fakes/fake-broker';
import { silentLogger } from '../logger';
import { RemotingClient } from '../remoting';
import { NameServerClient } from './namesrv-client';
import { TopicRouteCache } from './topic-route-cache';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(pollIntervalMs = 60_000): Promise<{ ns: FakeBroker; cache: TopicRouteCache }> {
  const ns = await FakeBroker.start();
  const remoting = new RemotingClient({ logger: silentLogger });
  const namesrv = new NameServerClient(remoting, [ns.addr], {
    timeoutMs: 1000,
    serializeType: SerializeType.ROCKETMQ,
    logger: silentLogger,
  });
  const cache = new TopicRouteCache(namesrv, { logger: silentLogger, pollIntervalMs });
  cleanups.push(
    () => cache.stop(),
    () => remoting.shutdown(),
    () => ns.close(),
  );
  return { ns, cache };
}

/** Poll `cond` every 5 ms until it holds (fails the test after 5 s). */
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const a = { brokerName: 'broker-a', addr: '127.0.0.1:1001' };
const b = { brokerName: 'broker-b', addr: '127.0.0.1:1002' };

describe('TopicRouteCache', () => {
  it('derives publish and subscribe queues and the broker address map', async () => {
    const { ns, cache } = await setup();
    ns.setRoute('T', fakeRoute([b, a], { queueNums: 2 }));
    const entry = await cache.get('T');
    expect(entry.publishInfo.messageQueues.map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'broker-a:0',
      'broker-a:1',
      'broker-b:0',
      'broker-b:1',
    ]);
    expect(entry.subscribeQueues).toHaveLength(4);
    expect(cache.findMasterAddr('broker-b')).toBe(b.addr);
    expect(cache.masterAddrs().sort()).toEqual([a.addr, b.addr]);
    expect(await cache.get('T')).toBe(entry);
    expect(ns.requests).toHaveLength(1);
  });

  it('shares one name-server request among concurrent lookups of a topic', async () => {
    const { ns, cache } = await setup();
    ns.setRoute('T', fakeRoute([a]));
    ns.on(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
      const answer = ns.defaultBehaviour(req);
      return answer.kind === 'respond' ? late(50, answer) : answer;
    });
    const entries = await Promise.all(Array.from({ length: 20 }, () => cache.get('T')));
    expect(new Set(entries).size).toBe(1);
    expect(ns.requests).toHaveLength(1);
  });

  it('refreshes cached topics in the background and keeps the old route when the name server fails', async () => {
    const { ns, cache } = await setup(50);
    ns.setRoute('T', fakeRoute([a]));
    const first = await cache.get('T');
    cache.start();
    ns.setRoute('T', fakeRoute([a, b]));
    await until(() => cache.peek('T') !== first);
    const second = cache.peek('T');
    expect(second).not.toBe(first);
    expect(second?.publishInfo.messageQueues).toHaveLength(8);
    ns.deleteRoute('T');
    const before = ns.requestsOf(RequestCode.GET_ROUTEINFO_BY_TOPIC).length;
    await ns.waitForRequests(RequestCode.GET_ROUTEINFO_BY_TOPIC, before + 2);
    expect(cache.peek('T')).toBe(second);
  });

  it('keeps the same entry (and its round-robin position) when a refresh returns an equal route', async () => {
    const { ns, cache } = await setup();
    ns.setRoute('T', fakeRoute([a, b]));
    const first = await cache.get('T');
    ns.setRoute('T', fakeRoute([b, a]));
    expect(await cache.refresh('T')).toBe(first);
  });

  it('stands in the auto-create topic route, capped, for a topic without a route', async () => {
    const { ns, cache } = await setup();
    ns.setRoute('TBW102', fakeRoute([a], { queueNums: 8, perm: 7 }));
    const entry = await cache.getForPublish('NewTopic', { topic: 'TBW102', queueNums: 4 });
    expect(entry.fromDefaultTopic).toBe(true);
    expect(entry.publishInfo.messageQueues.map((q) => q.topic + ':' + q.queueId)).toEqual([
      'NewTopic:0',
      'NewTopic:1',
      'NewTopic:2',
      'NewTopic:3',
    ]);
    ns.setRoute('NewTopic', fakeRoute([b], { queueNums: 2 }));
    const real = await cache.refresh('NewTopic');
    expect(real.fromDefaultTopic).toBe(false);
    expect(cache.findMasterAddr('broker-a')).toBeUndefined();
  });

  it('rethrows TOPIC_NOT_EXIST when there is no fallback, or the fallback has no route either', async () => {
    const { cache } = await setup();
    await expect(cache.get('Nope')).rejects.toBeInstanceOf(ResponseError);
    await expect(cache.getForPublish('Nope', { topic: 'TBW102', queueNums: 4 })).rejects.toMatchObject({
      code: 'TOPIC_NOT_EXIST',
    });
  });
});
