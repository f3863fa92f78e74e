import {
  CMResult,
  CURRENT_VERSION_DESC,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  type MessageExt,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { ConsumeStats } from './consume-stats';
import {
  ACK_ALL,
  ConsumeConcurrentlyStatus,
  ConsumeOrderlyStatus,
  runConcurrently,
  runOrderly,
  type ResolvedListener,
} from './message-listener';
import type { ProcessQueue } from './process-queue';
import type { PushConsumerConfig } from './push-consumer-options';
import { resetRetryTopic } from './retry-topic';

/** Property names of ConsumerRunningInfo (ConsumerRunningInfo.PROP_*). */
export const RunningInfoProperty = {
  NAMESERVER_ADDR: 'PROP_NAMESERVER_ADDR',
  THREADPOOL_CORE_SIZE: 'PROP_THREADPOOL_CORE_SIZE',
  CONSUMEORDERLY: 'PROP_CONSUMEORDERLY',
  CONSUME_TYPE: 'PROP_CONSUME_TYPE',
  CLIENT_VERSION: 'PROP_CLIENT_VERSION',
  CONSUMER_START_TIMESTAMP: 'PROP_CONSUMER_START_TIMESTAMP',
} as const;

/** consumeType of a push consumer in heartbeats and running info (ConsumeType.CONSUME_PASSIVELY). */
export const CONSUME_PASSIVELY = 'CONSUME_PASSIVELY';

export interface RunningInfoInput {
  config: PushConsumerConfig;
  orderly: boolean;
  startedAt: number;
  subscriptions: SubscriptionData[];
  held: [MessageQueue, ProcessQueue][];
  commitOffsetOf(mq: MessageQueue): number;
  stats: ConsumeStats;
}

/**
 * ConsumerRunningInfo as DefaultMQPushConsumerImpl.consumerRunningInfo fills it: the consumer's settings as
 * properties, its subscriptions, one ProcessQueueInfo per held queue and per-topic consume status.
 */
export function buildRunningInfo(i: RunningInfoInput): ConsumerRunningInfo {
  const c = i.config;
  const properties: Record<string, string> = {
    consumerGroup: c.consumerGroup,
    messageModel: c.messageModel,
    consumeFromWhere: c.consumeFromWhere,
    consumeTimestamp: String(c.consumeTimestamp),
    allocateMessageQueueStrategy: c.allocateStrategy.name,
    consumeThreadMax: String(c.concurrency),
    pullBatchSize: String(c.pullBatchSize),
    consumeMessageBatchMaxSize: String(c.consumeMessageBatchMaxSize),
    pullThresholdForQueue: String(c.pullThresholdForQueue),
    pullThresholdSizeForQueue: String(c.pullThresholdSizeForQueueMiB),
    consumeConcurrentlyMaxSpan: String(c.consumeConcurrentlyMaxSpan),
    maxReconsumeTimes: String(c.maxReconsumeTimes),
    suspendCurrentQueueTimeMillis: String(c.suspendCurrentQueueTimeMillis),
    persistConsumerOffsetInterval: String(c.persistConsumerOffsetIntervalMs),
    clientIP: c.client.clientIP,
    instanceName: c.client.instanceName,
    [RunningInfoProperty.NAMESERVER_ADDR]: c.client.namesrvAddrs.join(';'),
    [RunningInfoProperty.THREADPOOL_CORE_SIZE]: String(c.concurrency),
    [RunningInfoProperty.CONSUMEORDERLY]: String(i.orderly),
    [RunningInfoProperty.CONSUME_TYPE]: CONSUME_PASSIVELY,
    [RunningInfoProperty.CLIENT_VERSION]: CURRENT_VERSION_DESC,
    [RunningInfoProperty.CONSUMER_START_TIMESTAMP]: String(i.startedAt),
  };
  const statusTable: Record<string, Record<string, number>> = {};
  for (const s of i.subscriptions) statusTable[s.topic] = { ...i.stats.status(s.topic) };
  return {
    properties,
    subscriptionSet: i.subscriptions,
    mqTable: i.held.map(([mq, pq]) => [mq, pq.info(i.commitOffsetOf(mq))]),
    statusTable,
  };
}

/**
 * CONSUME_MESSAGE_DIRECTLY (ConsumeMessage{Concurrently,Orderly}Service.consumeMessageDirectly): run the
 * listener on one message and report what it did. Offsets and retries are not touched.
 */
export async function consumeDirectly(
  listener: ResolvedListener,
  group: string,
  msg: MessageExt,
  brokerName: string | undefined,
  suspendMs: number,
): Promise<ConsumeMessageDirectlyResult> {
  resetRetryTopic([msg], group);
  const mq: MessageQueue = { topic: msg.topic, brokerName: brokerName ?? '', queueId: msg.queueId };
  const begin = Date.now();
  let consumeResult: ConsumeMessageDirectlyResult['consumeResult'];
  let remark: string | undefined;
  const failed = (error: unknown): void => {
    consumeResult = CMResult.CR_THROW_EXCEPTION;
    remark = error instanceof Error ? (error.stack ?? error.message) : String(error);
  };
  if (listener.orderly) {
    const r = await runOrderly(listener.handler, [msg], {
      messageQueue: mq,
      suspendCurrentQueueTimeMillis: suspendMs,
    });
    consumeResult = r.status === ConsumeOrderlyStatus.SUCCESS ? CMResult.CR_SUCCESS : CMResult.CR_LATER;
    if (r.error !== undefined) failed(r.error);
  } else {
    const r = await runConcurrently(listener.handler, [msg], {
      messageQueue: mq,
      delayLevelWhenNextConsume: 0,
      ackIndex: ACK_ALL,
    });
    consumeResult =
      r.status === ConsumeConcurrentlyStatus.CONSUME_SUCCESS ? CMResult.CR_SUCCESS : CMResult.CR_LATER;
    if (r.error !== undefined) failed(r.error);
  }
  return {
    order: listener.orderly,
    autoCommit: true,
    consumeResult,
    ...(remark !== undefined ? { remark } : {}),
    spentTimeMills: Date.now() - begin,
  };
}
