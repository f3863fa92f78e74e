/*
 * Delay levels, the schedule service, CONSUMER_SEND_MSG_BACK, %RETRY% and %DLQ% topics (§11),
 * driven with raw remoting requests against an in-process broker whose delay levels are seconds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@rocketts/client';
import {
  CreateTopicRequestHeader,
  createRequest,
  decodeKvTable,
  decodeTopicConfigWrapper,
  decodeTopicList,
  parseJavaJson,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  type ConsumerSendMsgBackRequestHeader,
  type MessageExt,
} from '@rocketts/protocol';
import { BrokerController, resolveBrokerConfig } from '../../broker/src';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { randomGroup, randomName, randomTopic, tmpStoreDir } from '../helpers/tmp';
import { commitLogOffsetOf, eventually, ok, sleep, Wire } from '../helpers/wire';

/** Levels 1–4 are one second, level 5 three: tests wait seconds, not the default 10 s … 2 h. */
const DELAY_LEVELS = '1s 1s 1s 1s 3s';
const LEVEL_5_MS = 3_000;

function brokerConfig(dir: string): ReturnType<typeof resolveBrokerConfig> {
  return resolveBrokerConfig({
    listenPort: 0,
    bindAddress: '127.0.0.1',
    brokerIP1: '127.0.0.1',
    brokerName: 'retry-b',
    storePathRootDir: dir,
    messageDelayLevel: DELAY_LEVELS,
    metricsPort: 0,
  });
}

describe('delayed messages, retries and dead letters', () => {
  const dir = tmpStoreDir();
  let broker: BrokerController;
  let wire: Wire;
  let metricsPort: number;

  beforeAll(async () => {
    broker = new BrokerController(brokerConfig(dir.dir), silentLogger);
    const info = await broker.start();
    wire = new Wire(info.addr);
    metricsPort = info.metricsPort as number;
  });

  afterAll(async () => {
    wire.client.shutdown();
    await broker.shutdown();
    dir.cleanup();
  });

  it('holds a message with DELAY=1 in SCHEDULE_TOPIC_XXXX for the level delay, then delivers it', async () => {
    const topic = randomTopic();
    const uniq = randomName('UNIQ');
    const sent = ok(
      await wire.send(topic, 'later', { props: { TAGS: 'TagL', KEYS: 'k1', DELAY: '1', UNIQ_KEY: uniq } }),
    );
    const t0 = Date.now();
    expect(sent.extFields?.queueId).toBe('0');
    expect(await wire.pull(topic)).toEqual([]);
    // Meanwhile it sits in queue 0 (level 1) of the schedule topic, with its real address.
    const held = (await wire.pull('SCHEDULE_TOPIC_XXXX', 0)).filter((m) => m.properties.UNIQ_KEY === uniq);
    expect(held).toHaveLength(1);
    expect(held[0]?.properties).toMatchObject({ REAL_TOPIC: topic, REAL_QID: '0', DELAY: '1' });
    expect(held[0]?.offsetMsgId).toBe(sent.extFields?.msgId);

    const [delivered] = await eventually(async () => {
      const got = await wire.pull(topic);
      expect(got).toHaveLength(1);
      return got;
    });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    const m = delivered as MessageExt;
    expect(m.body.toString()).toBe('later');
    expect(m.properties.UNIQ_KEY).toBe(uniq);
    expect(m.properties.DELAY).toBeUndefined();
    expect(m.tags).toBe('TagL');
    expect(m.keys).toEqual(['k1']);
    expect(m.offsetMsgId).not.toBe(sent.extFields?.msgId);
    // Its consume-queue entry carries the tag's hash again: a tag subscription finds it.
    expect(await wire.pull(topic, 0, 'TagL')).toHaveLength(1);
    expect(await wire.pull(topic, 0, 'Other')).toHaveLength(0);
    expect(await wire.delayOffsets()).toMatch(/^\{"offsetTable":\{1:\d+/);
  });

  it('clamps a DELAY above the table to the highest level and refuses a DELAY that is not a number', async () => {
    const topic = randomTopic();
    ok(await wire.send(topic, 'clamped', { props: { DELAY: '99' } }));
    const held = (await wire.pull('SCHEDULE_TOPIC_XXXX', 4)).filter((m) => m.properties.REAL_TOPIC === topic);
    expect(held.map((m) => m.properties.DELAY)).toEqual(['5']);
    const bad = await wire.send(topic, 'bad', { props: { DELAY: 'soon' } });
    expect(bad.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(bad.remark).toMatch(/DELAY/);
  });

  it('CONSUMER_SEND_MSG_BACK: a retried copy in %RETRY%<group> after the level delay, then the DLQ at the limit', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    const retryTopic = `%RETRY%${group}`;
    const dlqTopic = `%DLQ%${group}`;
    const uniq = randomName('UNIQ');
    const sent = ok(await wire.send(topic, 'fails', { props: { TAGS: 'TagF', UNIQ_KEY: uniq } }));
    const originId = sent.extFields?.msgId as string;

    // First failure: delayLevel 0 → level 3 + 0 (one second here).
    const header = (offset: number): ConsumerSendMsgBackRequestHeader => ({
      offset,
      group,
      delayLevel: 0,
      originMsgId: originId,
      originTopic: topic,
      unitMode: false,
      maxReconsumeTimes: 2,
    });
    ok(await wire.sendBack(header(commitLogOffsetOf(sent))));
    const t0 = Date.now();
    expect(broker.ctx.topics.get(retryTopic)).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    expect(await wire.pull(retryTopic)).toEqual([]);
    const first = await eventually(async () => {
      const got = await wire.pull(retryTopic);
      expect(got).toHaveLength(1);
      return got[0] as MessageExt;
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(first.reconsumeTimes).toBe(1);
    expect(first.body.toString()).toBe('fails');
    expect(first.tags).toBe('TagF');
    expect(first.properties).toMatchObject({
      RETRY_TOPIC: topic,
      ORIGIN_MESSAGE_ID: originId,
      UNIQ_KEY: uniq,
      WAIT: 'false',
      REAL_TOPIC: retryTopic,
    });
    expect(first.properties.DELAY).toBeUndefined();

    // Second failure, of the retried copy: reconsumeTimes 1 < 2 → retried again.
    ok(await wire.sendBack(header(first.commitLogOffset)));
    const second = await eventually(async () => {
      const got = await wire.pull(retryTopic);
      expect(got).toHaveLength(2);
      return got[1] as MessageExt;
    });
    expect(second.reconsumeTimes).toBe(2);
    expect(second.properties).toMatchObject({ RETRY_TOPIC: topic, ORIGIN_MESSAGE_ID: originId });

    // Third failure: reconsumeTimes 2 ≥ maxReconsumeTimes 2 → %DLQ%<group>, at once.
    expect(broker.ctx.topics.get(dlqTopic)).toBeUndefined();
    ok(await wire.sendBack(header(second.commitLogOffset)));
    const dead = await wire.pull(dlqTopic);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reconsumeTimes).toBe(3);
    expect(dead[0]?.body.toString()).toBe('fails');
    expect(dead[0]?.properties).toMatchObject({
      RETRY_TOPIC: topic,
      ORIGIN_MESSAGE_ID: originId,
      UNIQ_KEY: uniq,
    });
    expect(dead[0]?.properties.DELAY).toBeUndefined();
    expect(broker.ctx.topics.get(dlqTopic)).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await sleep(1500);
    expect(await wire.pull(retryTopic)).toHaveLength(2);
  });

  it("CONSUMER_SEND_MSG_BACK: a negative level, or the group's retryMaxTimes, sends to the DLQ; an unknown offset is refused", async () => {
    const topic = randomTopic();
    const sent = ok(await wire.send(topic, 'x'));
    const offset = commitLogOffsetOf(sent);
    const group = randomGroup();
    ok(await wire.sendBack({ offset, group, delayLevel: -1 }));
    expect(await wire.pull(`%DLQ%${group}`)).toHaveLength(1);

    // No maxReconsumeTimes in the request: the group's retryMaxTimes (0 here) is the limit.
    const strict = randomGroup();
    ok(
      await wire.invoke(
        createRequest(
          RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
          undefined,
          Buffer.from(JSON.stringify({ groupName: strict, retryMaxTimes: 0 })),
        ),
      ),
    );
    ok(await wire.sendBack({ offset, group: strict, delayLevel: 0 }));
    expect(await wire.pull(`%DLQ%${strict}`)).toHaveLength(1);

    const missing = await wire.sendBack({ offset: offset + 1, group, delayLevel: 0 });
    expect(missing).toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: `look message by offset failed, ${offset + 1}`,
    });
  });

  it('routes a direct send to %RETRY%<group> past the reconsume limit to %DLQ%<group> queue 0', async () => {
    const group = randomGroup();
    const retryTopic = `%RETRY%${group}`;
    const dlqTopic = `%DLQ%${group}`;
    // reconsumeTimes 3 > maxReconsumeTimes 2: dead letter, not delayed even though DELAY is set.
    const dead = ok(
      await wire.send(retryTopic, 'too many', {
        props: { RETRY_TOPIC: 'Orig', DELAY: '3' },
        reconsumeTimes: 3,
        maxReconsumeTimes: 2,
      }),
    );
    expect(dead.extFields?.queueId).toBe('0');
    const inDlq = await wire.pull(dlqTopic);
    expect(inDlq.map((m) => m.body.toString())).toEqual(['too many']);
    expect(inDlq[0]?.reconsumeTimes).toBe(3);
    // Equal to the limit is not past it: stored in the retry topic, its DELAY honoured.
    ok(
      await wire.send(retryTopic, 'at the limit', {
        props: { RETRY_TOPIC: 'Orig', DELAY: '1' },
        reconsumeTimes: 2,
        maxReconsumeTimes: 2,
      }),
    );
    expect(await wire.pull(retryTopic)).toEqual([]);
    const retried = await eventually(async () => {
      const got = await wire.pull(retryTopic);
      expect(got).toHaveLength(1);
      return got;
    });
    expect(retried[0]?.body.toString()).toBe('at the limit');
    expect(retried[0]?.reconsumeTimes).toBe(2);
    // Without `l` the group's retryMaxTimes (16) applies.
    ok(await wire.send(retryTopic, 'seventeenth', { reconsumeTimes: 17 }));
    expect((await wire.pull(dlqTopic)).map((m) => m.body.toString())).toEqual(['too many', 'seventeenth']);
    const batch = await wire.invoke(
      createRequest(
        RequestCode.SEND_BATCH_MESSAGE,
        SendMessageRequestHeaderV2.encode({
          producerGroup: 'pg',
          topic: retryTopic,
          defaultTopic: 'TBW102',
          defaultTopicQueueNums: 1,
          queueId: 0,
          sysFlag: 0,
          bornTimestamp: Date.now(),
          flag: 0,
          batch: true,
        }),
        Buffer.alloc(0),
      ),
    );
    expect(batch).toMatchObject({
      code: ResponseCode.MESSAGE_ILLEGAL,
      remark: `batch request does not support retry group ${retryTopic}`,
    });
  });

  it('shows SCHEDULE_TOPIC_XXXX as a system topic with one queue per level, and refuses to let clients own it', async () => {
    const all = await wire.invoke(createRequest(RequestCode.GET_ALL_TOPIC_CONFIG));
    expect(decodeTopicConfigWrapper(parseJavaJson(all.body as Buffer)).topicConfigTable).toHaveProperty(
      'SCHEDULE_TOPIC_XXXX',
      expect.objectContaining({ readQueueNums: 5, writeQueueNums: 5, perm: 6 }),
    );
    const system = await wire.invoke(createRequest(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER));
    expect(decodeTopicList(system.body)).toContain('SCHEDULE_TOPIC_XXXX');
    const sendToIt = await wire.send('SCHEDULE_TOPIC_XXXX', 'x');
    expect(sendToIt.code).toBe(ResponseCode.NO_PERMISSION);
    const create = await wire.invoke(
      createRequest(
        RequestCode.UPDATE_AND_CREATE_TOPIC,
        CreateTopicRequestHeader.encode({
          topic: 'SCHEDULE_TOPIC_XXXX',
          defaultTopic: 'TBW102',
          readQueueNums: 1,
          writeQueueNums: 1,
          perm: 6,
          topicFilterType: 'SINGLE_TAG',
          order: false,
        }),
      ),
    );
    expect(create).toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: 'The topic[SCHEDULE_TOPIC_XXXX] is conflict with system topic.',
    });
    expect(broker.ctx.topics.get('SCHEDULE_TOPIC_XXXX')?.readQueueNums).toBe(5);

    const info = decodeKvTable((await wire.invoke(createRequest(RequestCode.GET_BROKER_RUNTIME_INFO))).body);
    expect(info.scheduleMessageOffset_1).toMatch(/^\d+,\d+$/);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^rocketts_broker_schedule_backlog\{[^}]*level="5"\} \d+$/m);
    expect(metrics).toMatch(/^rocketts_broker_schedule_delivered_total\{[^}]*\} [1-9]\d*$/m);
    const config = (await wire.invoke(createRequest(RequestCode.GET_BROKER_CONFIG))).body?.toString();
    expect(config).toContain(`messageDelayLevel=${DELAY_LEVELS}`);
  });
});

describe('delay cursors across a clean restart', () => {
  const dir = tmpStoreDir();
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });
  afterAll(() => dir.cleanup());

  it('delivers what was due before the stop once, and what was not due after the restart', async () => {
    const topic = randomTopic();
    let broker = new BrokerController(brokerConfig(dir.dir), silentLogger);
    const wire = new Wire((await broker.start()).addr);
    stops.push(async () => wire.client.shutdown());
    ok(await wire.send(topic, 'early', { props: { DELAY: '1' } }));
    ok(await wire.send(topic, 'late', { props: { DELAY: '5' } }));
    const t0 = Date.now();
    await eventually(async () =>
      expect((await wire.pull(topic)).map((m) => m.body.toString())).toEqual(['early']),
    );
    await broker.shutdown();
    const saved = join(dir.dir, 'config', 'delayOffset.json');
    expect(existsSync(saved)).toBe(true);
    expect(readFileSync(saved, 'utf8')).toMatch(/\{1:1,.*5:0\}/);

    broker = new BrokerController(brokerConfig(dir.dir), silentLogger);
    wire.addr = (await broker.start()).addr;
    stops.push(() => broker.shutdown());
    await eventually(async () =>
      expect((await wire.pull(topic)).map((m) => m.body.toString())).toEqual(['early', 'late']),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LEVEL_5_MS - 100);
    // Time for a wrongly repeated delivery of either to show up.
    await sleep(1500);
    expect((await wire.pull(topic)).map((m) => m.body.toString())).toEqual(['early', 'late']);
    expect(await wire.delayOffsets()).toMatch(/1:1,.*5:1\}/);
  });
});

describe('delay cursors across kill -9 of a broker process', () => {
  const dir = tmpStoreDir('rocketts-delay-crash-');
  const stops: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
    dir.cleanup();
  });

  it('loses no delayed message; one delivered just before the crash may be delivered again', async () => {
    const ns = await startNamesrv(dir.dir);
    stops.push(() => ns.stop());
    const storeDir = join(dir.dir, 'broker');
    const conf = { messageDelayLevel: DELAY_LEVELS };
    let proc: ProcHandle = await startBroker({ namesrv: ns.addr, storeDir, conf });
    stops.push(() => proc.stop());
    const wire = new Wire(proc.addr);
    stops.push(async () => wire.client.shutdown());
    const topic = randomTopic();
    ok(await wire.send(topic, 'before-crash', { props: { DELAY: '1' } }));
    ok(await wire.send(topic, 'after-crash', { props: { DELAY: '5' } }));
    await eventually(async () => expect(await wire.pull(topic)).toHaveLength(1));
    // Cursors are saved every flushDelayOffsetInterval (10 s): this one is not yet.
    await proc.kill();
    proc = await startBroker({ namesrv: ns.addr, storeDir, conf, port: proc.port });
    await eventually(async () => {
      const bodies = (await wire.pull(topic)).map((m) => m.body.toString());
      expect(bodies).toContain('after-crash');
    });
    await sleep(1500);
    const bodies = (await wire.pull(topic)).map((m) => m.body.toString());
    expect(bodies.filter((b) => b === 'after-crash')).toHaveLength(1);
    expect(bodies.filter((b) => b === 'before-crash').length).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
