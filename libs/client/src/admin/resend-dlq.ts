import {
  DLQ_GROUP_TOPIC_PREFIX,
  InvalidArgumentError,
  isResponseCode,
  MessageProperty,
  ResponseCode,
  type MessageExt,
  type MessageQueue,
} from '@rocketts/protocol';
import { PullConsumer } from '../consumer/pull-consumer';
import { PullStatus } from '../consumer/pull-result';
import type { ClientOptions } from '../options/client-options';
import {
  booleanOption,
  nonEmptyString,
  nonNegativeInt,
  positiveInt,
  rejectUnknownKeys,
} from '../options/validate';
import type { Message } from '../producer/message';
import { Producer } from '../producer/producer';

export interface ResendDlqOptions {
  /** Only dead letters stored at or after this time (ms since the epoch). */
  since?: number;
  /** Start at the DLQ's first message (or `since`) instead of the checkpoint: earlier runs' messages go again. */
  ignoreCheckpoint?: boolean;
  /** Group whose committed offset on %DLQ%<group> is the checkpoint; DLQ_REPLAY_<group> by default. */
  checkpointGroup?: string;
  /** Messages pulled per request. */
  batchSize?: number;
}

export interface ResendDlqQueue {
  messageQueue: MessageQueue;
  /** First offset looked at and the checkpoint stored afterwards (next offset to look at). */
  from: number;
  to: number;
}

export interface ResendDlqResult {
  dlqTopic: string;
  checkpointGroup: string;
  /** Messages sent back to their original topic. */
  resent: number;
  /** Dead letters naming no original topic: left in the DLQ and passed over. */
  skipped: number;
  /** Messages sent per original topic. */
  byTopic: Record<string, number>;
  queues: ResendDlqQueue[];
}

/** Prefix of the default checkpoint group (and producer group) of a replay. */
export const DLQ_REPLAY_GROUP_PREFIX = 'DLQ_REPLAY_';
const DEFAULT_BATCH_SIZE = 32; // as the pull consumer's default batch
/** MessageConst.PROPERTY_DLQ_ORIGIN_TOPIC: the original topic as 5.x writes it on some dead letters. */
const DLQ_ORIGIN_TOPIC = 'DLQ_ORIGIN_TOPIC';

/**
 * Properties that describe a delivery rather than the message (MessageConst): retry and DLQ bookkeeping,
 * delay and transaction state, and what brokers and consumers add. A replayed message is a plain new
 * send; it keeps its body, flag, TAGS, KEYS, UNIQ_KEY (so a consumer can tell it from a new message
 * and deduplicate) and every user property.
 */
const DROPPED_PROPERTIES: ReadonlySet<string> = new Set([
  MessageProperty.RETRY_TOPIC,
  MessageProperty.ORIGIN_MESSAGE_ID,
  MessageProperty.RECONSUME_TIME,
  MessageProperty.MAX_RECONSUME_TIMES,
  MessageProperty.DELAY,
  MessageProperty.REAL_TOPIC,
  MessageProperty.REAL_QID,
  MessageProperty.TIMER_DELIVER_MS,
  MessageProperty.TIMER_DELAY_SEC,
  MessageProperty.TIMER_DELAY_MS,
  MessageProperty.TRAN_MSG,
  MessageProperty.PGROUP,
  MessageProperty.TRAN_PREPARED_QUEUE_OFFSET,
  MessageProperty.TRANSACTION_CHECK_TIMES,
  MessageProperty.CHECK_IMMUNITY_TIME_IN_SECONDS,
  MessageProperty.TRANSACTION_ID,
  MessageProperty.CONSUME_START_TIME,
  MessageProperty.MIN_OFFSET,
  MessageProperty.MAX_OFFSET,
  MessageProperty.CLUSTER,
  MessageProperty.MSG_REGION,
  MessageProperty.TRACE_ON,
  MessageProperty.WAIT,
  MessageProperty.TAGS,
  MessageProperty.KEYS,
  DLQ_ORIGIN_TOPIC,
  'DLQ_ORIGIN_MESSAGE_ID',
  '__CRC32#',
]);

const OPTION_KEYS: Readonly<Record<keyof ResendDlqOptions, true>> = {
  since: true,
  ignoreCheckpoint: true,
  checkpointGroup: true,
  batchSize: true,
};

/** The topic a dead letter came from: RETRY_TOPIC (set by every send-back), else 5.x DLQ_ORIGIN_TOPIC. */
export function originalTopicOf(m: MessageExt): string | undefined {
  const t = m.properties[MessageProperty.RETRY_TOPIC] ?? m.properties[DLQ_ORIGIN_TOPIC];
  return t && !t.startsWith(DLQ_GROUP_TOPIC_PREFIX) ? t : undefined;
}

/** The message to send for a dead letter, to `topic`. */
export function replayMessage(m: MessageExt, topic: string): Message {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.properties)) if (!DROPPED_PROPERTIES.has(k)) properties[k] = v;
  return {
    topic,
    body: m.body,
    flag: m.flag,
    ...(m.tags !== undefined ? { tags: m.tags } : {}),
    ...(m.keys.length > 0 ? { keys: m.keys } : {}),
    properties,
  };
}

/**
 * Send every dead letter of %DLQ%<group> back to its original topic (no RocketMQ counterpart; the
 * dashboard re-sends one at a time).
 *
 * Each DLQ queue is read from its checkpoint — the committed offset of `checkpointGroup` on the DLQ
 * topic — or from its first message when there is none, and from `since` when that is later, up to the
 * end of the queue as it was when the run began. Messages go out one at a time, in queue order; after
 * each pulled batch the checkpoint moves past it. So a second run sends only dead letters that arrived
 * since; `ignoreCheckpoint` sends them all again. Delivery is at least once: if a send fails, the
 * checkpoint is stored up to the message before it and the error thrown; a crash between a send and the
 * next checkpoint re-sends that batch on the next run. A DLQ topic that does not exist has nothing to send.
 */
export async function resendDlq(
  clientOptions: ClientOptions,
  consumerGroup: string,
  input: ResendDlqOptions = {},
): Promise<ResendDlqResult> {
  const group = nonEmptyString(consumerGroup, 'consumerGroup');
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('options', 'must be an object');
  rejectUnknownKeys('resendDlq', input, OPTION_KEYS);
  const since = input.since === undefined ? undefined : nonNegativeInt(input.since, 'since');
  const ignoreCheckpoint = booleanOption(input.ignoreCheckpoint, 'ignoreCheckpoint', false);
  const checkpointGroup = nonEmptyString(
    input.checkpointGroup ?? DLQ_REPLAY_GROUP_PREFIX + group,
    'checkpointGroup',
  );
  const batchSize = positiveInt(input.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize');
  const dlqTopic = DLQ_GROUP_TOPIC_PREFIX + group;
  const result: ResendDlqResult = {
    dlqTopic,
    checkpointGroup,
    resent: 0,
    skipped: 0,
    byTopic: {},
    queues: [],
  };

  const consumer = new PullConsumer({ ...clientOptions, consumerGroup: checkpointGroup });
  const producer = new Producer({ ...clientOptions, producerGroup: checkpointGroup });
  await consumer.start();
  await producer.start();
  try {
    let queues: MessageQueue[];
    try {
      queues = await consumer.fetchSubscribeMessageQueues(dlqTopic);
    } catch (err) {
      if (isResponseCode(err, ResponseCode.TOPIC_NOT_EXIST)) return result;
      throw err;
    }
    for (const mq of queues) {
      const min = await consumer.minOffset(mq);
      const end = await consumer.maxOffset(mq);
      let from = min;
      if (!ignoreCheckpoint) from = Math.max(from, await consumer.fetchConsumeOffset(mq));
      if (since !== undefined) from = Math.max(from, await consumer.searchOffset(mq, since));
      const to = await replayQueue(consumer, producer, mq, from, end, batchSize, result);
      result.queues.push({ messageQueue: mq, from, to });
    }
    return result;
  } finally {
    await producer.shutdown();
    await consumer.shutdown();
  }
}

/** Replay [from, end) of one queue; returns the checkpoint stored. */
async function replayQueue(
  consumer: PullConsumer,
  producer: Producer,
  mq: MessageQueue,
  from: number,
  end: number,
  batchSize: number,
  result: ResendDlqResult,
): Promise<number> {
  let offset = from;
  while (offset < end) {
    const pulled = await consumer.pull(mq, { offset, maxNums: batchSize });
    if (pulled.status === PullStatus.NO_NEW_MSG) break;
    const next = Math.min(pulled.nextBeginOffset, end);
    if (next <= offset) break;
    for (const m of pulled.messages) {
      if (m.queueOffset >= end) break;
      const topic = originalTopicOf(m);
      if (topic === undefined) {
        result.skipped++;
        continue;
      }
      try {
        await producer.send(replayMessage(m, topic));
      } catch (err) {
        // Everything before this message went out: keep that, so a re-run starts here.
        if (m.queueOffset > offset) await consumer.commitOffset(mq, m.queueOffset);
        throw err;
      }
      result.resent++;
      result.byTopic[topic] = (result.byTopic[topic] ?? 0) + 1;
    }
    offset = next;
    await consumer.commitOffset(mq, offset);
  }
  return offset;
}
