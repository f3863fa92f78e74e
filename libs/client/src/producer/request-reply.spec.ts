import {
  createRequest,
  decodeHeartbeatData,
  decodeProperties,
  deflateBody,
  encodeProperties,
  InvalidArgumentError,
  MessageSysFlag,
  ReplyMessageRequestHeader,
  RequestCode,
  ResponseCode,
  ResponseError,
  SendMessageRequestHeaderV2,
  StateError,
  type RemotingCommand,
} from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import type { FakeBroker } from '../../../../test/fakes/fake-broker';
import { fakeRoute, respond } from '../../../../test/fakes/fake-broker';
import type { FakeCluster } from '../../../../test/fakes/fake-cluster';
import { producerFixture } from '../../../../test/fakes/producer-fixture';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import type { Producer } from './producer';
import { createReply } from './reply-message';

const { cluster, producer } = producerFixture({ brokers: 1, queueNums: 1 });

const REPLY_TOPIC = 'FakeCluster_REPLY_TOPIC';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface SentRequest {
  cmd: RemotingCommand;
  connectionId: number;
  props: Record<string, string>;
}

/** The `n`-th SEND_MESSAGE_V2 the broker received, with its connection and decoded properties. */
async function sentRequest(broker: FakeBroker, n = 1): Promise<SentRequest> {
  await broker.waitForRequests(RequestCode.SEND_MESSAGE_V2, n);
  const r = broker.requests.filter((x) => x.cmd.code === RequestCode.SEND_MESSAGE_V2)[n - 1] as {
    cmd: RemotingCommand;
    connectionId: number;
  };
  const props = decodeProperties(SendMessageRequestHeaderV2.decode(r.cmd.extFields).properties ?? '');
  return { ...r, props };
}

/** What a broker pushes to the requester (ReplyMessageProcessor.pushReplyMessage). */
function pushReply(correlationId: string, body: Buffer, sysFlag = 0): RemotingCommand {
  return createRequest(
    RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
    ReplyMessageRequestHeader.encode({
      producerGroup: 'replier',
      topic: REPLY_TOPIC,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag,
      bornTimestamp: 1_700_000_000_000,
      flag: 0,
      properties: encodeProperties({ CORRELATION_ID: correlationId, MSG_TYPE: 'reply', answer: '42' }),
      bornHost: '/10.0.0.9:50123',
      storeHost: '127.0.0.1:10911',
      storeTimestamp: 1_700_000_000_100,
    }),
    body,
  );
}

async function setup(): Promise<{ c: FakeCluster; broker: FakeBroker; p: Producer }> {
  const c = await cluster();
  return { c, broker: c.brokers[0] as FakeBroker, p: await producer(c) };
}

describe('Producer.request (requester side)', () => {
  it('heartbeats first, then sends with CORRELATION_ID, REPLY_TO_CLIENT and TTL, and resolves with the pushed reply', async () => {
    const { c, broker, p } = await setup();
    const pending = p.request({ topic: c.topic, body: 'question' }, { timeoutMs: 2000 });
    const sent = await sentRequest(broker);
    expect(sent.props.CORRELATION_ID).toMatch(UUID);
    expect(sent.props.REPLY_TO_CLIENT).toBe(p.clientId);
    expect(sent.props.TTL).toBe('2000');
    const codes = broker.requests.map((r) => r.cmd.code);
    expect(codes.indexOf(RequestCode.HEART_BEAT)).toBeLessThan(codes.indexOf(RequestCode.SEND_MESSAGE_V2));
    const hb = decodeHeartbeatData(broker.requestsOf(RequestCode.HEART_BEAT)[0]?.body);
    expect(hb.clientID).toBe(p.clientId);
    expect(hb.producerDataSet).toEqual([{ groupName: 'PG' }]);

    const ack = await broker.requestClient(
      sent.connectionId,
      pushReply(sent.props.CORRELATION_ID as string, Buffer.from('answer')),
    );
    expect(ack.code).toBe(ResponseCode.SUCCESS);
    const reply = await pending;
    expect(reply.body.toString()).toBe('answer');
    expect(reply.correlationId).toBe(sent.props.CORRELATION_ID);
    expect(reply.topic).toBe(REPLY_TOPIC);
    expect(reply.properties).toMatchObject({ answer: '42', MSG_TYPE: 'reply' });
    expect(Number(reply.properties.ARRIVE_TIME)).toBeGreaterThan(0);
    expect({ bornHost: reply.bornHost, storeHost: reply.storeHost }).toEqual({
      bornHost: '10.0.0.9:50123',
      storeHost: '127.0.0.1:10911',
    });
  });

  it('matches replies to requests by correlation id, whatever their order', async () => {
    const { c, broker, p } = await setup();
    const first = p.request({ topic: c.topic, body: 'one' });
    const second = p.request({ topic: c.topic, body: 'two' });
    const [s1, s2] = [await sentRequest(broker, 1), await sentRequest(broker, 2)];
    expect(s1.props.CORRELATION_ID).not.toBe(s2.props.CORRELATION_ID);
    const ids = new Map([
      [s1.cmd.body?.toString(), s1],
      [s2.cmd.body?.toString(), s2],
    ]);
    const two = ids.get('two') as SentRequest;
    const one = ids.get('one') as SentRequest;
    await broker.requestClient(
      two.connectionId,
      pushReply(two.props.CORRELATION_ID as string, Buffer.from('re:two')),
    );
    await broker.requestClient(
      one.connectionId,
      pushReply(one.props.CORRELATION_ID as string, Buffer.from('re:one')),
    );
    expect((await first).body.toString()).toBe('re:one');
    expect((await second).body.toString()).toBe('re:two');
  });

  it('fails with RequestTimeoutError carrying the correlation id when nobody answers', async () => {
    const { c, broker, p } = await setup();
    const started = Date.now();
    const err = await p.request({ topic: c.topic, body: 'q' }, { timeoutMs: 300 }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(RequestTimeoutError);
    const sent = await sentRequest(broker);
    expect(err).toMatchObject({
      code: 'REQUEST_TIMEOUT',
      correlationId: sent.props.CORRELATION_ID,
      topic: c.topic,
      timeoutMs: 300,
    });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1500);
    // A reply arriving after the timeout is acknowledged and dropped.
    const late = await broker.requestClient(
      sent.connectionId,
      pushReply(sent.props.CORRELATION_ID as string, Buffer.from('late')),
    );
    expect(late.code).toBe(ResponseCode.SUCCESS);
  });

  it('fails with the send error, not a timeout, when the request cannot be stored', async () => {
    const { c, broker, p } = await setup();
    broker.on(
      RequestCode.SEND_MESSAGE_V2,
      respond(ResponseCode.MESSAGE_ILLEGAL, undefined, undefined, 'too big'),
    );
    const started = Date.now();
    const err = await p.request({ topic: c.topic, body: 'q' }, { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('inflates a compressed reply body', async () => {
    const { c, broker, p } = await setup();
    const pending = p.request({ topic: c.topic, body: 'q' });
    const sent = await sentRequest(broker);
    const big = Buffer.alloc(10_000, 'r');
    await broker.requestClient(
      sent.connectionId,
      pushReply(sent.props.CORRELATION_ID as string, deflateBody(big), MessageSysFlag.COMPRESSED),
    );
    expect((await pending).body.equals(big)).toBe(true);
  });

  it('acknowledges a reply nobody waits for', async () => {
    const { c, broker, p } = await setup();
    await p.send({ topic: c.topic, body: 'plain' });
    const { connectionId } = await sentRequest(broker);
    const ack = await broker.requestClient(connectionId, pushReply('no-such-request', Buffer.from('x')));
    expect(ack.code).toBe(ResponseCode.SUCCESS);
  });

  it('heartbeats the brokers of the reply topic too, since the replier may use any of them', async () => {
    const c = await cluster(2);
    const [a, b] = c.brokers as [FakeBroker, FakeBroker];
    c.namesrv.setRoute(c.topic, fakeRoute([a])).setRoute(REPLY_TOPIC, fakeRoute([b]));
    const p = await producer(c);
    void p.request({ topic: c.topic, body: 'q' }, { timeoutMs: 500 }).catch(() => undefined);
    await a.waitForRequests(RequestCode.SEND_MESSAGE_V2, 1);
    expect(a.requestsOf(RequestCode.HEART_BEAT)).toHaveLength(1);
    expect(b.requestsOf(RequestCode.HEART_BEAT)).toHaveLength(1);
  });

  it('rejects waiting requests with StateError at shutdown', async () => {
    const { c, broker, p } = await setup();
    const outcome = p.request({ topic: c.topic, body: 'q' }, { timeoutMs: 5000 }).catch((e: unknown) => e);
    await sentRequest(broker);
    await p.shutdown();
    expect(await outcome).toBeInstanceOf(StateError);
  });
});

describe('createReply + Producer.sendReply (replier side)', () => {
  const request = {
    properties: {
      CLUSTER: 'FakeCluster',
      CORRELATION_ID: 'c0ffee',
      REPLY_TO_CLIENT: '10.0.0.1@requester',
      TTL: '3000',
      UNIQ_KEY: 'U1',
    },
  };

  it('addresses the reply to the cluster reply topic with the request correlation (MessageUtil.createReplyMessage)', () => {
    expect(createReply(request, 'ok')).toEqual({
      topic: REPLY_TOPIC,
      body: 'ok',
      properties: {
        MSG_TYPE: 'reply',
        CORRELATION_ID: 'c0ffee',
        REPLY_TO_CLIENT: '10.0.0.1@requester',
        TTL: '3000',
      },
    });
  });

  it.each([
    ['no CLUSTER', { CORRELATION_ID: 'c', REPLY_TO_CLIENT: 'r' }],
    ['no CORRELATION_ID', { CLUSTER: 'X', REPLY_TO_CLIENT: 'r' }],
    ['no REPLY_TO_CLIENT', { CLUSTER: 'X', CORRELATION_ID: 'c' }],
  ])('refuses a request with %s', (_what, properties) => {
    expect(() => createReply({ properties }, 'x')).toThrow(InvalidArgumentError);
  });

  it('sends the reply with SEND_REPLY_MESSAGE_V2 and reports an offline requester as the broker does', async () => {
    const c = await cluster();
    const broker = c.brokers[0] as FakeBroker;
    c.namesrv.setRoute(REPLY_TOPIC, fakeRoute([broker]));
    broker.script(
      RequestCode.SEND_REPLY_MESSAGE_V2,
      respond(ResponseCode.SUCCESS, { msgId: '0', queueId: '0', queueOffset: '0' }),
    );
    broker.on(
      RequestCode.SEND_REPLY_MESSAGE_V2,
      respond(
        ResponseCode.SYSTEM_ERROR,
        undefined,
        undefined,
        'push reply message fail, channel of <x> not found.',
      ),
    );
    const p = await producer(c, { retryTimesWhenSendFailed: 0 });
    const r = await p.sendReply(createReply(request, 'ok'));
    expect(r.status).toBe('SEND_OK');
    const [cmd] = broker.requestsOf(RequestCode.SEND_REPLY_MESSAGE_V2);
    const h = SendMessageRequestHeaderV2.decode(cmd?.extFields);
    expect(h.topic).toBe(REPLY_TOPIC);
    expect(decodeProperties(h.properties ?? '')).toMatchObject({
      MSG_TYPE: 'reply',
      CORRELATION_ID: 'c0ffee',
    });
    await expect(p.sendReply(createReply(request, 'again'))).rejects.toMatchObject({
      code: 'SYSTEM_ERROR',
      remark: 'push reply message fail, channel of <x> not found.',
    });
    expect(broker.requestsOf(RequestCode.SEND_MESSAGE_V2)).toHaveLength(0);
  });

  it('sendReply refuses a message that is not a reply', async () => {
    const c = await cluster();
    const p = await producer(c);
    await expect(p.sendReply({ topic: c.topic, body: 'x' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
