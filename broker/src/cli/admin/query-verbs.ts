import { DEFAULT_QUERY_MAX_NUM } from '@rocketts/client';
import { withAdmin } from './clients';
import { CommandError } from './command-error';
import { formatTable } from './format';
import { formatMessageDetail } from './message-detail';
import { defineVerb, NAMESRV_OPTION } from './verb';

/** As QueryMsgByIdSubCommand: VIEW_MESSAGE_BY_ID to the broker each offset id names; ids may be comma-separated. */
export const queryMsgById = defineVerb({
  name: 'queryMsgById',
  description: 'Query Message by Id',
  options: [
    NAMESRV_OPTION,
    {
      short: 'i',
      long: 'msgId',
      arg: 'offsetMsgId',
      description: 'offset message id(s) as the broker returned them, comma-separated',
      required: true,
    },
  ],
  async run(args, io) {
    const ids = args
      .required('msgId')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const blocks = await withAdmin(args, async (admin) => {
      const out: string[] = [];
      for (const id of ids) out.push(formatMessageDetail(await admin.viewMessage(id)));
      return out;
    });
    io.out(blocks.join('\n'));
  },
});

/** As QueryMsgByKeySubCommand: QUERY_MESSAGE on every broker of the topic, one line per match. */
export const queryMsgByKey = defineVerb({
  name: 'queryMsgByKey',
  description: 'Query Message by Key',
  options: [
    NAMESRV_OPTION,
    { short: 't', long: 'topic', arg: 'topic', description: 'topic name', required: true },
    { short: 'k', long: 'msgKey', arg: 'msgKey', description: 'message key (one of KEYS)', required: true },
    { short: 'b', long: 'beginTimestamp', arg: 'ms', description: 'earliest store time, ms since the epoch' },
    { short: 'e', long: 'endTimestamp', arg: 'ms', description: 'latest store time, ms since the epoch' },
    {
      short: 'c',
      long: 'maxNum',
      arg: 'maxNum',
      description: `most messages each broker returns (default ${DEFAULT_QUERY_MAX_NUM})`,
    },
  ],
  async run(args, io) {
    const topic = args.required('topic');
    const key = args.required('msgKey');
    const begin = args.int('beginTimestamp');
    const end = args.int('endTimestamp');
    const maxNum = args.int('maxNum');
    const result = await withAdmin(args, (admin) =>
      admin.queryMessageByKey(topic, key, {
        ...(begin !== undefined && { begin }),
        ...(end !== undefined && { end }),
        ...(maxNum !== undefined && { maxNum }),
      }),
    );
    io.out(
      formatTable(
        ['#Message ID', '#QID', '#Offset'],
        result.messages.map((m) => [m.msgId, m.queueId, m.queueOffset]),
      ),
    );
  },
});

/** As QueryMsgByUniqueKeySubCommand: the message whose UNIQ_KEY (the msgId of a SendResult) is given. */
export const queryMsgByUniqueKey = defineVerb({
  name: 'queryMsgByUniqueKey',
  description: 'Query Message by Unique key',
  options: [
    NAMESRV_OPTION,
    {
      short: 'i',
      long: 'msgId',
      arg: 'uniqKey',
      description: 'unique key (msgId of a send result)',
      required: true,
    },
    { short: 't', long: 'topic', arg: 'topic', description: 'topic name', required: true },
  ],
  async run(args, io) {
    const uniqKey = args.required('msgId');
    const topic = args.required('topic');
    const msg = await withAdmin(args, (admin) => admin.queryMessageByUniqKey(topic, uniqKey));
    if (!msg) throw new CommandError(`no message with unique key ${uniqKey} in topic ${topic}`);
    io.out(formatMessageDetail(msg));
  },
});
