import {
  createRequest,
  RemotingConnectError,
  RequestCode,
  ResponseCode,
  SerializeType,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingClient, silentLogger } from '@rocketts/client';
import { FakeBroker, late, respond, wrongLength } from './fake-broker';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(): Promise<{ fake: FakeBroker; client: RemotingClient }> {
  const fake = await FakeBroker.start();
  const client = new RemotingClient({ logger: silentLogger });
  cleanups.push(
    () => client.shutdown(),
    () => fake.close(),
  );
  return { fake, client };
}

describe('FakeBroker', () => {
  it('plays the script step by step, then the handler, then its default; answers in the request serialize type', async () => {
    const { fake, client } = await setup();
    fake.script(
      RequestCode.GET_MAX_OFFSET,
      respond(ResponseCode.SUCCESS, { offset: '1' }),
      late(20, respond(ResponseCode.SUCCESS, { offset: '2' })),
    );
    const ask = (type: 0 | 1 = SerializeType.JSON) =>
      client.invoke(
        fake.addr,
        createRequest(RequestCode.GET_MAX_OFFSET, { topic: 'T', queueId: '0' }, undefined, type),
        1000,
      );
    expect((await ask()).extFields).toEqual({ offset: '1' });
    const second = await ask(SerializeType.ROCKETMQ);
    expect([second.extFields?.offset, second.serializeType]).toEqual(['2', SerializeType.ROCKETMQ]);
    expect((await ask()).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    fake.on(RequestCode.GET_MAX_OFFSET, respond(ResponseCode.SUCCESS, { offset: '9' }));
    expect((await ask()).extFields).toEqual({ offset: '9' });
    expect(fake.requestsOf(RequestCode.GET_MAX_OFFSET)).toHaveLength(4);
  });

  it('records one-way requests without answering them', async () => {
    const { fake, client } = await setup();
    await client.invokeOneway(fake.addr, createRequest(RequestCode.HEART_BEAT));
    const [req] = await fake.waitForRequests(RequestCode.HEART_BEAT, 1);
    expect(req?.flag).toBe(2);
  });

  it('breaks the connection with a malformed length', async () => {
    const { fake, client } = await setup();
    fake.script(RequestCode.HEART_BEAT, wrongLength());
    await expect(
      client.invoke(fake.addr, createRequest(RequestCode.HEART_BEAT), 1000),
    ).rejects.toBeInstanceOf(RemotingConnectError);
    expect((await client.invoke(fake.addr, createRequest(RequestCode.HEART_BEAT), 1000)).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(fake.connectionsAccepted).toBe(2);
  });
});
