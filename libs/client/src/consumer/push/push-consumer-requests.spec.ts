import {
  createRequest,
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  decodeLockBatchRequest,
  encodeLockBatchResponse,
  encodeResetOffsetBody,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type MessageExt,
  type MessageQueue,
  type RemotingCommand,
} from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { respond } from '../../../../../test/fakes/fake-broker';
import { storedRecord } from '../../../../../test/fakes/fake-cluster';
import { PUSH_GROUP, pushFixture } from '../../../../../test/fakes/push-fixture';
import { eventually } from '../../../../../test/helpers/push';
import { retryTopicOf } from './retry-topic';

const { setup } = pushFixture();

describe('PushConsumer, requests from the broker', () => {
  const request = (code: number, ext: Record<string, string>, body?: Buffer): RemotingCommand =>
    createRequest(code, ext, body);

  it('rebalances on NOTIFY_CONSUMER_IDS_CHANGED and releases a queue given to a new member', async () => {
    const s = await setup({ consumeConcurrently: () => undefined }, {}, 2);
    await s.consumer.start();
    const q = (id: number): MessageQueue => ({ topic: s.topic, brokerName: 'broker-a', queueId: id });
    expect(s.consumer.assignment()).toEqual(expect.arrayContaining([q(0), q(1)]));
    s.members = [s.consumer.clientId, '~zz@last-member'];
    const before = s.broker.requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP).length;
    s.broker.notifyClients(request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: PUSH_GROUP }));
    await eventually(
      () => !s.consumer.assignment().some((mq) => mq.topic === s.topic && mq.queueId === 1),
      'queue 1 released',
    );
    expect(s.broker.requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP).length).toBeGreaterThan(before);
    expect(s.consumer.assignment().filter((mq) => mq.topic === s.topic)).toEqual([q(0)]);
    // A notification for another group is ignored.
    const n = s.broker.requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP).length;
    s.broker.notifyClients(request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: 'other' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(s.broker.requestsOf(RequestCode.GET_CONSUMER_LIST_BY_GROUP)).toHaveLength(n);
  });

  it('answers GET_CONSUMER_RUNNING_INFO with properties, subscriptions, queues and status', async () => {
    const s = await setup({ consumeConcurrently: () => undefined }, { concurrency: 7 });
    s.queues.append(s.topic, 0, [{ body: 'a' }, { body: 'b' }]);
    await s.consumer.start();
    await eventually(() => s.consumer.stats().consumeOK === 2, 'two consumed');
    const [resp] = await s.broker.requestClients(
      request(RequestCode.GET_CONSUMER_RUNNING_INFO, {
        consumerGroup: PUSH_GROUP,
        clientId: s.consumer.clientId,
      }),
    );
    expect(resp?.code).toBe(ResponseCode.SUCCESS);
    const info = decodeConsumerRunningInfo(resp?.body);
    expect(info.properties).toMatchObject({
      PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY',
      PROP_CONSUMEORDERLY: 'false',
      PROP_THREADPOOL_CORE_SIZE: '7',
      PROP_NAMESERVER_ADDR: s.c.namesrv.addr,
      consumerGroup: PUSH_GROUP,
      messageModel: 'CLUSTERING',
    });
    expect(info.subscriptionSet.map((x) => x.topic).sort()).toEqual(
      [retryTopicOf(PUSH_GROUP), s.topic].sort(),
    );
    const mine = info.mqTable.find(([mq]) => mq.topic === s.topic);
    expect(mine?.[1]).toMatchObject({ commitOffset: 2, cachedMsgCount: 0, droped: false });
    expect(info.statusTable[s.topic]).toMatchObject({ consumeFailedMsgs: 0 });
    const [wrong] = await s.broker.requestClients(
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
      const record = storedRecord({
        topic: retryTopicOf(PUSH_GROUP),
        body,
        properties: { RETRY_TOPIC: 'Orig' },
      });
      const [resp] = await s.broker.requestClients(
        request(
          RequestCode.CONSUME_MESSAGE_DIRECTLY,
          { consumerGroup: PUSH_GROUP, brokerName: 'broker-a' },
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
    s.broker.notifyClients(
      request(
        RequestCode.RESET_CONSUMER_CLIENT_OFFSET,
        { topic: s.topic, group: PUSH_GROUP, timestamp: '0', isForce: 'true' },
        encodeResetOffsetBody([[mq, 1]]),
      ),
    );
    await eventually(() => seen.length === 5, 'm1 and m2 again');
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm1', 'm2']);
    await eventually(() => s.committed().at(-1) === 3, 'offset 3 committed again');
    expect(s.committed()).toContain(1);
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
    const b = s.broker;
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
      consumerGroup: PUSH_GROUP,
      clientId: s.consumer.clientId,
    });
    await s.consumer.shutdown();
    const unlocks = b.requestsOf(RequestCode.UNLOCK_BATCH_MQ).map((r) => decodeLockBatchRequest(r.body));
    expect(unlocks.flatMap((u) => u.mqSet).map((mq) => mq.topic)).toContain(s.topic);
    expect(s.committed().at(-1)).toBe(3);
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
    const b = s.broker;
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
    b.notifyClients(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: PUSH_GROUP }));
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
    expect(s.committed(1).at(-1)).toBe(1);
  });

  it('does not consume a queue whose lock another member holds', async () => {
    const seen: number[] = [];
    const s = await setup({
      consumeOrderly: (msgs) => {
        seen.push((msgs[0] as MessageExt).queueOffset);
      },
    });
    s.broker.on(
      RequestCode.LOCK_BATCH_MQ,
      respond(ResponseCode.SUCCESS, undefined, encodeLockBatchResponse([])),
    );
    s.queues.append(s.topic, 0, [{}, {}]);
    await s.consumer.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);
    expect(s.consumer.assignment().filter((mq) => mq.topic === s.topic)).toEqual([]);
    expect(
      s.broker
        .requestsOf(RequestCode.PULL_MESSAGE)
        .filter((r) => PullMessageRequestHeader.decode(r.extFields).topic === s.topic),
    ).toEqual([]);
  });
});
