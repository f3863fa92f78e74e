import { DLQ_REPLAY_GROUP_PREFIX } from '@rocketts/client';
import { withAdmin } from './clients';
import { formatTable } from './format';
import { parseTimeArg } from './time-arg';
import { defineVerb, NAMESRV_OPTION, optionName, type OptionSpec } from './verb';

const TIMESTAMP_OPTION: OptionSpec = {
  short: 's',
  long: 'timestamp',
  arg: 'timestamp',
  description:
    'now, ms since the epoch (-1 = the end of each queue, as --timestamp=-1) or yyyy-MM-dd#HH:mm:ss:SSS',
  required: true,
};

/**
 * As ResetOffsetByTimeCommand: every broker of the topic moves the group's offsets to the first message
 * stored at or after the time and tells the group's online clients; works with no client online too.
 */
export const resetOffsetByTime = defineVerb({
  name: 'resetOffsetByTime',
  description: 'Reset consumer offset by timestamp (without client restart)',
  options: [
    NAMESRV_OPTION,
    { short: 'g', long: 'group', arg: 'group', description: 'consumer group', required: true },
    { short: 't', long: 'topic', arg: 'topic', description: 'topic name', required: true },
    TIMESTAMP_OPTION,
    {
      short: 'f',
      long: 'force',
      arg: 'force',
      description: 'true (default): move offsets to the time either way; false: only move them back',
    },
  ],
  async run(args, io) {
    const group = args.required('group');
    const topic = args.required('topic');
    const text = args.required('timestamp');
    const timestamp = parseTimeArg(text, optionName(TIMESTAMP_OPTION));
    const force = args.bool('force', true);
    const table = await withAdmin(args, (admin) => admin.resetOffsetByTime(group, topic, timestamp, force));
    io.out(
      `start reset consumer offset by specified, group[${group}], topic[${topic}], force[${force}], ` +
        `timestamp(string)[${text}], timestamp(long)[${timestamp}]\n`,
    );
    io.out(
      formatTable(
        ['#brokerName', '#queueId', '#offset'],
        table.map((t) => [t.messageQueue.brokerName, t.messageQueue.queueId, t.offset]),
      ),
    );
  },
});

/**
 * Send the dead letters of %DLQ%<group> back to their original topics (no mqadmin counterpart). A
 * checkpoint kept as the DLQ offset of a replay group makes a second run send only new dead letters.
 */
export const resendDlq = defineVerb({
  name: 'resendDlq',
  description: 'Send the dead letters of a consumer group back to their original topics',
  options: [
    NAMESRV_OPTION,
    {
      short: 'g',
      long: 'consumerGroup',
      arg: 'consumerGroup',
      description: 'group whose %DLQ% topic is replayed',
      required: true,
    },
    {
      short: 's',
      long: 'since',
      arg: 'time',
      description: 'only dead letters stored at or after this time (ms or yyyy-MM-dd#HH:mm:ss:SSS)',
    },
    {
      short: 'a',
      long: 'all',
      arg: 'all',
      description: 'true: ignore the checkpoint and send every dead letter again (default false)',
    },
    {
      short: 'k',
      long: 'checkpointGroup',
      arg: 'group',
      description: `group whose DLQ offset is the checkpoint (default ${DLQ_REPLAY_GROUP_PREFIX}<consumerGroup>)`,
    },
  ],
  async run(args, io) {
    const group = args.required('consumerGroup');
    const sinceText = args.string('since');
    const since = sinceText === undefined ? undefined : parseTimeArg(sinceText, '-s <time>');
    const ignoreCheckpoint = args.bool('all', false);
    const checkpointGroup = args.string('checkpointGroup');
    const r = await withAdmin(args, (admin) =>
      admin.resendDlq(group, {
        ignoreCheckpoint,
        ...(since !== undefined && since >= 0 ? { since } : {}),
        ...(checkpointGroup !== undefined ? { checkpointGroup } : {}),
      }),
    );
    io.out(
      formatTable(
        ['#Broker Name', '#QID', '#From Offset', '#Checkpoint'],
        r.queues.map((q) => [q.messageQueue.brokerName, q.messageQueue.queueId, q.from, q.to]),
      ),
    );
    io.out('\n');
    io.out(formatTable(['#Topic', '#Resent'], Object.entries(r.byTopic).sort()));
    io.out(
      `\nResent ${r.resent} dead letter${r.resent === 1 ? '' : 's'} of ${r.dlqTopic}` +
        `${r.skipped > 0 ? `, skipped ${r.skipped} without an original topic` : ''}; ` +
        `checkpoint group ${r.checkpointGroup}.\n`,
    );
  },
});
