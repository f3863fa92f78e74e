import {
  ConsumerSendMsgBackRequestHeader,
  decodeProperties,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  PullSysFlag,
  SearchOffsetRequestHeader,
  type RemotingCommand,
  SendMessageRequestHeaderV2,
  type MessageExt,
} from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { respond } from '../../../../../test/fakes/fake-broker';
import { physicalOffsetOf } from '../../../../../test/fakes/stored-queues';
import { PUSH_GROUP, pushFixture } from '../../../../../test/fakes/push-fixture';
import { eventually } from '../../../../../test/helpers/push';
import { silentLogger } from '../../logger';
import { PushConsumer } from './push-consumer';
import { retryTopicOf } from './retry-topic';

const { setup } = pushFixture();

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
    s.broker.on(RequestCode.CONSUMER_SEND_MSG_BACK, respond(ResponseCode.SUCCESS));
    s.queues.append(s.topic, 0, [
      { body: 'ok' },
      { body: 'bad', properties: { UNIQ_KEY: 'UNIQ-BAD', TAGS: 'T1' } },
      { body: 'ok2' },
    ]);
    await s.consumer.start();
    await eventually(() => s.committed().at(-1) === 3, 'offset 3 committed');
    const [back] = s.broker.requestsOf(RequestCode.CONSUMER_SEND_MSG_BACK);
    expect(ConsumerSendMsgBackRequestHeader.decode(back?.extFields)).toEqual({
      offset: physicalOffsetOf(0, 1),
      group: PUSH_GROUP,
      delayLevel: 0,
      originMsgId: 'UNIQ-BAD',
      originTopic: s.topic,
      unitMode: false,
      maxReconsumeTimes: 16,
    });
    expect(seen.sort()).toEqual(['bad', 'ok', 'ok2']);
    expect(s.consumer.stats()).toMatchObject({ consumeOK: 2, consumeFailed: 1 });
    // The committed offset never went past the failed message before it was handed back.
    expect(s.committed().every((o, i, all) => i === 0 || o >= (all[i - 1] as number))).toBe(true);
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
    s.broker.on(RequestCode.CONSUMER_SEND_MSG_BACK, respond(ResponseCode.SUCCESS));
    s.queues.append(s.topic, 0, [{ body: 'x' }]);
    await s.consumer.start();
    const [back] = await s.broker.waitForRequests(RequestCode.CONSUMER_SEND_MSG_BACK, 1);
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
    const [send] = await s.broker.waitForRequests(RequestCode.SEND_MESSAGE_V2, 1);
    const h = SendMessageRequestHeaderV2.decode(send?.extFields);
    expect(h).toMatchObject({
      producerGroup: 'CLIENT_INNER_PRODUCER',
      topic: retryTopicOf(PUSH_GROUP),
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
    await eventually(() => s.committed().at(-1) === 1, 'offset 1 committed');
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
    s.broker.on(
      RequestCode.SEND_MESSAGE_V2,
      respond(ResponseCode.SYSTEM_ERROR, undefined, undefined, 'down'),
    );
    s.queues.append(s.topic, 0, [{ body: 'flaky' }, { body: 'fine' }]);
    await s.consumer.start();
    await eventually(() => s.broker.requestsOf(RequestCode.SEND_MESSAGE_V2).length >= 1, 'fallback tried');
    await new Promise((r) => setTimeout(r, 500));
    // 'fine' (offset 1) is done but 'flaky' (offset 0) is not: nothing past 0 may be committed.
    expect(s.committed().every((o) => o === 0)).toBe(true);
    await eventually(() => attempts.length === 2, 'local re-consumption', 10_000);
    expect(attempts).toEqual([0, 1]);
    await eventually(() => s.committed().at(-1) === 2, 'offset 2 committed');
  }, 20_000);

  it('shows a message from %RETRY%<group> under its original topic', async () => {
    const topics: [string, number][] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) topics.push([m.topic, m.reconsumeTimes]);
      },
    });
    s.queues.append(retryTopicOf(PUSH_GROUP), 0, [
      { body: 'again', properties: { RETRY_TOPIC: s.topic, UNIQ_KEY: 'R1' }, reconsumeTimes: 2 },
    ]);
    await s.consumer.start();
    await eventually(() => topics.length === 1, 'retry message consumed');
    expect(topics).toEqual([[s.topic, 2]]);
  });
});

describe('PushConsumer offsets', () => {
  const pulledFrom = (s: Awaited<ReturnType<typeof setup>>, topic: string): number[] =>
    s.broker
      .requestsOf(RequestCode.PULL_MESSAGE)
      .map((r) => PullMessageRequestHeader.decode(r.extFields))
      .filter((h) => h.topic === topic)
      .map((h) => h.queueOffset);

  it('starts a new group per consumeFromWhere (§13): LAST = max offset, and 0 for %RETRY%', async () => {
    const s = await setup({ consumeConcurrently: () => undefined });
    s.newGroup = true;
    s.broker.on(RequestCode.GET_MAX_OFFSET, respond(ResponseCode.SUCCESS, { offset: '7' }));
    await s.consumer.start();
    await eventually(() => pulledFrom(s, s.topic).length > 0, 'first pull');
    expect(pulledFrom(s, s.topic)[0]).toBe(7);
    await eventually(() => pulledFrom(s, retryTopicOf(PUSH_GROUP)).length > 0, 'first retry pull');
    expect(pulledFrom(s, retryTopicOf(PUSH_GROUP))[0]).toBe(0);
  });

  it('FIRST starts at 0; TIMESTAMP searches the offset of consumeTimestamp', async () => {
    const first = await setup(
      { consumeConcurrently: () => undefined },
      { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' },
    );
    first.newGroup = true;
    await first.consumer.start();
    await eventually(() => pulledFrom(first, first.topic).length > 0, 'first pull');
    expect(pulledFrom(first, first.topic)[0]).toBe(0);

    const ts = await setup(
      { consumeConcurrently: () => undefined },
      { consumeFromWhere: 'CONSUME_FROM_TIMESTAMP', consumeTimestamp: '20240102030405' },
    );
    ts.newGroup = true;
    ts.broker.on(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, respond(ResponseCode.SUCCESS, { offset: '4' }));
    ts.broker.on(RequestCode.GET_MAX_OFFSET, respond(ResponseCode.SUCCESS, { offset: '9' }));
    await ts.consumer.start();
    await eventually(() => pulledFrom(ts, ts.topic).length > 0, 'first pull');
    expect(pulledFrom(ts, ts.topic)[0]).toBe(4);
    const [search] = ts.broker.requestsOf(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP);
    expect(SearchOffsetRequestHeader.decode(search?.extFields).timestamp).toBe(
      new Date(2024, 0, 2, 3, 4, 5).getTime(),
    );
    // %RETRY% topics start at their end for CONSUME_FROM_TIMESTAMP.
    await eventually(() => pulledFrom(ts, retryTopicOf(PUSH_GROUP)).length > 0, 'first retry pull');
    expect(pulledFrom(ts, retryTopicOf(PUSH_GROUP))[0]).toBe(9);
  });

  it('resumes from the stored offset and piggy-backs the commit offset on pulls (commit bit)', async () => {
    const seen: string[] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) seen.push(m.body.toString());
      },
    });
    s.offsets.set(`${s.topic}@0`, 2);
    s.queues.append(s.topic, 0, [{ body: 'm0' }, { body: 'm1' }, { body: 'm2' }, { body: 'm3' }]);
    await s.consumer.start();
    await eventually(() => seen.length === 2, 'm2 and m3');
    expect(seen).toEqual(['m2', 'm3']);
    await eventually(
      () =>
        s.broker
          .requestsOf(RequestCode.PULL_MESSAGE)
          .map((r) => PullMessageRequestHeader.decode(r.extFields))
          .some(
            (h) =>
              h.topic === s.topic && h.commitOffset === 4 && (h.sysFlag & PullSysFlag.COMMIT_OFFSET) !== 0,
          ),
      'a pull carrying commit offset 4',
    );
    const firstPull = s.broker
      .requestsOf(RequestCode.PULL_MESSAGE)
      .map((r) => PullMessageRequestHeader.decode(r.extFields))
      .find((h) => h.topic === s.topic);
    // The stored offset read at start is committed back from the first pull (as Java); SUSPEND always; the
    // subscription itself comes from the heartbeat (no SUBSCRIPTION bit).
    expect(firstPull).toMatchObject({
      sysFlag: PullSysFlag.COMMIT_OFFSET | PullSysFlag.SUSPEND,
      commitOffset: 2,
      queueOffset: 2,
      suspendTimeoutMillis: 15_000,
      maxMsgNums: 32,
      subscription: '*',
    });
  });

  it('on PULL_OFFSET_MOVED adopts the broker’s next offset, persists it and restarts the queue there', async () => {
    const seen: string[] = [];
    const s = await setup({
      consumeConcurrently: (msgs) => {
        for (const m of msgs) seen.push(m.body.toString());
      },
    });
    s.queues.append(s.topic, 0, [{ body: 'gone0' }, { body: 'gone1' }, { body: 'm2' }, { body: 'm3' }]);
    const moved = (req: RemotingCommand) => {
      const h = PullMessageRequestHeader.decode(req.extFields);
      if (h.topic !== s.topic || h.queueOffset >= 2) return s.broker.defaultBehaviour(req);
      return respond(ResponseCode.PULL_OFFSET_MOVED, {
        suggestWhichBrokerId: '0',
        nextBeginOffset: '2',
        minOffset: '2',
        maxOffset: '4',
      });
    };
    s.broker.script(RequestCode.PULL_MESSAGE, moved, moved);
    await s.consumer.start();
    await eventually(() => seen.length === 2, 'm2 and m3');
    expect(seen).toEqual(['m2', 'm3']);
    expect(s.committed()[0]).toBe(2);
    await eventually(() => s.committed().at(-1) === 4, 'offset 4 committed');
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
    const [hb] = s.broker.requestsOf(RequestCode.HEART_BEAT);
    const body = JSON.parse(hb?.body?.toString() ?? '{}') as {
      consumerDataSet: { groupName: string; consumeType: string; subscriptionDataSet: { topic: string }[] }[];
    };
    expect(body.consumerDataSet[0]).toMatchObject({
      groupName: PUSH_GROUP,
      consumeType: 'CONSUME_PASSIVELY',
    });
    expect(body.consumerDataSet[0]?.subscriptionDataSet.map((x) => x.topic).sort()).toEqual(
      [retryTopicOf(PUSH_GROUP), s.topic].sort(),
    );
    await s.consumer.shutdown();
    expect(s.broker.requestsOf(RequestCode.UNREGISTER_CLIENT)[0]?.extFields).toMatchObject({
      clientID: s.consumer.clientId,
      consumerGroup: PUSH_GROUP,
    });
    await s.consumer.shutdown();
    expect(() => s.consumer.subscribe(s.topic)).toThrow(/not usable/);
  });

  it('start() without a listener is a StateError', async () => {
    const c = new PushConsumer({
      namesrvAddr: '127.0.0.1:1',
      consumerGroup: PUSH_GROUP,
      logger: silentLogger,
    });
    await expect(c.start()).rejects.toThrow(/registerMessageListener/);
  });
});
