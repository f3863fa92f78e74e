import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient, silentLogger } from '@rocketts/client';
import {
  ConsumerGroupRequestHeader,
  createRequest,
  decodeConsumerIdList,
  decodeMessageRecords,
  PullMessageRequestHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  UnregisterClientRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import { BrokerController, resolveBrokerConfig } from '../../broker/src';
import { randomGroup, randomTopic, tmpStoreDir } from '../helpers/tmp';
import { consumerHeartbeat } from '../helpers/wire';

/** Broker request families driven over loopback by raw remoting clients (one connection each). */
describe('broker requests', () => {
  const dir = tmpStoreDir();
  let broker: BrokerController;
  let addr: string;
  const clients: RemotingClient[] = [];

  const client = (): RemotingClient => {
    const c = new RemotingClient({ logger: silentLogger });
    clients.push(c);
    return c;
  };
  const send = (c: RemotingClient, topic: string, body = 'x'): Promise<RemotingCommand> =>
    c.invoke(
      addr,
      createRequest(
        RequestCode.SEND_MESSAGE_V2,
        SendMessageRequestHeaderV2.encode({
          producerGroup: 'pg',
          topic,
          defaultTopic: 'TBW102',
          defaultTopicQueueNums: 4,
          queueId: 0,
          sysFlag: 0,
          bornTimestamp: Date.now(),
          flag: 0,
        }),
        Buffer.from(body),
      ),
      3000,
    );

  beforeAll(async () => {
    broker = new BrokerController(
      resolveBrokerConfig({
        listenPort: 0,
        bindAddress: '127.0.0.1',
        brokerIP1: '127.0.0.1',
        brokerName: 'b1',
        storePathRootDir: dir.dir,
      }),
      silentLogger,
    );
    addr = (await broker.start()).addr;
  });

  afterAll(async () => {
    for (const c of clients) c.shutdown();
    await broker.shutdown();
    dir.cleanup();
  });

  it('tracks group members and tells every member when the set changes', async () => {
    const group = randomGroup();
    const topic = randomTopic();
    const a = client();
    const notified: string[] = [];
    a.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (cmd) => {
      notified.push(ConsumerGroupRequestHeader.decode(cmd.extFields).consumerGroup);
      return undefined;
    });
    expect((await a.invoke(addr, consumerHeartbeat('10.0.0.1@a', group, topic), 3000)).code).toBe(
      ResponseCode.SUCCESS,
    );
    const b = client();
    await b.invoke(addr, consumerHeartbeat('10.0.0.2@b', group, topic), 3000);
    const list = await a.invoke(
      addr,
      createRequest(
        RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        ConsumerGroupRequestHeader.encode({ consumerGroup: group }),
      ),
      3000,
    );
    expect(decodeConsumerIdList(list.body)).toEqual(['10.0.0.1@a', '10.0.0.2@b']);
    await waitFor(() => notified.length >= 2);
    await b.invoke(
      addr,
      createRequest(
        RequestCode.UNREGISTER_CLIENT,
        UnregisterClientRequestHeader.encode({ clientID: '10.0.0.2@b', consumerGroup: group }),
      ),
      3000,
    );
    await waitFor(() => notified.length >= 3);
    expect(notified.every((g) => g === group)).toBe(true);
    const after = await a.invoke(
      addr,
      createRequest(
        RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        ConsumerGroupRequestHeader.encode({ consumerGroup: group }),
      ),
      3000,
    );
    expect(decodeConsumerIdList(after.body)).toEqual(['10.0.0.1@a']);
    // The group's retry topic exists as soon as the group has heartbeated.
    expect(broker.ctx.topics.get(`%RETRY%${group}`)).toMatchObject({ readQueueNums: 1, writeQueueNums: 1 });
  });

  it('holds a pull that finds nothing until a message arrives (long polling), or until its time is up', async () => {
    const c = client();
    const topic = randomTopic();
    await send(c, topic, 'first');
    const pull = (offset: number, suspendTimeoutMillis: number): Promise<RemotingCommand> =>
      c.invoke(
        addr,
        createRequest(
          RequestCode.PULL_MESSAGE,
          PullMessageRequestHeader.encode({
            consumerGroup: 'lp',
            topic,
            queueId: 0,
            queueOffset: offset,
            maxMsgNums: 32,
            sysFlag: 2 | 4,
            commitOffset: 0,
            suspendTimeoutMillis,
            subscription: '*',
            subVersion: 1,
          }),
        ),
        suspendTimeoutMillis + 5000,
      );
    const t0 = Date.now();
    const held = pull(1, 10_000);
    setTimeout(() => void send(c, topic, 'second'), 300);
    const woken = await held;
    expect(woken.code).toBe(ResponseCode.SUCCESS);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(decodeMessageRecords(woken.body as Buffer).map((m) => m.body.toString())).toEqual(['second']);
    const t1 = Date.now();
    const expired = await pull(2, 400);
    expect(expired.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(350);
  });

  it('refuses sends to system topics and to topics with bad names', async () => {
    const c = client();
    const sys = await send(c, 'SCHEDULE_TOPIC_XXXX');
    expect(sys).toMatchObject({
      code: ResponseCode.NO_PERMISSION,
      remark: 'Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden.',
    });
    expect((await send(c, 'bad topic!')).remark).toMatch(/contains characters outside/);
  });

  it('changes only runtime-safe settings remotely and never paths', async () => {
    const c = client();
    const update = (body: string): Promise<RemotingCommand> =>
      c.invoke(addr, createRequest(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from(body)), 3000);
    expect(await update('storePathRootDir=/etc')).toMatchObject({
      code: ResponseCode.NO_PERMISSION,
      remark: "config key 'storePathRootDir' cannot be changed remotely",
    });
    expect(await update('flushDiskType=SYNC_FLUSH')).toMatchObject({ code: ResponseCode.NO_PERMISSION });
    expect((await update('noSuchKey=1')).code).toBe(ResponseCode.INVALID_PARAMETER);
    expect((await update('brokerPermission=9')).remark).toMatch(/brokerPermission/);
    expect((await update('brokerPermission=4')).code).toBe(ResponseCode.SUCCESS);
    expect((await send(c, randomTopic())).code).toBe(ResponseCode.NO_PERMISSION);
    expect((await update('brokerPermission=6')).code).toBe(ResponseCode.SUCCESS);
    expect((await send(c, randomTopic())).code).toBe(ResponseCode.SUCCESS);
  });

  it('answers pulls with a bad SQL92 expression with SUBSCRIPTION_PARSE_FAILED', async () => {
    const c = client();
    const topic = randomTopic();
    await send(c, topic);
    const resp = await c.invoke(
      addr,
      createRequest(
        RequestCode.PULL_MESSAGE,
        PullMessageRequestHeader.encode({
          consumerGroup: randomGroup(),
          topic,
          queueId: 0,
          queueOffset: 0,
          maxMsgNums: 32,
          sysFlag: 4,
          commitOffset: 0,
          suspendTimeoutMillis: 0,
          subscription: 'a > AND',
          subVersion: 1,
          expressionType: 'SQL92',
        }),
      ),
      3000,
    );
    expect(resp.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(resp.extFields).toBeUndefined();
  });

  it("answers a new group's offset query with 0 while message 0 is in memory, QUERY_NOT_FOUND when told not to", async () => {
    const c = client();
    const topic = randomTopic();
    const q = (setZeroIfNotFound?: boolean): Promise<RemotingCommand> =>
      c.invoke(
        addr,
        createRequest(
          RequestCode.QUERY_CONSUMER_OFFSET,
          QueryConsumerOffsetRequestHeader.encode({
            consumerGroup: randomGroup(),
            topic,
            queueId: 0,
            setZeroIfNotFound,
          }),
        ),
        3000,
      );
    await send(c, topic);
    expect((await q()).extFields?.offset).toBe('0');
    expect((await q(false)).code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
