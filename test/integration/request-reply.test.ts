import type { Producer } from '@rocketts/client';
import {
  createReply,
  PullConsumer,
  RequestTimeoutError,
  silentLogger,
  type ReplyMessage,
} from '@rocketts/client';
import { replyTopicOf, ResponseError, type MessageExt, type MessageQueue } from '@rocketts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CLUSTER, startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { drainQueue } from '../helpers/drain';
import { randomGroup, randomTopic } from '../helpers/tmp';

/**
 * Request-reply through a real name server and two brokers (in process): Producer.request on one side,
 * a PullConsumer answering with createReply + Producer.sendReply on the other; the broker's
 * ReplyMessageProcessor pushes the reply to the requester with PUSH_REPLY_MESSAGE_TO_CLIENT.
 */
describe('request-reply', () => {
  let cluster: EmbeddedCluster;
  const clients: { shutdown(): Promise<void> }[] = [];
  const stops: (() => Promise<void>)[] = [];

  const producer = (): Promise<Producer> => cluster.startProducer();

  /** Answer every request on `topic` with `answer(request)` until stopped (a PullConsumer + a Producer). */
  const startResponder = async (
    topic: string,
    answer: (m: MessageExt) => string,
  ): Promise<() => Promise<void>> => {
    const consumer = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await consumer.start();
    const replier = await producer();
    const queues = await consumer.fetchSubscribeMessageQueues(topic);
    let running = true;
    const loop = async (mq: MessageQueue): Promise<void> => {
      let offset = 0;
      while (running) {
        const r = await consumer
          .pull(mq, { offset, suspendTimeoutMs: 500 })
          .catch(() => ({ messages: [] as MessageExt[], nextBeginOffset: offset }));
        for (const m of r.messages) await replier.sendReply(createReply(m, answer(m)));
        offset = r.nextBeginOffset;
      }
    };
    const loops = queues.map((mq) => loop(mq));
    const stop = async (): Promise<void> => {
      running = false;
      await Promise.all(loops);
      await consumer.shutdown();
    };
    stops.push(stop);
    return stop;
  };

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({ brokers: 2 });
  });

  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    for (const c of clients.splice(0)) await c.shutdown().catch(() => undefined);
    await cluster?.stop();
  });

  it('every broker creates the <cluster>_REPLY_TOPIC at start, one queue each', async () => {
    const route = await cluster.admin.topicRoute(replyTopicOf(EMBEDDED_CLUSTER));
    expect(route.queueDatas.map((q) => [q.brokerName, q.writeQueueNums, q.perm]).sort()).toEqual([
      ['broker-a', 1, 6],
      ['broker-b', 1, 6],
    ]);
  });

  it('round trip: the reply of a PullConsumer responder resolves the request, many in parallel', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic);
    await startResponder(topic, (m) => `re:${m.body.toString()}`);
    const requester = await producer();
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        requester.request({ topic, body: `q${i}` }, { timeoutMs: 10_000 }),
      ),
    );
    expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `re:q${i}`));
    for (const r of replies) {
      expect(r.topic).toBe(replyTopicOf(EMBEDDED_CLUSTER));
      expect(r.properties.MSG_TYPE).toBe('reply');
      expect(r.properties.REPLY_TO_CLIENT).toBe(requester.clientId);
      expect(Number(r.properties.PUSH_REPLY_TIME)).toBeGreaterThan(0);
    }
    expect(new Set(replies.map((r) => r.correlationId)).size).toBe(20);
  });

  it('stores replies on the reply topic (storeReplyMessageEnable)', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic);
    await startResponder(topic, () => 'stored-answer');
    const reply = await (await producer()).request({ topic, body: 'q' }, { timeoutMs: 10_000 });
    const reader = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await reader.start();
    clients.push(reader);
    const stored: MessageExt[] = [];
    for (const mq of await reader.fetchSubscribeMessageQueues(replyTopicOf(EMBEDDED_CLUSTER)))
      stored.push(...(await drainQueue(reader, mq)));
    const mine = stored.filter((m) => m.properties.CORRELATION_ID === reply.correlationId);
    expect(mine.map((m) => m.body.toString())).toEqual(['stored-answer']);
  });

  it('fails with RequestTimeoutError when nobody answers', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic);
    const started = Date.now();
    const err = await (
      await producer()
    )
      .request({ topic, body: 'anyone?' }, { timeoutMs: 800 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect((err as RequestTimeoutError).timeoutMs).toBe(800);
    expect(Date.now() - started).toBeGreaterThanOrEqual(780);
  });

  it('a responder that starts after the request was sent still answers within the timeout', async () => {
    const topic = randomTopic();
    await cluster.createTopic(topic);
    const requester = await producer();
    const pending = requester
      .request({ topic, body: 'early' }, { timeoutMs: 10_000 })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 1500));
    await startResponder(topic, (m) => `late answer to ${m.body.toString()}`);
    const reply = (await pending) as ReplyMessage;
    expect(reply.body.toString()).toBe('late answer to early');
  });

  it('a reply to a client the broker does not know is SYSTEM_ERROR "channel … not found"', async () => {
    const replier = await producer();
    const orphan = createReply(
      {
        properties: {
          CLUSTER: EMBEDDED_CLUSTER,
          CORRELATION_ID: 'nobody-waits',
          REPLY_TO_CLIENT: '10.9.9.9@gone',
          TTL: '3000',
        },
      },
      'lost',
    );
    const err = await replier.sendReply(orphan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({
      code: 'SYSTEM_ERROR',
      remark: 'push reply message fail, channel of <10.9.9.9@gone> not found.',
    });
  });
});
