import {
  CURRENT_VERSION,
  RemotingConnectError,
  RequestCode,
  ResponseCode,
  ResponseError,
  SerializeType,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { closedAddr, FakeBroker, fakeRoute, never } from '../../../../test/fakes/fake-broker';
import { silentLogger } from '../logger';
import { RemotingClient } from '../remoting';
import { NameServerClient } from './namesrv-client';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fake(): Promise<FakeBroker> {
  const f = await FakeBroker.start();
  cleanups.push(() => f.close());
  return f;
}

function client(addrs: string[], timeoutMs = 1000, firstIndex = 0): NameServerClient {
  const remoting = new RemotingClient({ logger: silentLogger });
  cleanups.push(() => remoting.shutdown());
  return new NameServerClient(remoting, addrs, {
    timeoutMs,
    serializeType: SerializeType.JSON,
    logger: silentLogger,
    firstIndex,
  });
}

describe('NameServerClient', () => {
  it('asks for a route with the topic and version 409 and decodes it', async () => {
    const ns = await fake();
    ns.setRoute('T1', fakeRoute([{ brokerName: 'broker-a', addr: '127.0.0.1:1' }]));
    const route = await client([ns.addr]).getTopicRouteInfo('T1');
    expect(route.brokerDatas[0]?.brokerAddrs.get(0)).toBe('127.0.0.1:1');
    const [req] = ns.requestsOf(RequestCode.GET_ROUTEINFO_BY_TOPIC);
    expect(req?.extFields).toEqual({ topic: 'T1' });
    expect(req?.version).toBe(CURRENT_VERSION);
  });

  it('throws TOPIC_NOT_EXIST as a typed ResponseError without failing over', async () => {
    const [a, b] = [await fake(), await fake()];
    const err = await client([a.addr, b.addr])
      .getTopicRouteInfo('Nope')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({
      responseCode: ResponseCode.TOPIC_NOT_EXIST,
      code: 'TOPIC_NOT_EXIST',
      addr: a.addr,
    });
    expect(b.requests).toHaveLength(0);
  });

  it('fails over to the next name server when the current one refuses connections, and sticks to it', async () => {
    const ns = await fake();
    ns.setRoute('T1', fakeRoute([{ brokerName: 'broker-a', addr: '127.0.0.1:1' }]));
    const c = client([await closedAddr(), ns.addr]);
    await c.getTopicRouteInfo('T1');
    expect(c.currentAddr).toBe(ns.addr);
    await c.getAllTopicList();
    expect(ns.requests).toHaveLength(2);
  });

  it('fails over when the current name server does not answer in time', async () => {
    const [silent, ns] = [await fake(), await fake()];
    silent.on(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, never());
    ns.setRoute('A', fakeRoute([])).setRoute('B', fakeRoute([]));
    const started = Date.now();
    expect((await client([silent.addr, ns.addr], 200).getAllTopicList()).sort()).toEqual(['A', 'B']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(silent.requests).toHaveLength(1);
  });

  it('throws the last transport error when no name server is reachable', async () => {
    const err = await client([await closedAddr(), await closedAddr()])
      .getBrokerClusterInfo()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemotingConnectError);
  });

  it('puts KV config on every name server and reads it back', async () => {
    const [a, b] = [await fake(), await fake()];
    const c = client([a.addr, b.addr]);
    await c.putKvConfig('NS', 'k', 'v');
    expect([a.kvConfig('NS', 'k'), b.kvConfig('NS', 'k')]).toEqual(['v', 'v']);
    expect(await c.getKvConfig('NS', 'k')).toBe('v');
    expect(await c.getKvConfig('NS', 'missing')).toBeUndefined();
  });
});
