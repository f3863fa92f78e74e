import type { Message, SendOptions } from '@rocketts/client';
import { UsageError } from '../args';
import { withProducer } from './clients';
import { CommandError } from './command-error';
import { formatTable } from './format';
import { defineVerb, NAMESRV_OPTION } from './verb';

/** Producer group of the tool's sends (SendMessageCommand uses the current time; a fixed name is easier to spot). */
export const ADMIN_PRODUCER_GROUP = 'rocketts_admin_producer';

/** As SendMessageCommand: one message, to a queue the producer picks or to the one given by -b/-i. */
export const sendMessage = defineVerb({
  name: 'sendMessage',
  description: 'Send a message',
  options: [
    NAMESRV_OPTION,
    { short: 't', long: 'topic', arg: 'topic', description: 'topic name', required: true },
    { short: 'p', long: 'body', arg: 'body', description: 'message body (UTF-8)', required: true },
    { short: 'k', long: 'key', arg: 'keys', description: 'message keys, space-separated' },
    { short: 'c', long: 'tags', arg: 'tags', description: 'message tag' },
    { short: 'b', long: 'broker', arg: 'brokerName', description: 'send to a queue of this broker' },
    { short: 'i', long: 'qid', arg: 'queueId', description: 'send to this queue (needs -b)' },
  ],
  async run(args, io) {
    const topic = args.required('topic');
    const brokerName = args.string('broker');
    const queueId = args.int('qid');
    if (queueId !== undefined && brokerName === undefined)
      throw new UsageError('option -i <queueId> needs -b <brokerName>');
    const keys = args.string('key');
    const tags = args.string('tags');
    const msg: Message = {
      topic,
      body: args.required('body'),
      ...(keys !== undefined && { keys }),
      ...(tags !== undefined && { tags }),
    };
    const result = await withProducer(args, ADMIN_PRODUCER_GROUP, async (producer) => {
      const options: SendOptions = {};
      if (brokerName !== undefined && queueId !== undefined) options.queue = { topic, brokerName, queueId };
      else if (brokerName !== undefined) {
        const queues = (await producer.fetchPublishMessageQueues(topic)).filter(
          (q) => q.brokerName === brokerName,
        );
        const queue = queues[Math.floor(Math.random() * queues.length)];
        if (!queue) throw new CommandError(`broker ${brokerName} has no writable queue of topic ${topic}`);
        options.queue = queue;
      }
      return producer.send(msg, options);
    });
    io.out(
      formatTable(
        ['#Broker Name', '#QID', '#Send Result', '#MsgId'],
        [[result.messageQueue.brokerName, result.messageQueue.queueId, result.status, result.msgId]],
      ),
    );
  },
});
