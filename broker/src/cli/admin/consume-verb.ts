import { PullStatus, type PullConsumer } from '@rocketts/client';
import type { MessageExt, MessageQueue } from '@rocketts/protocol';
import { UsageError } from '../args';
import { withPullConsumer } from './clients';
import { CommandError } from './command-error';
import { bodyText } from './format';
import { defineVerb, NAMESRV_OPTION } from './verb';

/** Group of the tool's pulls (MixAll.TOOLS_CONSUMER_GROUP); pulls never commit offsets for it. */
export const TOOLS_CONSUMER_GROUP = 'TOOLS_CONSUMER';
export const DEFAULT_CONSUME_COUNT = 128; // messages, as ConsumeMessageCommand's -c
const PULL_BATCH = 32; // messages per PULL_MESSAGE

interface ConsumePlan {
  /** First offset of a single queue (-o); otherwise the queue's min offset or the -s time's offset. */
  offset?: number;
  beginTimestamp?: number;
  endTimestamp?: number;
}

const formatMessage = (m: MessageExt, brokerName: string): string =>
  `MSGID: ${m.msgId} BROKER: ${brokerName} QID: ${m.queueId} OFFSET: ${m.queueOffset} BODY: ${bodyText(m.body)}\n`;

/**
 * Pull one queue from its start to the max offset read before the first pull (so a busy queue still ends),
 * printing at most `budget` messages; returns how many were printed.
 */
async function drainQueue(
  consumer: PullConsumer,
  mq: MessageQueue,
  plan: ConsumePlan,
  budget: number,
  out: (text: string) => void,
): Promise<number> {
  const max = await consumer.maxOffset(mq);
  let offset =
    plan.offset ??
    (plan.beginTimestamp !== undefined
      ? await consumer.searchOffset(mq, plan.beginTimestamp)
      : await consumer.minOffset(mq));
  let printed = 0;
  while (printed < budget && offset < max) {
    const r = await consumer.pull(mq, { offset, maxNums: Math.min(PULL_BATCH, budget - printed) });
    if (r.status === PullStatus.NO_NEW_MSG) break;
    for (const m of r.messages) {
      if (printed >= budget) break;
      if (plan.endTimestamp !== undefined && m.storeTimestamp > plan.endTimestamp) return printed;
      out(formatMessage(m, mq.brokerName));
      printed++;
    }
    // OFFSET_ILLEGAL and NO_MATCHED_MSG also carry the offset to go on from; one that does not advance ends.
    if (r.nextBeginOffset <= offset) break;
    offset = r.nextBeginOffset;
  }
  return printed;
}

/**
 * As ConsumeMessageCommand: pull the topic's queues (or those of -b, or the one queue -b/-i) from their
 * first offset (or -o, or -s) and print each message, until -c messages or every queue is caught up.
 */
export const consumeMessage = defineVerb({
  name: 'consumeMessage',
  description: 'Consume message',
  options: [
    NAMESRV_OPTION,
    { short: 't', long: 'topic', arg: 'topic', description: 'topic name', required: true },
    { short: 'b', long: 'brokerName', arg: 'brokerName', description: 'only queues of this broker' },
    { short: 'i', long: 'queueId', arg: 'queueId', description: 'only this queue (needs -b)' },
    { short: 'o', long: 'offset', arg: 'offset', description: 'first offset to read (needs -i)' },
    {
      short: 'g',
      long: 'consumerGroup',
      arg: 'group',
      description: `consumer group (default ${TOOLS_CONSUMER_GROUP})`,
    },
    {
      short: 's',
      long: 'beginTimestamp',
      arg: 'ms',
      description: 'start at the first message stored at or after this time',
    },
    { short: 'e', long: 'endTimestamp', arg: 'ms', description: 'stop at messages stored after this time' },
    {
      short: 'c',
      long: 'MessageNumber',
      arg: 'count',
      description: `most messages to print (default ${DEFAULT_CONSUME_COUNT})`,
    },
  ],
  async run(args, io) {
    const topic = args.required('topic');
    const brokerName = args.string('brokerName');
    const queueId = args.int('queueId');
    const offset = args.int('offset');
    if (queueId !== undefined && brokerName === undefined)
      throw new UsageError('option -i <queueId> needs -b <brokerName>');
    if (offset !== undefined && queueId === undefined)
      throw new UsageError('option -o <offset> needs -i <queueId>');
    const count = args.intOr('MessageNumber', DEFAULT_CONSUME_COUNT);
    const beginTimestamp = args.int('beginTimestamp');
    const endTimestamp = args.int('endTimestamp');
    const plan: ConsumePlan = {
      ...(offset !== undefined && { offset }),
      ...(beginTimestamp !== undefined && { beginTimestamp }),
      ...(endTimestamp !== undefined && { endTimestamp }),
    };
    const group = args.string('consumerGroup') ?? TOOLS_CONSUMER_GROUP;
    const total = await withPullConsumer(args, group, async (consumer) => {
      const queues =
        brokerName !== undefined && queueId !== undefined
          ? [{ topic, brokerName, queueId }]
          : (await consumer.fetchSubscribeMessageQueues(topic)).filter(
              (q) => brokerName === undefined || q.brokerName === brokerName,
            );
      if (queues.length === 0)
        throw new CommandError(`broker ${brokerName} serves no queue of topic ${topic}`);
      let printed = 0;
      for (const mq of queues) {
        if (printed >= count) break;
        printed += await drainQueue(consumer, mq, plan, count - printed, io.out);
      }
      return printed;
    });
    io.out(`Consumed ${total} message${total === 1 ? '' : 's'}.\n`);
  },
});
