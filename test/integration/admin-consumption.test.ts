import type { RemotingClient } from '@rocketts/client';
import { Producer, PullConsumer, silentLogger, type Admin } from '@rocketts/client';
import {
  createResponse,
  decodeMessageRecords,
  decodeResetOffsetBody,
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
  type MessageQueue,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerController } from '../../broker/src';
import { drainQueue, drainTopic } from '../helpers/drain';
import {
  EMBEDDED_CLUSTER as CLUSTER,
  startEmbeddedCluster,
  type EmbeddedCluster,
} from '../helpers/embedded-cluster';
import { randomGroup, randomTopic } from '../helpers/tmp';
import { consumerHeartbeat, rawGroupMember, type ServerRequestHandlers } from '../helpers/wire';

async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A name server and a broker in this process; our Admin, producer and pull consumer; raw clients as group members. */
describe('consumption administration against a real broker', () => {
  let cluster: EmbeddedCluster;
  let broker: BrokerController;
  let namesrvAddr: string;
  let brokerAddr: string;
  let admin: Admin;
  let producer: Producer;
  const closers: (() => unknown)[] = [];

  const consumer = async (group: string): Promise<PullConsumer> => {
    const c = new PullConsumer({ namesrvAddr, consumerGroup: group, logger: silentLogger });
    await c.start();
    closers.push(() => c.shutdown());
    return c;
  };
  /** A raw connection that heartbeats as `clientId` of `group` and answers server requests with `processors`. */
  const member = async (
    clientId: string,
    group: string,
    topic: string,
    handlers: ServerRequestHandlers = {},
  ): Promise<RemotingClient> => {
    const raw = await rawGroupMember(brokerAddr, consumerHeartbeat(clientId, group, topic), handlers);
    closers.push(() => raw.shutdown());
    return raw;
  };
  const createTopic = async (topic: string, queues: number): Promise<void> => {
    await cluster.createTopic(topic, queues);
  };

  beforeAll(async () => {
    cluster = await startEmbeddedCluster();
    ({ namesrvAddr, admin } = cluster);
    broker = cluster.brokers[0] as BrokerController;
    brokerAddr = cluster.brokerAddrs[0] as string;
    producer = new Producer({ namesrvAddr, producerGroup: randomGroup(), logger: silentLogger });
    await producer.start();
    await eventually(async () =>
      expect((await admin.clusterInfo()).clusterAddrTable.get(CLUSTER)).toBeDefined(),
    );
  });

  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    await producer?.shutdown();
    await cluster?.stop();
  });

  it('consumerProgress shows the lag of a heartbeating group drop as its offsets are committed', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 2);
    for (let i = 0; i < 10; i++) await producer.send({ topic, body: `m${i}` });
    await member('10.1.1.1@progress', group, topic);

    const before = await admin.consumerProgress(group);
    const rows = (p: typeof before) => p.queues.filter((q) => q.messageQueue.topic === topic);
    expect(rows(before).map((q) => q.messageQueue.queueId)).toEqual([0, 1]);
    expect(before.queues.map((q) => q.messageQueue.topic)).toContain(`%RETRY%${group}`);
    expect(before.totalLag).toBe(10);
    expect(rows(before).every((q) => q.consumerOffset === 0 && q.lastTimestamp === 0)).toBe(true);

    const c = await consumer(group);
    const [q0, q1] = (await c.fetchSubscribeMessageQueues(topic)) as [MessageQueue, MessageQueue];
    const got0 = await drainQueue(c, q0);
    await c.commitOffset(q0, got0.length);
    const mid = await admin.consumerProgress(group, topic);
    expect(mid.totalLag).toBe(10 - got0.length);
    expect(mid.queues[0]).toMatchObject({ consumerOffset: got0.length, lag: 0 });
    expect(mid.queues[0]?.lastTimestamp).toBe(got0[got0.length - 1]?.storeTimestamp);
    expect(mid.queues.map((q) => q.messageQueue.topic)).toEqual([topic, topic]);

    const got1 = await drainQueue(c, q1);
    await c.commitOffset(q1, got1.length);
    expect((await admin.consumerProgress(group)).totalLag).toBe(0);
  });

  it('consumerConnection lists a heartbeating client; a group with none is CONSUMER_NOT_ONLINE', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    await member('10.1.1.2@conn', group, topic);
    const cc = await admin.consumerConnection(group);
    expect(cc.connectionSet).toEqual([
      expect.objectContaining({
        clientId: '10.1.1.2@conn',
        clientAddr: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      }),
    ]);
    expect(cc).toMatchObject({ consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING' });
    expect(Object.keys(cc.subscriptionTable)).toEqual([topic]);
    await expect(admin.consumerConnection(randomGroup())).rejects.toMatchObject({
      code: 'CONSUMER_NOT_ONLINE',
    });
    const pc = await admin.producerConnection(producer.producerGroup, topic);
    expect(pc.map((p) => p.clientId)).toEqual([producer.clientId]);
  });

  it('resetOffsetByTime moves stored offsets back in time and tells a connected client', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    for (let i = 0; i < 3; i++) await producer.send({ topic, body: `early${i}` });
    await sleep(20);
    const t = Date.now();
    await sleep(20);
    for (let i = 0; i < 3; i++) await producer.send({ topic, body: `late${i}` });
    const c = await consumer(group);
    const [mq] = (await c.fetchSubscribeMessageQueues(topic)) as [MessageQueue];
    await c.commitOffset(mq, 6);

    const notices: RemotingCommand[] = [];
    await member('10.1.1.3@reset', group, topic, {
      [RequestCode.RESET_CONSUMER_CLIENT_OFFSET]: (cmd) => {
        notices.push(cmd);
        return undefined;
      },
    });
    const table = await admin.resetOffsetByTime(group, topic, t);
    expect(table).toEqual([{ messageQueue: mq, offset: 3 }]);
    expect(await c.fetchConsumeOffset(mq)).toBe(3);
    await eventually(async () => expect(notices).toHaveLength(1));
    const [notice] = notices as [RemotingCommand];
    expect(ResetOffsetRequestHeader.decode(notice.extFields)).toEqual({
      topic,
      group,
      timestamp: t,
      isForce: true,
    });
    expect(decodeResetOffsetBody(notice.body)).toEqual([[mq, 3]]);

    // Not forced, a later time does not move the offset forwards.
    expect((await admin.resetOffsetByTime(group, topic, Date.now(), false))[0]?.offset).toBe(3);
    // No client online: the stored offset still moves, so the group resumes from there.
    const offline = randomGroup();
    const c2 = await consumer(offline);
    await c2.commitOffset(mq, 6);
    expect(await admin.resetOffsetByTime(offline, topic, 0)).toEqual([{ messageQueue: mq, offset: 0 }]);
    expect(await c2.fetchConsumeOffset(mq)).toBe(0);
  });

  it('deleteTopic removes the topic from the route, the broker and its offsets', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 2);
    const sent = await producer.send({ topic, body: 'to be deleted' });
    const c = await consumer(group);
    await c.commitOffset(sent.messageQueue, 1);
    expect(broker.ctx.offsets.topicsOf(group)).toEqual([topic]);

    expect(await admin.deleteTopic(topic, CLUSTER)).toEqual([brokerAddr]);
    await expect(admin.topicRoute(topic)).rejects.toMatchObject({ code: 'TOPIC_NOT_EXIST' });
    expect(await admin.topicList()).not.toContain(topic);
    expect(broker.ctx.topics.get(topic)).toBeUndefined();
    expect(broker.store.getMaxOffsetInQueue(topic, sent.messageQueue.queueId)).toBe(0);
    expect(broker.ctx.offsets.topicsOf(group)).toEqual([]);
    // A later registration of the broker does not bring it back.
    await sleep(200);
    await expect(admin.topicRoute(topic)).rejects.toMatchObject({ code: 'TOPIC_NOT_EXIST' });
  });

  it('updateSubGroup writes a group config; deleteSubGroup with cleanOffset removes it and its offsets', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    const r = await admin.updateSubGroup({ groupName: group, retryMaxTimes: 5 }, { clusterName: CLUSTER });
    expect(r.brokerAddrs).toEqual([brokerAddr]);
    expect(broker.ctx.groups.get(group)).toMatchObject({ retryMaxTimes: 5, retryQueueNums: 1 });
    const c = await consumer(group);
    const [mq] = (await c.fetchSubscribeMessageQueues(topic)) as [MessageQueue];
    await c.commitOffset(mq, 0);
    expect(broker.ctx.offsets.topicsOf(group)).toEqual([topic]);

    await admin.deleteSubGroup(group, { brokerAddr }, true);
    expect(broker.ctx.groups.get(group)).toBeUndefined();
    expect(broker.ctx.offsets.topicsOf(group)).toEqual([]);
  });

  it('relays running info and consume-directly to a client that answers; SYSTEM_ERROR when it is not online', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    const sent = await producer.send({ topic, body: 'consume me now', keys: 'direct-1' });
    const asked: RemotingCommand[] = [];
    await member('10.1.1.4@relay', group, topic, {
      [RequestCode.GET_CONSUMER_RUNNING_INFO]: (cmd) => {
        asked.push(cmd);
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          undefined,
          encodeConsumerRunningInfo({
            properties: { PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY', PROP_CLIENT_VERSION: 'V4_9_8' },
            subscriptionSet: [],
            mqTable: [],
            statusTable: {},
          }),
        );
      },
      [RequestCode.CONSUME_MESSAGE_DIRECTLY]: (cmd) => {
        asked.push(cmd);
        const [m] = decodeMessageRecords(cmd.body as Buffer);
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          undefined,
          encodeConsumeMessageDirectlyResult({
            order: false,
            autoCommit: true,
            consumeResult: 'CR_SUCCESS',
            remark: `${m?.topic}:${m?.body.toString()}:${m?.keys.join(',')}`,
            spentTimeMills: 1,
          }),
        );
      },
    });

    const info = await admin.getConsumerRunningInfo(group, '10.1.1.4@relay');
    expect(info.properties).toEqual({
      PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY',
      PROP_CLIENT_VERSION: 'V4_9_8',
    });
    const result = await admin.consumeMessageDirectly(group, '10.1.1.4@relay', sent.offsetMsgId, topic);
    expect(result).toMatchObject({ consumeResult: 'CR_SUCCESS', remark: `${topic}:consume me now:direct-1` });
    expect(asked[1]?.extFields).toMatchObject({
      brokerName: 'broker-a',
      topicSysFlag: '0',
      groupSysFlag: '0',
    });

    await expect(admin.getConsumerRunningInfo(group, '10.9.9.9@ghost')).rejects.toMatchObject({
      code: 'SYSTEM_ERROR',
      message: expect.stringContaining('not online'),
    });
    await expect(admin.consumeMessageDirectly(group, 'ghost', sent.offsetMsgId)).rejects.toMatchObject({
      code: 'SYSTEM_ERROR',
    });
  });

  it('resendDlq sends dead letters back to their topic intact, once, and again only when asked', async () => {
    const group = randomGroup();
    const orig = randomTopic();
    const dlq = `%DLQ%${group}`;
    await createTopic(orig, 2);
    await createTopic(dlq, 1);
    const deadLetter = (i: number) => ({
      topic: dlq,
      body: `order ${i}`,
      tags: 'Created',
      keys: [`order-${i}`, 'batch-7'],
      properties: {
        RETRY_TOPIC: orig,
        ORIGIN_MESSAGE_ID: `ORIG${i}`,
        RECONSUME_TIME: '17',
        tenant: 'acme',
      },
    });
    for (let i = 0; i < 3; i++) await producer.send(deadLetter(i));
    await producer.send({ topic: dlq, body: 'no origin' });

    const first = await admin.resendDlq(group);
    expect(first).toMatchObject({ dlqTopic: dlq, resent: 3, skipped: 1, byTopic: { [orig]: 3 } });
    expect(first.queues).toEqual([{ messageQueue: expect.objectContaining({ topic: dlq }), from: 0, to: 4 }]);
    const c = await consumer(randomGroup());
    const replayed = [...(await drainTopic(c, orig)).values()].flat();
    expect(replayed.map((m) => m.body.toString()).sort()).toEqual(['order 0', 'order 1', 'order 2']);
    for (const m of replayed) {
      const i = m.body.toString().slice(6);
      expect([m.topic, m.tags, m.keys]).toEqual([orig, 'Created', [`order-${i}`, 'batch-7']]);
      expect(m.properties.tenant).toBe('acme');
      for (const p of ['RETRY_TOPIC', 'ORIGIN_MESSAGE_ID', 'RECONSUME_TIME'])
        expect(m.properties[p]).toBeUndefined();
    }

    // Nothing new: nothing sent. One new dead letter: only it.
    expect(await admin.resendDlq(group)).toMatchObject({ resent: 0, skipped: 0 });
    await producer.send(deadLetter(3));
    expect(await admin.resendDlq(group)).toMatchObject({ resent: 1, byTopic: { [orig]: 1 } });
    // Asked to, it sends every dead letter again.
    expect(await admin.resendDlq(group, { ignoreCheckpoint: true })).toMatchObject({ resent: 4, skipped: 1 });
    const total = [...(await drainTopic(c, orig)).values()].flat();
    expect(total).toHaveLength(3 + 1 + 4);
    // A group without dead letters has nothing to resend.
    expect(await admin.resendDlq(randomGroup())).toMatchObject({ resent: 0, queues: [] });
  });
});
