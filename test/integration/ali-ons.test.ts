/*
 * Interop with the real npm client ali-ons 3.12 (reference §14): its Producer and push Consumer
 * against a RocketTS name server and broker started as processes, checked from the other side
 * with our own clients.
 */
import { randomBytes } from 'node:crypto';
import { Admin, Producer, PullConsumer, PullStatus, silentLogger, type SendResult } from '@rocketts/client';
import {
  MessageProperty,
  MessageSysFlag,
  ResponseCode,
  RETRY_GROUP_TOPIC_PREFIX,
  type MessageExt,
  type MessageQueue,
} from '@rocketts/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { randomGroup, randomName, randomTopic, tmpStoreDir } from '../helpers/tmp';
import {
  ALI_CONSUMER_OPTIONS,
  aliOns,
  aliOptions,
  eventually,
  LONG_TEST_MS,
  sleep,
  snapshot,
  type AliClient,
  type AliClientException,
  type AliConsumer,
  type AliMessage,
  type AliProducer,
  type AliSendResult,
  type Delivery,
} from '../helpers/ali-ons';

describe('ali-ons 3.12 against the RocketTS name server and broker', () => {
  const namesrvDir = tmpStoreDir('rocketts-alions-ns-');
  const brokerDir = tmpStoreDir('rocketts-alions-broker-');
  let namesrv: ProcHandle | undefined;
  let broker: ProcHandle | undefined;
  let admin: Admin | undefined;
  /** Everything started, closed once: by `close(client)` during a test or in afterAll. */
  const open = new Map<object, () => Promise<unknown>>();
  async function close(client: object): Promise<void> {
    const stop = open.get(client);
    open.delete(client);
    await stop?.();
  }
  /** Errors ali-ons emitted, for the assertions and for the failure message. */
  const aliErrors: AliClientException[] = [];

  const nameSrv = (): string => (namesrv as ProcHandle).addr;

  async function createTopic(): Promise<string> {
    const topic = randomTopic();
    await (admin as Admin).createTopic({
      topic,
      clusterName: 'TestCluster',
      readQueueNums: 4,
      writeQueueNums: 4,
    });
    // ali-ons cannot create topics: the route must be on the name server before its first send.
    await eventually(() => (admin as Admin).topicRoute(topic));
    return topic;
  }

  const tracked = new WeakSet<AliClient>();
  function track<T extends AliClient>(client: T): T {
    if (!tracked.has(client)) {
      tracked.add(client);
      client.on('error', (err: AliClientException) => aliErrors.push(err));
    }
    return client;
  }
  /** The inner producer exists once any ali-ons client is ready; ali-ons never closes it. */
  function trackInnerProducer(): void {
    const inner = aliOns.Producer.defaultProducer;
    if (inner) track(inner);
  }

  async function startAliProducer(): Promise<AliProducer> {
    const producer = track(
      new aliOns.Producer({
        ...aliOptions(nameSrv()),
        producerGroup: randomGroup(),
        instanceName: randomName('aliProducer'),
      }),
    );
    open.set(producer, () => producer.close());
    await producer.ready();
    trackInnerProducer();
    return producer;
  }

  /** An ali-ons push Consumer (clustering) of `group`, subscribed and ready. */
  async function startAliConsumer(
    group: string,
    topic: string,
    subExpression: string,
    handler: (msg: AliMessage) => Promise<void>,
  ): Promise<AliConsumer> {
    const consumer = track(
      new aliOns.Consumer({
        ...aliOptions(nameSrv()),
        ...ALI_CONSUMER_OPTIONS,
        consumerGroup: group,
        instanceName: randomName('aliConsumer'),
      }),
    );
    open.set(consumer, () => consumer.close());
    consumer.subscribe(topic, subExpression, handler);
    await consumer.ready();
    trackInnerProducer();
    return consumer;
  }

  async function startOurProducer(): Promise<Producer> {
    const producer = new Producer({
      namesrvAddr: nameSrv(),
      producerGroup: randomGroup(),
      logger: silentLogger,
    });
    await producer.start();
    open.set(producer, () => producer.shutdown());
    return producer;
  }

  async function startPullConsumer(group = randomGroup()): Promise<PullConsumer> {
    const consumer = new PullConsumer({
      namesrvAddr: nameSrv(),
      consumerGroup: group,
      logger: silentLogger,
    });
    await consumer.start();
    open.set(consumer, () => consumer.shutdown());
    return consumer;
  }

  /** Everything in the topic from offset 0, read with our PullConsumer. */
  async function pullAll(consumer: PullConsumer, topic: string, subExpression = '*'): Promise<MessageExt[]> {
    const out: MessageExt[] = [];
    for (const mq of await consumer.fetchSubscribeMessageQueues(topic)) {
      let offset = 0;
      for (;;) {
        const r = await consumer.pull(mq, { offset, subExpression });
        out.push(...r.messages);
        if (r.status !== PullStatus.FOUND && r.status !== PullStatus.NO_MATCHED_MSG) break;
        offset = r.nextBeginOffset;
      }
    }
    return out;
  }

  beforeAll(async () => {
    namesrv = await startNamesrv(namesrvDir.dir);
    broker = await startBroker({
      namesrv: namesrv.addr,
      storeDir: brokerDir.dir,
      // Every delay level one second, so a retry (level 3 + reconsumeTimes) comes back within the test.
      conf: { messageDelayLevel: Array.from({ length: 18 }, () => '1s').join(' ') },
    });
    admin = new Admin({ namesrvAddr: namesrv.addr, logger: silentLogger });
    await admin.start();
  });

  // A failure caused by a server that went away (crash, or a signal from outside) says so.
  afterEach(() => {
    for (const [name, handle] of [
      ['name server', namesrv],
      ['broker', broker],
    ] as const) {
      const exit = handle?.proc.exitCode ?? handle?.proc.signalCode ?? null;
      expect(exit, `${name} exited during the test:\n${handle?.output() ?? ''}`).toBeNull();
    }
  });

  afterAll(async () => {
    // ali-ons clients first (they unregister from the broker), the inner producer last.
    for (const client of [...open.keys()].reverse()) await close(client).catch(() => undefined);
    const inner = aliOns.Producer.defaultProducer;
    aliOns.Producer.defaultProducer = null;
    await inner?.close().catch(() => undefined);
    await admin?.shutdown();
    await broker?.stop();
    await namesrv?.stop();
    namesrvDir.cleanup();
    brokerDir.cleanup();
  });

  it('stores what the ali-ons Producer sends: compressed bodies, tags, keys, findable by key', async () => {
    const topic = await createTopic();
    const producer = await startAliProducer();
    const { Message } = aliOns;

    const small = new Message(topic, 'TagA', 'hello from ali-ons');
    const orderKey = randomName('order');
    small.keys = [orderKey, 'second-key'];
    // ≥ 4 KiB: ali-ons deflates it and sets SYSFLAG bit 0 (compressMsgBodyOverHowmuch).
    const bigBody = Buffer.concat([randomBytes(2048), Buffer.alloc(6 * 1024, 'rocket')]);
    const big = new Message(topic, 'TagB', Buffer.from(bigBody));
    // Two-argument form: no tag given, ali-ons writes the property as TAGS=null (§14.3).
    const nullTag = new Message(topic, 'no tag, ali-ons style');
    // A truly untagged message: no TAGS property at all.
    const untagged = new Message(topic, 'TagX', 'no TAGS property');
    delete untagged.properties[MessageProperty.TAGS];

    const sent: { result: AliSendResult; body: Buffer; tags: string | undefined; keys: string[] }[] = [];
    for (const [msg, body, tags, keys] of [
      [small, Buffer.from('hello from ali-ons'), 'TagA', [orderKey, 'second-key']],
      [big, bigBody, 'TagB', []],
      [nullTag, Buffer.from('no tag, ali-ons style'), 'null', []],
      [untagged, Buffer.from('no TAGS property'), undefined, []],
    ] as const) {
      const result = await producer.send(msg);
      expect(result.sendStatus).toBe('SEND_OK');
      sent.push({ result, body, tags, keys: [...keys] });
    }

    const consumer = await startPullConsumer();
    const all = await pullAll(consumer, topic);
    expect(all).toHaveLength(sent.length);
    for (const s of sent) {
      const m = all.find((x) => x.offsetMsgId === s.result.msgId);
      expect(m, `message ${s.result.msgId}`).toBeDefined();
      const got = m as MessageExt;
      expect(got.topic).toBe(topic);
      expect(got.queueId).toBe(Number(s.result.messageQueue.queueId));
      expect(got.queueOffset).toBe(s.result.queueOffset);
      expect(got.body.equals(s.body)).toBe(true);
      expect(got.tags).toBe(s.tags);
      expect(got.keys).toEqual(s.keys);
      expect(got.bornHost.startsWith('127.0.0.1:')).toBe(true);
      // ali-ons sends no UNIQ_KEY; the broker gives every message one (as 5.x does).
      expect(got.properties[MessageProperty.UNIQ_KEY]).toMatch(/^[0-9A-F]{32}$/);
    }
    const bigStored = all.find((x) => x.offsetMsgId === sent[1]?.result.msgId) as MessageExt;
    expect(bigStored.sysFlag & MessageSysFlag.COMPRESSED).toBe(MessageSysFlag.COMPRESSED);

    // The broker hashed ali-ons' TAGS for its consume-queue filter.
    const tagA = await pullAll(consumer, topic, 'TagA');
    expect(tagA.map((m) => m.offsetMsgId)).toEqual([sent[0]?.result.msgId]);

    // KEYS went into the index.
    const found = await eventually(async () => {
      const r = await (admin as Admin).queryMessageByKey(topic, orderKey);
      expect(r.messages).toHaveLength(1);
      return r.messages;
    });
    expect(found[0]?.offsetMsgId).toBe(sent[0]?.result.msgId);
    expect(found[0]?.body.toString()).toBe('hello from ali-ons');
  });

  it(
    'delivers what our Producer sends to an ali-ons push Consumer, tag-filtered, and stores its offsets',
    async () => {
      const topic = await createTopic();
      const group = randomGroup();
      const producer = await startOurProducer();

      const bigBody = Buffer.concat([randomBytes(1024), Buffer.alloc(8 * 1024, 'compress me ')]);
      const plan: { tags?: string; body: Buffer; keys?: string[] }[] = [
        { tags: 'TagA', body: Buffer.from('a-1'), keys: ['key-a1'] },
        { tags: 'TagB', body: Buffer.from('b-1') },
        { tags: 'TagC', body: Buffer.from('c-1 (filtered)') },
        { tags: 'TagA', body: bigBody, keys: ['key-big', 'other'] },
        { body: Buffer.from('untagged (filtered by the broker)') },
        { tags: 'TagB', body: Buffer.from('b-2') },
        { tags: 'TagC', body: Buffer.from('c-2 (filtered)') },
        { tags: 'TagA', body: Buffer.from('a-3') },
      ];
      const sent: { result: SendResult; tags?: string; body: Buffer; keys?: string[] }[] = [];
      for (const p of plan) {
        const result = await producer.send({ topic, body: p.body, tags: p.tags, keys: p.keys });
        sent.push({ result, ...p });
      }
      const expected = sent.filter((s) => s.tags === 'TagA' || s.tags === 'TagB');

      const received: Delivery[] = [];
      const consumer = await startAliConsumer(group, topic, 'TagA || TagB', async (msg) => {
        received.push(snapshot(msg));
      });

      await eventually(() => expect(received.length).toBeGreaterThanOrEqual(expected.length));
      await sleep(1500); // room for a duplicate or a filtered message to show up
      expect(received).toHaveLength(expected.length);
      for (const s of expected) {
        const copies = received.filter((m) => m.properties[MessageProperty.UNIQ_KEY] === s.result.msgId);
        expect(copies, `deliveries of ${s.result.msgId}`).toHaveLength(1);
        const m = copies[0] as Delivery;
        expect(m.topic).toBe(topic);
        expect(m.msgId).toBe(s.result.offsetMsgId);
        expect(m.queueId).toBe(s.result.messageQueue.queueId);
        expect(m.queueOffset).toBe(s.result.queueOffset);
        expect(m.body.equals(s.body)).toBe(true);
        expect(m.tags).toBe(s.tags);
        expect(m.keys).toBe(s.keys ? s.keys.join(' ') : undefined);
        expect(m.reconsumeTimes).toBe(0);
      }

      // ali-ons commits offsets (one-way UPDATE_CONSUMER_OFFSET, and on pulls); after the filtered
      // tails are skipped every queue's committed offset reaches its max offset.
      const reader = await startPullConsumer(group);
      const queues = await reader.fetchSubscribeMessageQueues(topic);
      const committed = async (mq: MessageQueue): Promise<[number, number]> => [
        await reader.fetchConsumeOffset(mq),
        await reader.maxOffset(mq),
      ];
      await eventually(async () => {
        for (const mq of queues) {
          const [offset, max] = await committed(mq);
          expect(offset, `committed offset of queue ${mq.queueId}`).toBe(max);
        }
      });
      const total = (await Promise.all(queues.map((mq) => reader.maxOffset(mq)))).reduce((a, b) => a + b, 0);
      expect(total).toBe(plan.length);

      // A restarted member of the group reads those offsets back (QUERY_CONSUMER_OFFSET) and gets
      // only what was sent while the group was away.
      await close(consumer);
      const later = [
        await producer.send({ topic, body: 'while away 1', tags: 'TagA' }),
        await producer.send({ topic, body: 'while away 2', tags: 'TagC' }),
        await producer.send({ topic, body: 'while away 3', tags: 'TagB' }),
      ];
      const resumed: Delivery[] = [];
      await startAliConsumer(group, topic, 'TagA || TagB', async (msg) => {
        resumed.push(snapshot(msg));
      });
      await eventually(() => expect(resumed.length).toBeGreaterThanOrEqual(2));
      await sleep(1000);
      expect(resumed.map((m) => m.body.toString()).sort()).toEqual(['while away 1', 'while away 3']);
      expect(resumed.map((m) => m.msgId).sort()).toEqual(
        [later[0]?.offsetMsgId, later[2]?.offsetMsgId].sort(),
      );
    },
    LONG_TEST_MS,
  );

  it(
    'retries a failed message through CONSUMER_SEND_MSG_BACK: the copy comes back from %RETRY%<group> after its delay level',
    async () => {
      const topic = await createTopic();
      const group = randomGroup();
      const retryTopic = `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
      const producer = await startOurProducer();
      const errorsBefore = aliErrors.length;

      const deliveries: (Delivery & { at: number })[] = [];
      await startAliConsumer(group, topic, '*', async (msg) => {
        deliveries.push({ ...snapshot(msg), at: Date.now() });
        if (msg.reconsumeTimes === 0) throw new Error('first attempt fails on purpose');
      });

      const body = Buffer.from('retry me');
      const sent = await producer.send({ topic, body, tags: 'TagR', keys: ['retry-key'] });
      await eventually(() => expect(deliveries.length).toBeGreaterThanOrEqual(2));
      await sleep(1000);
      expect(deliveries).toHaveLength(2);

      const [first, again] = deliveries as [Delivery & { at: number }, Delivery & { at: number }];
      expect(first.msgId).toBe(sent.offsetMsgId);
      expect(first.reconsumeTimes).toBe(0);

      // ali-ons' CONSUMER_SEND_MSG_BACK succeeded: the only error it reported is the handler's own,
      // and it never fell back to re-sending the copy itself (that copy would carry RECONSUME_TIME).
      const errors = aliErrors.slice(errorsBefore);
      expect(errors.map((e) => e.message)).toEqual([
        expect.stringContaining('first attempt fails on purpose'),
      ]);
      expect(errors.some((e) => e.code !== undefined)).toBe(false);
      expect(errors.find((e) => e.code === ResponseCode.REQUEST_CODE_NOT_SUPPORTED)).toBeUndefined();

      // The broker's copy waited for delay level 3 (one second on this broker) in SCHEDULE_TOPIC_XXXX,
      // then came from %RETRY%<group>; ali-ons gives it back to the topic's handler.
      expect(again.at - first.at).toBeGreaterThanOrEqual(900);
      expect(again.topic).toBe(topic);
      expect(again.properties[MessageProperty.RETRY_TOPIC]).toBe(topic);
      expect(again.properties[MessageProperty.ORIGIN_MESSAGE_ID]).toBe(first.msgId);
      expect(again.properties[MessageProperty.REAL_TOPIC]).toBe(retryTopic);
      expect(again.properties[MessageProperty.RECONSUME_TIME]).toBeUndefined();
      expect(again.properties[MessageProperty.DELAY]).toBeUndefined();
      expect(again.reconsumeTimes).toBe(1);
      expect(again.body.equals(body)).toBe(true);
      expect(again.tags).toBe('TagR');
      expect(again.properties[MessageProperty.UNIQ_KEY]).toBe(sent.msgId);
      expect(again.msgId).not.toBe(first.msgId);

      // Seen from our side: the retry topic has a route (created on heartbeat) and holds the copy.
      const route = await (admin as Admin).topicRoute(retryTopic);
      expect(route.queueDatas.map((q) => q.readQueueNums)).toEqual([1]);
      const reader = await startPullConsumer();
      const stored = await pullAll(reader, retryTopic);
      expect(stored).toHaveLength(1);
      const copy = stored[0] as MessageExt;
      expect(copy.offsetMsgId).toBe(again.msgId);
      expect(copy.reconsumeTimes).toBe(1);
      expect(copy.properties[MessageProperty.RETRY_TOPIC]).toBe(topic);
      expect(copy.properties[MessageProperty.ORIGIN_MESSAGE_ID]).toBe(first.msgId);
      expect(copy.properties[MessageProperty.WAIT]).toBe('false');
    },
    LONG_TEST_MS,
  );
});
