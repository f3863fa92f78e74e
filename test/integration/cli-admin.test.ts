import { existsSync, readFileSync } from 'node:fs';
import { RemotingClient, silentLogger } from '@rocketts/client';
import {
  createRequest,
  CURRENT_VERSION_DESC,
  parseBody,
  RequestCode,
  UpdateConsumerOffsetRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCli, closedPort, eventually, field, tableRows } from '../helpers/admin-cli';
import { startBroker, startNamesrv, type ProcHandle } from '../helpers/cluster';
import { randomName, randomTopic, tmpStoreDir } from '../helpers/tmp';

const CLUSTER = 'TestCluster';
const BROKER_NAME = 'broker-a';

describe('rocketts admin against a real name server and broker', () => {
  const dirs = tmpStoreDir('rocketts-cli-admin-');
  let ns: ProcHandle;
  let broker: ProcHandle;

  const { run: admin, ok } = adminCli(dirs.dir);
  const raw = new RemotingClient({ logger: silentLogger });
  /** One request straight to the broker, to see its state. */
  const brokerCall = (code: number, ext?: Record<string, string>): Promise<RemotingCommand> =>
    raw.invoke(broker.addr, createRequest(code, ext), 5000);

  async function createTopic(topic: string, queues: number): Promise<void> {
    const q = String(queues);
    await ok('updateTopic', '-n', ns.addr, '-c', CLUSTER, '-t', topic, '-r', q, '-w', q);
    await eventually(async () => expect(await ok('topicList', '-n', ns.addr)).toContain(`${topic}\n`));
  }

  beforeAll(async () => {
    ns = await startNamesrv(dirs.dir);
    broker = await startBroker({ namesrv: ns.addr, storeDir: `${dirs.dir}/broker`, brokerName: BROKER_NAME });
  });

  afterAll(async () => {
    raw.shutdown();
    await broker?.stop();
    await ns?.stop();
    dirs.cleanup();
  });

  it('lists the verbs with `help` and with no verb', async () => {
    for (const args of [['help'], []]) {
      const out = await ok(...args);
      for (const verb of ['updateTopic', 'topicList', 'topicRoute', 'topicStatus', 'clusterList'])
        expect(out).toMatch(new RegExp(`^ +${verb} +\\S`, 'm'));
      for (const verb of [
        'queryMsgById',
        'queryMsgByKey',
        'queryMsgByUniqueKey',
        'sendMessage',
        'consumeMessage',
        'deleteTopic',
        'brokerStatus',
        'updateSubGroup',
        'deleteSubGroup',
        'consumerProgress',
        'consumerConnection',
        'producerConnection',
        'consumerStatus',
        'resetOffsetByTime',
        'resendDlq',
      ])
        expect(out).toMatch(new RegExp(`^ +${verb} +\\S`, 'm'));
    }
    expect(await ok('help', 'sendMessage')).toMatch(/^usage: rocketts admin sendMessage .*-t <topic>/);
  });

  it('updateTopic creates a topic that topicList and topicRoute then show with its queue counts', async () => {
    const topic = randomTopic();
    const out = await ok('updateTopic', '-n', ns.addr, '-c', CLUSTER, '-t', topic, '-r', '3', '-w', '5');
    expect(out).toContain(`create topic to ${broker.addr} success.\n`);
    expect(out).toContain(`TopicConfig [topicName=${topic}, readQueueNums=3, writeQueueNums=5, perm=RW-`);

    const list = await eventually(async () => {
      const l = await ok('topicList', '-n', ns.addr);
      expect(l.split('\n')).toContain(topic);
      return l;
    });
    expect(list.split('\n')).toContain('TBW102');

    const route = JSON.parse(await ok('topicRoute', '-n', ns.addr, '-t', topic));
    expect(route.queueDatas).toEqual([
      { brokerName: BROKER_NAME, perm: 6, readQueueNums: 3, topicSysFlag: 0, writeQueueNums: 5 },
    ]);
    expect(route.brokerDatas).toEqual([
      { brokerAddrs: { '0': broker.addr }, brokerName: BROKER_NAME, cluster: CLUSTER },
    ]);

    // -b updates one broker by address; the route follows.
    expect(
      await ok('updateTopic', '-n', ns.addr, '-b', broker.addr, '-t', topic, '-w', '2', '-r', '2'),
    ).toContain(`create topic to ${broker.addr} success.`);
    await eventually(async () => {
      const r = JSON.parse(await ok('topicRoute', '-n', ns.addr, '-t', topic));
      expect(r.queueDatas[0]).toMatchObject({ readQueueNums: 2, writeQueueNums: 2 });
    });
  });

  it('sendMessage then consumeMessage round-trips a body; topicStatus shows the max offsets', async () => {
    const topic = randomTopic();
    await createTopic(topic, 4);
    const body = `héllo ${randomName('body')}`;

    const sent = await ok('sendMessage', '-n', ns.addr, '-t', topic, '-p', body, '-c', 'TagA', '-k', 'k1');
    expect(sent.split('\n')[0]).toMatch(/^#Broker Name +#QID +#Send Result +#MsgId$/);
    const [row] = tableRows(sent);
    expect(row?.slice(0, 3)).toEqual([BROKER_NAME, expect.stringMatching(/^[0-3]$/), 'SEND_OK']);
    const msgId = row?.[3] as string;
    expect(msgId).toMatch(/^[0-9A-F]{32}$/);

    // Two more into another queue, chosen with -b/-i.
    const firstQ = Number(row?.[1]);
    const q = String((firstQ + 1) % 4);
    for (const n of [1, 2]) {
      const r = await ok(
        'sendMessage',
        '-n',
        ns.addr,
        '-t',
        topic,
        '-p',
        `q-${n}`,
        '-b',
        BROKER_NAME,
        '-i',
        q,
      );
      expect(tableRows(r)[0]?.slice(0, 3)).toEqual([BROKER_NAME, q, 'SEND_OK']);
    }

    const consumed = await ok('consumeMessage', '-n', ns.addr, '-t', topic);
    expect(consumed).toContain(
      `MSGID: ${msgId} BROKER: ${BROKER_NAME} QID: ${firstQ} OFFSET: 0 BODY: ${body}\n`,
    );
    expect(consumed).toMatch(
      new RegExp(`QID: ${q} OFFSET: 0 BODY: q-1\n.*QID: ${q} OFFSET: 1 BODY: q-2\n`, 's'),
    );
    expect(consumed).toContain('Consumed 3 messages.');

    // One queue from an offset, and a count limit.
    const one = await ok('consumeMessage', '-n', ns.addr, '-t', topic, '-b', BROKER_NAME, '-i', q, '-o', '1');
    expect(one).toMatch(
      new RegExp(`^MSGID: \\S+ BROKER: broker-a QID: ${q} OFFSET: 1 BODY: q-2\nConsumed 1 message\\.\n$`),
    );
    expect(await ok('consumeMessage', '-n', ns.addr, '-t', topic, '-c', '2')).toContain(
      'Consumed 2 messages.',
    );

    const status = await ok('topicStatus', '-n', ns.addr, '-t', topic);
    expect(status.split('\n')[0]).toMatch(/^#Broker Name +#QID +#Min Offset +#Max Offset +#Last Updated$/);
    const rows = tableRows(status);
    expect(rows.map((r) => r.slice(0, 4))).toEqual(
      [0, 1, 2, 3].map((i) => [
        BROKER_NAME,
        String(i),
        '0',
        String(i === firstQ ? 1 : String(i) === q ? 2 : 0),
      ]),
    );
    expect(rows.find((r) => r[1] === q)?.[4]).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(rows.find((r) => r[3] === '0')?.[4]).toBeUndefined();
  });

  it('queryMsgByKey, queryMsgByUniqueKey and queryMsgById find a sent message', async () => {
    const topic = randomTopic();
    await createTopic(topic, 2);
    const key = randomName('key');
    const body = `query me ${key}`;
    const sent = await ok(
      'sendMessage',
      '-n',
      ns.addr,
      '-t',
      topic,
      '-p',
      body,
      '-k',
      `${key} other`,
      '-c',
      'TagQ',
    );
    const [, qid, , msgId] = tableRows(sent)[0] ?? [];

    const byKey = await eventually(async () => {
      const out = await ok('queryMsgByKey', '-n', ns.addr, '-t', topic, '-k', key);
      expect(tableRows(out)).toHaveLength(1);
      return out;
    });
    expect(byKey.split('\n')[0]).toMatch(/^#Message ID +#QID +#Offset$/);
    expect(tableRows(byKey)[0]).toEqual([msgId, qid, '0']);
    expect(tableRows(await ok('queryMsgByKey', '-n', ns.addr, '-t', topic, '-k', 'absent-key'))).toEqual([]);

    const byUniq = await ok('queryMsgByUniqueKey', '-n', ns.addr, '-t', topic, '-i', msgId as string);
    expect(field(byUniq, 'Unique Key')).toBe(msgId);
    expect(field(byUniq, 'Topic')).toBe(topic);
    expect(field(byUniq, 'Tags')).toBe('[TagQ]');
    expect(field(byUniq, 'Keys')).toBe(`[${key} other]`);
    expect(field(byUniq, 'Queue ID')).toBe(qid);
    expect(field(byUniq, 'Queue Offset')).toBe('0');
    expect(field(byUniq, 'Store Host')).toBe(broker.addr);
    expect(field(byUniq, 'Message Body')).toBe(body);
    const offsetMsgId = field(byUniq, 'OffsetID') as string;
    expect(offsetMsgId).toMatch(/^[0-9A-F]{32}$/);

    const byId = await ok('queryMsgById', '-n', ns.addr, '-i', offsetMsgId);
    expect(field(byId, 'OffsetID')).toBe(offsetMsgId);
    expect(field(byId, 'Unique Key')).toBe(msgId);
    expect(field(byId, 'CommitLog Offset')).toBe(field(byUniq, 'CommitLog Offset'));
    expect(field(byId, 'Message Body')).toBe(body);
    expect(field(byId, 'Properties')).toContain(`UNIQ_KEY=${msgId}`);
    // The body file, as mqadmin writes it, lands in the temp directory.
    const bodyPath = field(byId, 'Message Body Path') as string;
    expect(bodyPath.startsWith(dirs.dir)).toBe(true);
    expect(existsSync(bodyPath) && readFileSync(bodyPath, 'utf8')).toBe(body);

    const missing = await admin('queryMsgByUniqueKey', '-n', ns.addr, '-t', topic, '-i', '0'.repeat(32));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^rocketts admin queryMsgByUniqueKey: no message with unique key 0+ in topic/,
    );
  });

  it('clusterList shows the broker with its version and today’s totals', async () => {
    const out = await ok('clusterList', '-n', ns.addr);
    expect(out.split('\n')[0]).toMatch(
      /^#Cluster Name +#Broker Name +#BID +#Addr +#Version +#InTPS +#OutTPS/,
    );
    const row = tableRows(out).find((r) => r[1] === BROKER_NAME);
    expect(row?.slice(0, 5)).toEqual([CLUSTER, BROKER_NAME, '0', broker.addr, CURRENT_VERSION_DESC]);
    expect(Number(row?.[7])).toBeGreaterThanOrEqual(0);
  });

  it('deleteTopic removes a topic from the broker and the name server', async () => {
    const topic = randomTopic();
    await createTopic(topic, 2);
    await ok('sendMessage', '-n', ns.addr, '-t', topic, '-p', 'doomed');
    expect(await ok('deleteTopic', '-n', ns.addr, '-t', topic, '-c', CLUSTER)).toBe(
      `delete topic [${topic}] from cluster [${CLUSTER}] success.\n` +
        `delete topic [${topic}] from NameServer success.\n`,
    );
    expect((await ok('topicList', '-n', ns.addr)).split('\n')).not.toContain(topic);
    const route = await admin('topicRoute', '-n', ns.addr, '-t', topic);
    expect(route.code).toBe(1);
    expect(route.stderr).toContain('TOPIC_NOT_EXIST');
    const all = parseBody((await brokerCall(RequestCode.GET_ALL_TOPIC_CONFIG)).body, 'topics');
    expect(Object.keys(all.topicConfigTable as object)).not.toContain(topic);
  });

  it('brokerStatus prints the runtime table of a broker, or of each broker of a cluster', async () => {
    const out = await ok('brokerStatus', '-n', ns.addr, '-b', broker.addr);
    expect(out).toMatch(new RegExp(`^brokerVersionDesc +: ${CURRENT_VERSION_DESC}$`, 'm'));
    expect(out).toMatch(/^msgPutTotalTodayNow +: \d+$/m);
    const keys = out
      .trim()
      .split('\n')
      .map((l) => l.split(':')[0]?.trim() ?? '');
    expect(keys).toEqual([...keys].sort());
    expect(await ok('brokerStatus', '-n', ns.addr, '-c', CLUSTER)).toMatch(
      new RegExp(`^${broker.addr.replace(/\./g, '\\.')} +brokerActive +: true$`, 'm'),
    );
    expect((await admin('brokerStatus', '-n', ns.addr)).code).toBe(2);
  });

  it('updateSubGroup writes a group config; deleteSubGroup -r true removes it and its offsets', async () => {
    const group = randomName('Group');
    const created = await ok(
      'updateSubGroup',
      '-n',
      ns.addr,
      '-c',
      CLUSTER,
      '-g',
      group,
      '-r',
      '5',
      '-q',
      '2',
    );
    expect(created).toContain(`create subscription group to ${broker.addr} success.\n`);
    expect(created).toMatch(
      new RegExp(`^SubscriptionGroupConfig\\{groupName=${group}, .*retryQueueNums=2, retryMaxTimes=5,`, 'm'),
    );
    const groups = async () =>
      parseBody((await brokerCall(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body, 'groups')
        .subscriptionGroupTable as Record<string, Record<string, unknown>>;
    expect((await groups())[group]).toMatchObject({
      retryMaxTimes: 5,
      retryQueueNums: 2,
      consumeBroadcastEnable: false,
    });

    const topic = randomTopic();
    await createTopic(topic, 1);
    await brokerCall(
      RequestCode.UPDATE_CONSUMER_OFFSET,
      UpdateConsumerOffsetRequestHeader.encode({ consumerGroup: group, topic, queueId: 0, commitOffset: 0 }),
    );
    const offsets = async () =>
      Object.keys(
        parseBody((await brokerCall(RequestCode.GET_ALL_CONSUMER_OFFSET)).body, 'o').offsetTable as object,
      );
    expect(await offsets()).toContain(`${topic}@${group}`);
    expect(await ok('deleteSubGroup', '-n', ns.addr, '-b', broker.addr, '-g', group, '-r', 'true')).toBe(
      `delete subscription group [${group}] from broker [${broker.addr}] success.\n`,
    );
    expect((await groups())[group]).toBeUndefined();
    expect(await offsets()).not.toContain(`${topic}@${group}`);
  });

  it('a missing required flag exits 2 naming it, with the verb usage', async () => {
    const r = await admin('topicRoute', '-n', ns.addr);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rocketts admin topicRoute: missing required option -t <topic>\n/);
    expect(r.stderr).toContain('usage: rocketts admin topicRoute -n <namesrvAddr> -t <topic>');

    const noNs = await admin('topicList');
    expect(noNs.code).toBe(2);
    expect(noNs.stderr).toMatch(/missing required option -n <namesrvAddr> \(or set \$NAMESRV_ADDR\)/);

    const both = await admin('updateTopic', '-n', ns.addr, '-t', randomTopic());
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give exactly one of -c <clusterName> and -b <brokerAddr>');

    for (const args of [
      ['topicList', '-n', ns.addr, '--bogus', 'x'],
      ['updateTopic', '-n', ns.addr, '-c', CLUSTER, '-t', randomTopic(), '-r', 'many'],
      ['nosuchVerb'],
    ])
      expect((await admin(...args)).code, args.join(' ')).toBe(2);
  });

  it('an unreachable name server exits 1 with one clear line, not a stack trace', async () => {
    const addr = `127.0.0.1:${await closedPort()}`;
    for (const args of [
      ['topicList', '-n', addr],
      ['sendMessage', '-n', addr, '-t', randomTopic(), '-p', 'x'],
    ]) {
      const r = await admin(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(`^rocketts admin ${args[0]} failed: .*${addr}.*ECONNREFUSED.*\\n$`),
      );
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
