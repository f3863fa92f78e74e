import { Producer, PullConsumer, silentLogger } from '@rocketts/client';
import {
  createResponse,
  encodeConsumerRunningInfo,
  RequestCode,
  ResponseCode,
  type MessageQueue,
} from '@rocketts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCli, eventually, tableRows } from '../helpers/admin-cli';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { drainQueue, drainTopic } from '../helpers/drain';
import { randomGroup, randomTopic, tmpStoreDir } from '../helpers/tmp';
import { consumerHeartbeat, rawGroupMember, type ServerRequestHandlers } from '../helpers/wire';

const CLUSTER = 'TestCluster';
const BROKER_NAME = 'broker-a';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The consumption verbs of `rocketts admin` against a name server and broker started as processes. */
describe('rocketts admin consumption verbs', () => {
  const dirs = tmpStoreDir('rocketts-cli-consumption-');
  const { run, ok } = adminCli(dirs.dir);
  let ns: ProcHandle;
  let broker: ProcHandle;
  let producer: Producer;
  const closers: (() => unknown)[] = [];

  const consumer = async (group: string): Promise<PullConsumer> => {
    const c = new PullConsumer({ namesrvAddr: ns.addr, consumerGroup: group, logger: silentLogger });
    await c.start();
    closers.push(() => c.shutdown());
    return c;
  };
  const member = async (
    clientId: string,
    group: string,
    topic: string,
    handlers: ServerRequestHandlers = {},
  ): Promise<void> => {
    const hb = consumerHeartbeat(clientId, group, topic, 'TagA || TagB', 'CONSUME_FROM_FIRST_OFFSET');
    const raw = await rawGroupMember(broker.addr, hb, handlers);
    closers.push(() => raw.shutdown());
  };
  const createTopic = async (topic: string, queues: number): Promise<void> => {
    const q = String(queues);
    await ok('updateTopic', '-n', ns.addr, '-c', CLUSTER, '-t', topic, '-r', q, '-w', q);
    await eventually(async () => expect(await ok('topicList', '-n', ns.addr)).toContain(`${topic}\n`));
  };
  /** The footer lines `Label: value` of consumerProgress. */
  const total = (out: string, label: string): string | undefined =>
    out
      .split('\n')
      .find((l) => l.startsWith(`${label}: `))
      ?.slice(label.length + 2);

  beforeAll(async () => {
    ns = await startNamesrv(dirs.dir);
    broker = await startBroker({ namesrv: ns.addr, storeDir: `${dirs.dir}/broker`, brokerName: BROKER_NAME });
    producer = new Producer({ namesrvAddr: ns.addr, producerGroup: randomGroup(), logger: silentLogger });
    await producer.start();
  });

  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    await producer?.shutdown();
    await broker?.stop();
    await ns?.stop();
    dirs.cleanup();
  });

  it('consumerProgress shows the lag per queue and in total, dropping as offsets are committed', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 2);
    for (let i = 0; i < 6; i++) await producer.send({ topic, body: `m${i}`, tags: 'TagA' });
    await member('10.2.0.1@progress', group, topic);

    const before = await ok('consumerProgress', '-n', ns.addr, '-g', group);
    expect(before.split('\n')[0]).toMatch(
      /^#Topic +#Broker Name +#QID +#Broker Offset +#Consumer Offset +#Diff +#Inflight +#LastTime$/,
    );
    const rows = (out: string) => tableRows(out.split('\n\n')[0] as string).filter((r) => r[0] === topic);
    expect(rows(before).map((r) => r.slice(1))).toEqual([
      [BROKER_NAME, '0', '3', '0', '3', '0', 'N/A'],
      [BROKER_NAME, '1', '3', '0', '3', '0', 'N/A'],
    ]);
    expect(tableRows(before.split('\n\n')[0] as string).map((r) => r[0])).toContain(`%RETRY%${group}`);
    expect(total(before, 'Consume Diff Total')).toBe('6');
    expect(total(before, 'Consume TPS')).toMatch(/^\d+\.\d\d$/);

    const c = await consumer(group);
    const [q0] = (await c.fetchSubscribeMessageQueues(topic)) as [MessageQueue];
    await c.commitOffset(q0, (await drainQueue(c, q0)).length);
    const after = await ok('consumerProgress', '-n', ns.addr, '-g', group, '-t', topic);
    expect(rows(after).map((r) => r.slice(1, 6))).toEqual([
      [BROKER_NAME, '0', '3', '3', '0'],
      [BROKER_NAME, '1', '3', '0', '3'],
    ]);
    // The store time of the last consumed message, to the second.
    expect(rows(after)[0]?.slice(7)).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d$/),
    ]);
    expect(total(after, 'Consume Diff Total')).toBe('3');
  });

  it('consumerConnection and producerConnection list the connected clients', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    await member('10.2.0.2@conn', group, topic);
    const out = await ok('consumerConnection', '-n', ns.addr, '-g', group);
    expect(out.split('\n')[0]).toMatch(/^#ClientId +#ClientAddr +#Language +#Version$/);
    expect(tableRows(out.split('\n\n')[0] as string)).toEqual([
      ['10.2.0.2@conn', expect.stringMatching(/^127\.0\.0\.1:\d+$/), 'JAVA', 'V4_9_8'],
    ]);
    expect(out).toMatch(new RegExp(`^${topic} +TagA \\|\\| TagB$`, 'm'));
    expect(out).toContain('ConsumeType: CONSUME_PASSIVELY\nMessageModel: CLUSTERING\n');
    expect(out).toContain('ConsumeFromWhere: CONSUME_FROM_FIRST_OFFSET\n');

    const none = await run('consumerConnection', '-n', ns.addr, '-g', randomGroup());
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/not online.*\[CONSUMER_NOT_ONLINE\]/);

    await producer.send({ topic, body: 'hello' });
    const pc = await ok('producerConnection', '-n', ns.addr, '-g', producer.producerGroup, '-t', topic);
    expect(pc).toMatch(
      new RegExp(
        `^0001  ${producer.clientId.replace(/[.#]/g, '\\$&')} +127\\.0\\.0\\.1:\\d+ +JAVA +V4_9_8$`,
        'm',
      ),
    );
  });

  it('resetOffsetByTime moves the stored offsets to a time given in ms or as yyyy-MM-dd#HH:mm:ss:SSS', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    for (let i = 0; i < 2; i++) await producer.send({ topic, body: `early${i}` });
    await sleep(30);
    const t = Date.now();
    await sleep(30);
    for (let i = 0; i < 3; i++) await producer.send({ topic, body: `late${i}` });
    const c = await consumer(group);
    const [mq] = (await c.fetchSubscribeMessageQueues(topic)) as [MessageQueue];
    await c.commitOffset(mq, 5);

    const out = await ok('resetOffsetByTime', '-n', ns.addr, '-g', group, '-t', topic, '-s', String(t));
    expect(out.split('\n')[0]).toBe(
      `start reset consumer offset by specified, group[${group}], topic[${topic}], force[true], ` +
        `timestamp(string)[${t}], timestamp(long)[${t}]`,
    );
    expect(tableRows(out.split('\n').slice(1).join('\n'))).toEqual([[BROKER_NAME, '0', '2']]);
    expect(await c.fetchConsumeOffset(mq)).toBe(2);

    const d = new Date(t - 10_000);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const text = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}#${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
    await ok('resetOffsetByTime', '-n', ns.addr, '-g', group, '-t', topic, '-s', text);
    expect(await c.fetchConsumeOffset(mq)).toBe(0);
    // Not forced, "now" does not move it forwards.
    await ok('resetOffsetByTime', '-n', ns.addr, '-g', group, '-t', topic, '-s', 'now', '-f', 'false');
    expect(await c.fetchConsumeOffset(mq)).toBe(0);
    const bad = await run('resetOffsetByTime', '-n', ns.addr, '-g', group, '-t', topic, '-s', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/-s <timestamp> must be now, ms since the epoch or yyyy-MM-dd#HH:mm:ss:SSS/);
  });

  it('consumerStatus prints what a connected client reports, and fails for one that is not online', async () => {
    const topic = randomTopic();
    const group = randomGroup();
    await createTopic(topic, 1);
    await member('10.2.0.3@status', group, topic, {
      [RequestCode.GET_CONSUMER_RUNNING_INFO]: (cmd) =>
        createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          undefined,
          encodeConsumerRunningInfo({
            properties: { PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY', PROP_THREADPOOL_CORE_SIZE: '20' },
            subscriptionSet: [],
            mqTable: [],
            statusTable: { [topic]: { pullTPS: 12.5, consumeOKTPS: 3 } },
          }),
        ),
    });
    const out = await ok('consumerStatus', '-n', ns.addr, '-g', group, '-i', '10.2.0.3@status');
    expect(out).toMatch(
      /^#Consumer Properties#\nPROP_CONSUME_TYPE +: CONSUME_PASSIVELY\nPROP_THREADPOOL_CORE_SIZE +: 20\n/,
    );
    expect(out).toMatch(new RegExp(`^${topic} +0\\.00 +12\\.50 +0\\.00 +3\\.00 +0\\.00$`, 'm'));
    const list = await ok('consumerStatus', '-n', ns.addr, '-g', group);
    expect(tableRows(list)).toEqual([['1', '10.2.0.3@status', 'V4_9_8', '0']]);

    const ghost = await run('consumerStatus', '-n', ns.addr, '-g', group, '-i', '10.9.9.9@ghost');
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/^rocketts admin consumerStatus failed: .*not online/);
  });

  it('resendDlq sends dead letters back once; a second run sends nothing, -a true sends them again', async () => {
    const group = randomGroup();
    const orig = randomTopic();
    await createTopic(orig, 1);
    await createTopic(`%DLQ%${group}`, 1);
    for (let i = 0; i < 2; i++)
      await producer.send({
        topic: `%DLQ%${group}`,
        body: `dead ${i}`,
        keys: `k${i}`,
        properties: { RETRY_TOPIC: orig, RECONSUME_TIME: '17' },
      });
    const first = await ok('resendDlq', '-n', ns.addr, '-g', group);
    expect(first.split('\n')[0]).toMatch(/^#Broker Name +#QID +#From Offset +#Checkpoint$/);
    expect(tableRows(first.split('\n\n')[0] as string)).toEqual([[BROKER_NAME, '0', '0', '2']]);
    expect(first).toMatch(new RegExp(`^${orig} +2$`, 'm'));
    expect(first).toContain(
      `Resent 2 dead letters of %DLQ%${group}; checkpoint group DLQ_REPLAY_${group}.\n`,
    );
    const c = await consumer(randomGroup());
    const back = [...(await drainTopic(c, orig)).values()].flat();
    expect(back.map((m) => [m.body.toString(), m.keys, m.properties.RETRY_TOPIC])).toEqual([
      ['dead 0', ['k0'], undefined],
      ['dead 1', ['k1'], undefined],
    ]);

    expect(await ok('resendDlq', '-n', ns.addr, '-g', group)).toContain(
      `Resent 0 dead letters of %DLQ%${group};`,
    );
    expect(await ok('resendDlq', '-n', ns.addr, '-g', group, '-a', 'true')).toContain(
      'Resent 2 dead letters',
    );
    expect([...(await drainTopic(c, orig)).values()].flat()).toHaveLength(4);
  });
});
