import type { ConsumerRunningInfo } from '@rocketts/protocol';
import { withAdmin } from './clients';
import { CommandError } from './command-error';
import { formatSeconds, formatTable, versionDesc } from './format';
import { defineVerb, NAMESRV_OPTION, type OptionSpec } from './verb';

const GROUP_OPTION: OptionSpec = {
  short: 'g',
  long: 'consumerGroup',
  arg: 'consumerGroup',
  description: 'consumer group name',
  required: true,
};

/** As ConsumerProgressSubCommand with -g: lag per queue on every broker, then the totals. */
export const consumerProgress = defineVerb({
  name: 'consumerProgress',
  description: 'Query consumer progress: lag per queue and in total',
  options: [
    NAMESRV_OPTION,
    GROUP_OPTION,
    {
      short: 't',
      long: 'topic',
      arg: 'topic',
      description: 'only this topic (default: every topic of the group)',
    },
  ],
  async run(args, io) {
    const group = args.required('consumerGroup');
    const topic = args.string('topic');
    const p = await withAdmin(args, (admin) => admin.consumerProgress(group, topic));
    io.out(
      formatTable(
        [
          '#Topic',
          '#Broker Name',
          '#QID',
          '#Broker Offset',
          '#Consumer Offset',
          '#Diff',
          '#Inflight',
          '#LastTime',
        ],
        p.queues.map((q) => [
          q.messageQueue.topic,
          q.messageQueue.brokerName,
          q.messageQueue.queueId,
          q.brokerOffset,
          q.consumerOffset,
          q.lag,
          q.inflight,
          q.lastTimestamp > 0 ? formatSeconds(q.lastTimestamp) : 'N/A',
        ]),
      ),
    );
    io.out(
      `\nConsume TPS: ${p.consumeTps.toFixed(2)}\nConsume Diff Total: ${p.totalLag}\n` +
        `Consume Inflight Total: ${p.totalInflight}\n`,
    );
  },
});

/** As ConsumerConnectionSubCommand: the group's clients, subscriptions and consume settings. */
export const consumerConnection = defineVerb({
  name: 'consumerConnection',
  description: "Query consumer's socket connection, client version and subscription",
  options: [NAMESRV_OPTION, GROUP_OPTION],
  async run(args, io) {
    const group = args.required('consumerGroup');
    const cc = await withAdmin(args, (admin) => admin.consumerConnection(group));
    io.out(
      formatTable(
        ['#ClientId', '#ClientAddr', '#Language', '#Version'],
        cc.connectionSet.map((c) => [c.clientId, c.clientAddr, c.language, versionDesc(c.version)]),
      ),
    );
    io.out('\nBelow is subscription:\n');
    io.out(
      formatTable(
        ['#Topic', '#SubExpression'],
        Object.values(cc.subscriptionTable).map((s) => [s.topic, s.subString]),
      ),
    );
    io.out(
      `\nConsumeType: ${cc.consumeType}\nMessageModel: ${cc.messageModel}\n` +
        `ConsumeFromWhere: ${cc.consumeFromWhere}\n`,
    );
  },
});

/** As ProducerConnectionSubCommand: one numbered line per client of the producer group. */
export const producerConnection = defineVerb({
  name: 'producerConnection',
  description: "Query producer's socket connection and client version",
  options: [
    NAMESRV_OPTION,
    {
      short: 'g',
      long: 'producerGroup',
      arg: 'producerGroup',
      description: 'producer group name',
      required: true,
    },
    { short: 't', long: 'topic', arg: 'topic', description: 'a topic the group sends to', required: true },
  ],
  async run(args, io) {
    const group = args.required('producerGroup');
    const topic = args.required('topic');
    const conns = await withAdmin(args, (admin) => admin.producerConnection(group, topic));
    conns.forEach((c, i) =>
      io.out(
        `${String(i + 1).padStart(4, '0')}  ${c.clientId.padEnd(32)} ${c.clientAddr.padEnd(22)} ` +
          `${c.language.padEnd(8)} ${versionDesc(c.version)}\n`,
      ),
    );
  },
});

/** ConsumerRunningInfo.formatString, the sections our clients fill. */
function formatRunningInfo(info: ConsumerRunningInfo): string {
  const props = Object.keys(info.properties)
    .sort()
    .map((k) => `${k.padEnd(40)}: ${info.properties[k]}\n`)
    .join('');
  const subs = info.subscriptionSet
    .map(
      (s, i) =>
        `${String(i + 1).padStart(3, '0')} Topic: ${s.topic.padEnd(40)} ClassFilter: ${String(s.classFilterMode).padEnd(8)} SubExpression: ${s.subString}\n`,
    )
    .join('');
  const queues = formatTable(
    ['#Topic', '#Broker Name', '#QID', '#Consumer Offset', '#Cached Msgs', '#Locked', '#Dropped'],
    info.mqTable.map(([mq, q]) => [
      mq.topic,
      mq.brokerName,
      mq.queueId,
      q.commitOffset,
      q.cachedMsgCount,
      String(q.locked),
      String(q.droped),
    ]),
  );
  const tps = formatTable(
    ['#Topic', '#Pull RT', '#Pull TPS', '#Consume RT', '#ConsumeOK TPS', '#ConsumeFailed TPS'],
    Object.entries(info.statusTable).map(([topic, s]) => [
      topic,
      ...['pullRT', 'pullTPS', 'consumeRT', 'consumeOKTPS', 'consumeFailedTPS'].map((k) =>
        (s[k] ?? 0).toFixed(2),
      ),
    ]),
  );
  const jstack = info.jstack ? `\n\n#Consumer jstack#\n${info.jstack}\n` : '';
  return (
    `#Consumer Properties#\n${props}\n\n#Consumer Subscription#\n${subs}\n\n#Consumer Offset#\n${queues}` +
    `\n\n#Consumer RT&TPS#\n${tps}${jstack}`
  );
}

/**
 * As ConsumerStatusSubCommand: with -i, what that client reports about itself (GET_CONSUMER_RUNNING_INFO
 * relayed by a broker); without, one line per connected client with its queue count.
 */
export const consumerStatus = defineVerb({
  name: 'consumerStatus',
  description: 'Query consumer internal data structure (running info)',
  options: [
    NAMESRV_OPTION,
    GROUP_OPTION,
    { short: 'i', long: 'clientId', arg: 'clientId', description: "the consumer's client id" },
    {
      short: 's',
      long: 'jstack',
      arg: 'jstack',
      description: 'ask the client for a thread dump: true or false',
    },
  ],
  async run(args, io) {
    const group = args.required('consumerGroup');
    const clientId = args.string('clientId');
    const jstack = args.bool('jstack', false);
    await withAdmin(args, async (admin) => {
      if (clientId !== undefined) {
        io.out(formatRunningInfo(await admin.getConsumerRunningInfo(group, clientId, jstack)));
        return;
      }
      const cc = await admin.consumerConnection(group);
      const rows: (string | number)[][] = [];
      for (const [i, c] of cc.connectionSet.entries()) {
        const info = await admin.getConsumerRunningInfo(group, c.clientId, jstack).catch((err: Error) => {
          io.warn(`client ${c.clientId}: ${err.message}\n`);
          return undefined;
        });
        rows.push([i + 1, c.clientId, versionDesc(c.version), info ? info.mqTable.length : '-']);
      }
      if (rows.length === 0) throw new CommandError(`no client of group ${group} is connected`);
      io.out(formatTable(['#Index', '#ClientId', '#Version', '#Queues'], rows));
    });
  },
});
