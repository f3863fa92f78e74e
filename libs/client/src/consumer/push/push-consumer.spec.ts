import {
  ConsumerSendMsgBackRequestHeader,
  createRequest,
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  decodeLockBatchRequest,
  decodeProperties,
  encodeConsumerIdList,
  encodeLockBatchResponse,
  encodeResetOffsetBody,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  UpdateConsumerOffsetRequestHeader,
  type MessageExt,
  type MessageQueue,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeRoute, respond } from '../../../../../test/fakes/fake-broker';
import { startFakeCluster, storedRecord, type FakeCluster } from '../../../../../test/fakes/fake-cluster';
import { FakeQueues, physicalOffsetOf } from '../../../../../test/fakes/fake-queues';
import { eventually } from '../../../../../test/helpers/push';
import { silentLogger } from '../../logger';
import type { MessageListener } from './message-listener';
import { PushConsumer } from './push-consumer';
import type { PushConsumerOptions } from './push-consumer-options';
import { retryTopicOf } from './retry-topic';

const GROUP = 'CG';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  c: FakeCluster;
  queues: FakeQueues;
  consumer: PushConsumer;
  topic: string;
  /** Client ids the fake broker lists for the group (ours by default). */
  members: string[];
}

/** A fake broker serving `topic` (queueNums queues) and %RETRY%CG (1 queue), and a started consumer. */
async function setup(
  listener: MessageListener,
  options: Partial<PushConsumerOptions> = {},
  queueNums = 1,
): Promise<Setup> {
  const c = await startFakeCluster(1, { queueNums });
  cleanups.push(() => c.close());
  const b = c.brokers[0]!;
  c.namesrv.setRoute(retryTopicOf(GROUP), fakeRoute(c.brokers, { queueNums: 1 }));
  const queues = new FakeQueues(b);
  const consumer = new PushConsumer({
    namesrvAddr: c.namesrv.addr,
    consumerGroup: GROUP,
    logger: silentLogger,
    persistConsumerOffsetInterval: 100,
    ...options,
  });
  const s: Setup = { c, queues, consumer, topic: c.topic, members: [consumer.clientId] };
  b.on(RequestCode.GET_CONSUMER_LIST_BY_GROUP, () =>
    respond(ResponseCode.SUCCESS, undefined, encodeConsumerIdList(s.members)),
  );
  b.on(RequestCode.QUERY_CONSUMER_OFFSET, respond(ResponseCode.SUCCESS, { offset: '0' }));
  consumer.subscribe(c.topic, '*');
  consumer.registerMessageListener(listener);
  cleanups.push(() => consumer.shutdown());
  return s;
}

const broker = (s: Setup) => s.c.brokers[0]!;
const committed = (s: Setup, queueId = 0): number[] =>
  broker(s)
    .requestsOf(RequestCode.UPDATE_CONSUMER_OFFSET)
    .map((r) => UpdateConsumerOffsetRequestHeader.decode(r.extFields))
    .filter((h) => h.topic === s.topic && h.queueId === queueId)
    .map((h) => h.commitOffset);
const lastCommitted = (s: Setup, queueId = 0): number | undefined => committed(s, queueId).at(-1);

describe('PushConsumer, concurrent failure path', () => {
  it('sends a failed message back with CONSUMER_SEND_MSG_BACK and commits past it', async () => {
    const seen: string[] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) {
          seen.push(m.body.toString());
          if (m.body.toString() === 'bad') throw new Error('handler failure');
        }
      },
    });
    broker(s).on(RequestCode.CONSUMER_SEND_MSG_BACK, respond(ResponseCode.SUCCESS));
    s.queues.append(s.topic, 0, [
      { body: 'ok' },
      { body: 'bad', properties: { UNIQ_KEY: 'UNIQ-BAD', TAGS: 'T1' } },
      { body: 'ok2' },
    ]);
    await s.consumer.start();
    await eventually(() => lastCommitted(s) === 3, 'offset 3 committed');
    const [back] = broker(s).requestsOf(RequestCode.CONSUMER_SEND_MSG_BACK);
    expect(ConsumerSendMsgBackRequestHeader.decode(back?.extFields)).toEqual({
      offset: physicalOffsetOf(0, 1),
      group: GROUP,
      delayLevel: 0,
      originMsgId: 'UNIQ-BAD',
      originTopic: s.topic,
      unitMode: false,
      maxReconsumeTimes: 16,
    });
    expect(seen.sort()).toEqual(['bad', 'ok', 'ok2']);
    expect(s.consumer.stats()).toMatchObject({ consumeOK: 2, consumeFailed: 1 });
    // The committed offset never went past the failed message before it was handed back.
    expect(committed(s).every((o, i, all) => i === 0 || o >= (all[i - 1] as number))).toBe(true);
  });

  it('passes the context delay level and maxReconsumeTimes option to the broker', async () => {
    const s = await setup(
      {
        consumeConcurrently: (_msgs, ctx) => {
          ctx.delayLevelWhenNextConsume = 5;
          return 'RECONSUME_LATER';
        },
      },
      { maxReconsumeTimes: 3 },
    );
    broker(s).on(RequestCode.CONSUMER_SEND_MSG_BACK, respond(ResponseCode.SUCCESS));
    s.queues.append(s.topic, 0, [{ body: 'x' }]);
    await s.consumer.start();
    const [back] = await broker(s).waitForRequests(RequestCode.CONSUMER_SEND_MSG_BACK, 1);
    expect(ConsumerSendMsgBackRequestHeader.decode(back?.extFields)).toMatchObject({
      delayLevel: 5,
      maxReconsumeTimes: 3,
    });
  });

  it('falls back to sending a copy to %RETRY%<group> when the broker refuses the send-back', async () => {
    const s = await setup({
      consumeConcurrently: () => {
        throw new Error('always fails');
      },
    });
    // The fake answers REQUEST_CODE_NOT_SUPPORTED to CONSUMER_SEND_MSG_BACK, as a broker without it does.
    s.queues.append(s.topic, 0, [
      { body: 'payload', properties: { UNIQ_KEY: 'U1', TAGS: 'TagA', KEYS: 'k1' } },
    ]);
    await s.consumer.start();
    const [send] = await broker(s).waitForRequests(RequestCode.SEND_MESSAGE_V2, 1);
    const h = SendMessageRequestHeaderV2.decode(send?.extFields);
    expect(h).toMatchObject({
      producerGroup: 'CLIENT_INNER_PRODUCER',
      topic: retryTopicOf(GROUP),
      reconsumeTimes: 1,
      maxReconsumeTimes: 16,
    });
    const props = decodeProperties(h.properties ?? '');
    expect(props).toMatchObject({
      RETRY_TOPIC: s.topic,
      ORIGIN_MESSAGE_ID: 'U1',
      UNIQ_KEY: 'U1',
      TAGS: 'TagA',
      KEYS: 'k1',
      DELAY: '3',
    });
    expect(props.RECONSUME_TIME).toBeUndefined();
    expect(send?.body?.toString()).toBe('payload');
    await eventually(() => lastCommitted(s) === 1, 'offset 1 committed');
  });

  it('keeps a message whose send-back and fallback both failed, and consumes it again locally', async () => {
    const attempts: number[] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        const m = msgs[0] as MessageExt;
        if (m.body.toString() !== 'flaky') return;
        attempts.push(m.reconsumeTimes);
        if (attempts.length === 1) throw new Error('first attempt fails');
      },
    });
    broker(s).on(
      RequestCode.SEND_MESSAGE_V2,
      respond(ResponseCode.SYSTEM_ERROR, undefined, undefined, 'down'),
    );
    s.queues.append(s.topic, 0, [{ body: 'flaky' }, { body: 'fine' }]);
    await s.consumer.start();
    await eventually(() => broker(s).requestsOf(RequestCode.SEND_MESSAGE_V2).length >= 1, 'fallback tried');
    await new Promise((r) => setTimeout(r, 500));
    // 'fine' (offset 1) is done but 'flaky' (offset 0) is not: nothing past 0 may be committed.
    expect(committed(s).every((o) => o === 0)).toBe(true);
    await eventually(() => attempts.length === 2, 'local re-consumption', 10_000);
    expect(attempts).toEqual([0, 1]);
    await eventually(() => lastCommitted(s) === 2, 'offset 2 committed');
  }, 20_000);

  it('shows a message from %RETRY%<group> under its original topic', async () => {
    const topics: [string, number][] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) topics.push([m.topic, m.reconsumeTimes]);
      },
    });
    s.queues.append(retryTopicOf(GROUP), 0, [
      { body: 'again', properties: { RETRY_TOPIC: s.topic, UNIQ_KEY: 'R1' }, reconsumeTimes: 2 },
    ]);
    await s.consumer.start();
    await eventually(() => topics.length === 1, 'retry message consumed');
    expect(topics).toEqual([[s.topic, 2]]);
  });
});

describe('PushConsumer, requests from the broker', () => {
  const request = (code: number, ext: Record<string, string>, body?: Buffer): RemotingCommand =>
    createRequest(code, ext, body);

  it('rebalances on NOTIFY_CONSUMER_IDS_CHANGED and releases a queue given to a new member', async () => {
    const s = await setup({ consumeConcurrently: () => undefined }, {}, 2);
    await s.consumer.start();
    const q = (id: number): MessageQueue => ({ topic: s.topic, brokerName: 'broker-a', queueId: id });
    expect(s.consumer.assignment()).toEqual(expect.arrayContaining([q(0), q(1)]));
    s.members = [s.consumer.clientId, '~zz@last-member'];
    const before = broker(s).requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP).length;
    broker(s).notifyClients(request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: GROUP }));
    await eventually(
      () => !s.consumer.assignment().some((mq) => mq.topic === s.topic && mq.queueId === 1),
      'queue 1 released',
    );
    expect(broker(s).requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP).length).toBeGreaterThan(before);
    expect(s.consumer.assignment().filter((mq) => mq.topic === s.topic)).toEqual([q(0)]);
    // A notification for another group is ignored.
    const n = broker(s).requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP).length;
    broker(s).notifyClients(request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: 'other' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(broker(s).requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP)).toHaveLength(n);
  });

  it('answers GET_CONSUMER_RUNNING_INFO with properties, subscriptions, queues and status', async () => {
    const s = await setup({ consumeConcurrently: () => undefined }, { concurrency: 7 });
    s.queues.append(s.topic, 0, [{ body: 'a' }, { body: 'b' }]);
    await s.consumer.start();
    await eventually(() => s.consumer.stats().consumeOK === 2, 'two consumed');
    const [resp] = await broker(s).requestClients(
      request(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: GROUP, clientId: s.consumer.clientId }),
    );
    expect(resp?.code).toBe(ResponseCode.SUCCESS);
    const info = decodeConsumerRunningInfo(resp?.body);
    expect(info.properties).toMatchObject({
      PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY',
      PROP_CONSUMEORDERLY: 'false',
      PROP_THREADPOOL_CORE_SIZE: '7',
      PROP_NAMESERVER_ADDR: s.c.namesrv.addr,
      consumerGroup: GROUP,
      messageModel: 'CLUSTERING',
    });
    expect(info.subscriptionSet.map((x) => x.topic).sort()).toEqual([retryTopicOf(GROUP), s.topic].sort());
    const mine = info.mqTable.find(([mq]) => mq.topic === s.topic);
    expect(mine?.[1]).toMatchObject({ commitOffset: 2, cachedMsgCount: 0, droped: false });
    expect(info.statusTable[s.topic]).toMatchObject({ consumeFailedMsgs: 0 });
    const [wrong] = await broker(s).requestClients(
      request(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: 'other', clientId: 'x' }),
    );
    expect(wrong?.code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('runs the listener for CONSUME_MESSAGE_DIRECTLY and reports the outcome', async () => {
    const seen: string[] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        const body = (msgs[0] as MessageExt).body.toString();
        seen.push(`${(msgs[0] as MessageExt).topic}:${body}`);
        if (body === 'boom') throw new Error('boom');
        return body === 'later' ? 'RECONSUME_LATER' : undefined;
      },
    });
    await s.consumer.start();
    const direct = async (body: string) => {
      const record = storedRecord({ topic: retryTopicOf(GROUP), body, properties: { RETRY_TOPIC: 'Orig' } });
      const [resp] = await broker(s).requestClients(
        request(
          RequestCode.CONSUME_MESSAGE_DIRECTLY,
          { consumerGroup: GROUP, brokerName: 'broker-a' },
          record,
        ),
      );
      expect(resp?.code).toBe(ResponseCode.SUCCESS);
      return decodeConsumeMessageDirectlyResult(resp?.body);
    };
    expect(await direct('fine')).toMatchObject({
      consumeResult: 'CR_SUCCESS',
      order: false,
      autoCommit: true,
    });
    expect(await direct('later')).toMatchObject({ consumeResult: 'CR_LATER' });
    const thrown = await direct('boom');
    expect(thrown.consumeResult).toBe('CR_THROW_EXCEPTION');
    expect(thrown.remark).toContain('boom');
    expect(seen).toEqual(['Orig:fine', 'Orig:later', 'Orig:boom']);
  });

  it('restarts a held queue from the offset of RESET_CONSUMER_CLIENT_OFFSET', async () => {
    const seen: string[] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) seen.push(m.body.toString());
      },
    });
    s.queues.append(s.topic, 0, [{ body: 'm0' }, { body: 'm1' }, { body: 'm2' }]);
    await s.consumer.start();
    await eventually(() => seen.length === 3, 'three consumed');
    const mq: MessageQueue = { topic: s.topic, brokerName: 'broker-a', queueId: 0 };
    broker(s).notifyClients(
      request(
        RequestCode.RESET_CONSUMER_CLIENT_OFFSET,
        { topic: s.topic, group: GROUP, timestamp: '0', isForce: 'true' },
        encodeResetOffsetBody([[mq, 1]]),
      ),
    );
    await eventually(() => seen.length === 5, 'm1 and m2 again');
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm1', 'm2']);
    await eventually(() => lastCommitted(s) === 3, 'offset 3 committed again');
    expect(committed(s)).toContain(1);
  });
});

describe('PushConsumer, orderly locks', () => {
  it('locks a queue before pulling it, consumes in order, and unlocks at shutdown', async () => {
    const seen: number[] = [];
    let failOnce = true;
    const s = await setup(
      {
        consumeOrderly: (msgs) => {
          const m = msgs[0] as MessageExt;
          seen.push(m.queueOffset);
          if (m.queueOffset === 1 && failOnce) {
            failOnce = false;
            return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
          }
        },
      },
      { suspendCurrentQueueTimeMillis: 50 },
    );
    const b = broker(s);
    b.on(RequestCode.LOCK_BATCH_MQ, (req) =>
      respond(
        ResponseCode.SUCCESS,
        undefined,
        encodeLockBatchResponse(decodeLockBatchRequest(req.body).mqSet),
      ),
    );
    b.on(RequestCode.UNLOCK_BATCH_MQ, respond(ResponseCode.SUCCESS));
    s.queues.append(s.topic, 0, [{}, {}, {}]);
    await s.consumer.start();
    await eventually(() => seen.length === 4, 'four handler calls');
    expect(seen).toEqual([0, 1, 1, 2]);
    const order = b.requests.map((r) => r.cmd);
    const firstLock = order.findIndex(
      (cmd) =>
        cmd.code === RequestCode.LOCK_BATCH_MQ &&
        decodeLockBatchRequest(cmd.body).mqSet.some((mq) => mq.topic === s.topic),
    );
    const firstPull = order.findIndex(
      (cmd) =>
        cmd.code === RequestCode.PULL_MESSAGE &&
        PullMessageRequestHeader.decode(cmd.extFields).topic === s.topic,
    );
    expect(firstLock).toBeGreaterThanOrEqual(0);
    expect(firstLock).toBeLessThan(firstPull);
    expect(decodeLockBatchRequest(order[firstLock]?.body)).toMatchObject({
      consumerGroup: GROUP,
      clientId: s.consumer.clientId,
    });
    await s.consumer.shutdown();
    const unlocks = b.requestsOf(RequestCode.UNLOCK_BATCH_MQ).map((r) => decodeLockBatchRequest(r.body));
    expect(unlocks.flatMap((u) => u.mqSet).map((mq) => mq.topic)).toContain(s.topic);
    expect(lastCommitted(s)).toBe(3);
  });

  it('unlocks a released queue only after the batch it is running has finished', async () => {
    const events: string[] = [];
    const s = await setup(
      {
        consumeOrderly: async (msgs) => {
          const m = msgs[0] as MessageExt;
          events.push(`start ${m.queueId}:${m.queueOffset}`);
          await new Promise((r) => setTimeout(r, 300));
          events.push(`end ${m.queueId}:${m.queueOffset}`);
        },
      },
      {},
      2,
    );
    const b = broker(s);
    b.on(RequestCode.LOCK_BATCH_MQ, (req) =>
      respond(
        ResponseCode.SUCCESS,
        undefined,
        encodeLockBatchResponse(decodeLockBatchRequest(req.body).mqSet),
      ),
    );
    s.queues.append(s.topic, 1, [{}, {}]);
    await s.consumer.start();
    // Release during the second batch: it was started by the end of the first one.
    await eventually(() => events.includes('start 1:1'), 'second batch on queue 1 running');
    s.members = [s.consumer.clientId, '~zz@last-member'];
    b.notifyClients(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: GROUP }));
    // Releases unlock one-way (the fake records, never answers, one-way requests): watch for it.
    await eventually(() => {
      const unlocked = b
        .requestsOf(RequestCode.UNLOCK_BATCH_MQ)
        .some((r) =>
          decodeLockBatchRequest(r.body).mqSet.some((mq) => mq.topic === s.topic && mq.queueId === 1),
        );
      if (unlocked) events.push('unlock 1');
      return unlocked;
    }, 'queue 1 unlocked');
    expect(events).toEqual(['start 1:0', 'end 1:0', 'start 1:1', 'end 1:1', 'unlock 1']);
    // The offset of the first batch was persisted at the release; the second batch finished after the
    // queue was released, so its result is not committed: the next owner replays it.
    expect(lastCommitted(s, 1)).toBe(1);
  });

  it('does not consume a queue whose lock another member holds', async () => {
    const seen: number[] = [];
    const s = await setup({
      consumeOrderly: (msgs) => {
        seen.push((msgs[0] as MessageExt).queueOffset);
      },
    });
    broker(s).on(
      RequestCode.LOCK_BATCH_MQ,
      respond(ResponseCode.SUCCESS, undefined, encodeLockBatchResponse([])),
    );
    s.queues.append(s.topic, 0, [{}, {}]);
    await s.consumer.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);
    expect(s.consumer.assignment().filter((mq) => mq.topic === s.topic)).toEqual([]);
    expect(
      broker(s)
        .requestsOf(RequestCode.PULL_MESSAGE)
        .filter((r) => PullMessageRequestHeader.decode(r.extFields).topic === s.topic),
    ).toEqual([]);
  });
});

describe('PushConsumer lifecycle', () => {
  it('heartbeats its subscriptions, unregisters at shutdown, and refuses misuse', async () => {
    const s = await setup({ consumeConcurrently: () => undefined });
    expect(() => s.consumer.registerMessageListener({ consumeConcurrently: () => undefined })).toThrow(
      /already registered/,
    );
    await s.consumer.start();
    await expect(s.consumer.start()).rejects.toThrow(/cannot start/);
    const [hb] = broker(s).requestsOf(RequestCode.HEART_BEAT);
    const body = JSON.parse(hb?.body?.toString() ?? '{}') as {
      consumerDataSet: { groupName: string; consumeType: string; subscriptionDataSet: { topic: string }[] }[];
    };
    expect(body.consumerDataSet[0]).toMatchObject({ groupName: GROUP, consumeType: 'CONSUME_PASSIVELY' });
    expect(body.consumerDataSet[0]?.subscriptionDataSet.map((x) => x.topic).sort()).toEqual(
      [retryTopicOf(GROUP), s.topic].sort(),
    );
    await s.consumer.shutdown();
    expect(broker(s).requestsOf(RequestCode.UNREGISTER_CLIENT)[0]?.extFields).toMatchObject({
      clientID: s.consumer.clientId,
      consumerGroup: GROUP,
    });
    await s.consumer.shutdown();
    expect(() => s.consumer.subscribe(s.topic)).toThrow(/not usable/);
  });

  it('start() without a listener is a StateError', async () => {
    const c = new PushConsumer({ namesrvAddr: '127.0.0.1:1', consumerGroup: GROUP, logger: silentLogger });
    await expect(c.start()).rejects.toThrow(/registerMessageListener/);
  });
});
