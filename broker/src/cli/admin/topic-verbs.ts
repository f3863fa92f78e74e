import { DEFAULT_CREATE_TOPIC_QUEUE_NUMS } from '@rocketts/client';
import { Perm, permToString, stringifyJavaJson, TopicFilterType } from '@rocketts/protocol';
import { UsageError } from '../args';
import { withAdmin } from './clients';
import { formatTable, formatTimestamp } from './format';
import { defineVerb, NAMESRV_OPTION, type OptionSpec } from './verb';

const TOPIC_OPTION: OptionSpec = {
  short: 't',
  long: 'topic',
  arg: 'topic',
  description: 'topic name',
  required: true,
};

/** As UpdateTopicSubCommand: create or update the topic on one broker (-b) or every master of a cluster (-c). */
export const updateTopic = defineVerb({
  name: 'updateTopic',
  description: 'Update or create topic',
  synopsis:
    '-n <namesrvAddr> (-c <clusterName> | -b <brokerAddr>) -t <topic> [-r <readQueueNums>] [-w <writeQueueNums>] [-p <perm>] [-o <order>]',
  options: [
    NAMESRV_OPTION,
    {
      short: 'b',
      long: 'brokerAddr',
      arg: 'brokerAddr',
      description: 'create topic on this broker (host:port)',
    },
    {
      short: 'c',
      long: 'clusterName',
      arg: 'clusterName',
      description: 'create topic on every master of this cluster',
    },
    TOPIC_OPTION,
    {
      short: 'r',
      long: 'readQueueNums',
      arg: 'readQueueNums',
      description: `number of read queues (default ${DEFAULT_CREATE_TOPIC_QUEUE_NUMS})`,
    },
    {
      short: 'w',
      long: 'writeQueueNums',
      arg: 'writeQueueNums',
      description: `number of write queues (default ${DEFAULT_CREATE_TOPIC_QUEUE_NUMS})`,
    },
    {
      short: 'p',
      long: 'perm',
      arg: 'perm',
      description: 'permission bits: 2 write, 4 read, 6 read+write (default 6)',
    },
    { short: 'o', long: 'order', arg: 'order', description: 'ordered topic: true or false (default false)' },
  ],
  async run(args, io) {
    const brokerAddr = args.string('brokerAddr');
    const clusterName = args.string('clusterName');
    if ((brokerAddr === undefined) === (clusterName === undefined))
      throw new UsageError('give exactly one of -c <clusterName> and -b <brokerAddr>');
    const topic = args.required('topic');
    const readQueueNums = args.intOr('readQueueNums', DEFAULT_CREATE_TOPIC_QUEUE_NUMS);
    const writeQueueNums = args.intOr('writeQueueNums', DEFAULT_CREATE_TOPIC_QUEUE_NUMS);
    const perm = args.intOr('perm', Perm.READ | Perm.WRITE);
    const order = args.bool('order', false);
    const addrs = await withAdmin(args, (admin) =>
      admin.createTopic({
        topic,
        readQueueNums,
        writeQueueNums,
        perm,
        order,
        ...(brokerAddr !== undefined ? { brokerAddr } : { clusterName }),
      }),
    );
    for (const addr of addrs) io.out(`create topic to ${addr} success.\n`);
    // TopicConfig.toString, as mqadmin prints it after the per-broker lines.
    io.out(
      `TopicConfig [topicName=${topic}, readQueueNums=${readQueueNums}, writeQueueNums=${writeQueueNums}, ` +
        `perm=${permToString(perm)}, topicFilterType=${TopicFilterType.SINGLE_TAG}, topicSysFlag=0, order=${order}]\n`,
    );
  },
});

/** As TopicListSubCommand without -c: every topic the name server knows, one per line. */
export const topicList = defineVerb({
  name: 'topicList',
  description: 'Fetch all topic list from name server',
  options: [NAMESRV_OPTION],
  async run(args, io) {
    const topics = await withAdmin(args, (admin) => admin.topicList());
    io.out(
      [...topics]
        .sort()
        .map((t) => `${t}\n`)
        .join(''),
    );
  },
});

/** As TopicRouteSubCommand: TopicRouteData.toJson(true), with standard (quoted) keys and sorted fields. */
export const topicRoute = defineVerb({
  name: 'topicRoute',
  description: 'Examine topic route info',
  options: [NAMESRV_OPTION, TOPIC_OPTION],
  async run(args, io) {
    const topic = args.required('topic');
    const route = await withAdmin(args, (admin) => admin.topicRoute(topic));
    const json: unknown = JSON.parse(stringifyJavaJson(route, { standard: true }));
    io.out(`${JSON.stringify(json, null, '\t')}\n`);
  },
});

/** As TopicStatusSubCommand: min/max offset and last store time of every queue. */
export const topicStatus = defineVerb({
  name: 'topicStatus',
  description: 'Examine topic Status info',
  options: [NAMESRV_OPTION, TOPIC_OPTION],
  async run(args, io) {
    const topic = args.required('topic');
    const stats = await withAdmin(args, (admin) => admin.topicStatus(topic));
    io.out(
      formatTable(
        ['#Broker Name', '#QID', '#Min Offset', '#Max Offset', '#Last Updated'],
        stats.map((s) => [
          s.messageQueue.brokerName,
          s.messageQueue.queueId,
          s.minOffset,
          s.maxOffset,
          s.lastUpdateTimestamp > 0 ? formatTimestamp(s.lastUpdateTimestamp) : '',
        ]),
      ),
    );
  },
});

/** As DeleteTopicSubCommand: from every broker of the cluster, then from every name server. */
export const deleteTopic = defineVerb({
  name: 'deleteTopic',
  description: 'Delete topic from broker and NameServer',
  options: [
    NAMESRV_OPTION,
    TOPIC_OPTION,
    {
      short: 'c',
      long: 'clusterName',
      arg: 'clusterName',
      description: 'delete topic from this cluster',
      required: true,
    },
  ],
  async run(args, io) {
    const topic = args.required('topic');
    const clusterName = args.required('clusterName');
    await withAdmin(args, (admin) => admin.deleteTopic(topic, clusterName));
    io.out(`delete topic [${topic}] from cluster [${clusterName}] success.\n`);
    io.out(`delete topic [${topic}] from NameServer success.\n`);
  },
});
