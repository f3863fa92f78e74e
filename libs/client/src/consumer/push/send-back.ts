import {
  ConsumerSendMsgBackRequestHeader,
  MessageProperty,
  RequestCode,
  type MessageExt,
  type MessageQueue,
  type Properties,
} from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import type { Logger } from '../../logger';
import type { Message, SendResult } from '../../producer/message';
import { retryTopicOf } from './retry-topic';

/** Socket timeout of CONSUMER_SEND_MSG_BACK (DefaultMQPushConsumerImpl.sendMessageBack passes 5000). */
export const SEND_BACK_TIMEOUT_MS = 5000;
/** delayLevel that sends a message straight to the DLQ (§11.2 step 6). */
export const DLQ_DELAY_LEVEL = -1;
/** The broker's default schedule starts at level 3 (10 s) for the first retry: 3 + reconsumeTimes. */
export const RETRY_BASE_DELAY_LEVEL = 3;
/** Group of the producer the fallback sends through (MixAll.CLIENT_INNER_PRODUCER_GROUP). */
export const CLIENT_INNER_PRODUCER_GROUP = 'CLIENT_INNER_PRODUCER';

/** Properties not copied into the fallback message: the broker or the producer sets them again. */
const NOT_COPIED: ReadonlySet<string> = new Set([
  MessageProperty.TRAN_MSG,
  MessageProperty.CLUSTER,
  MessageProperty.WAIT,
  MessageProperty.DELAY,
  MessageProperty.MIN_OFFSET,
  MessageProperty.MAX_OFFSET,
  MessageProperty.CONSUME_START_TIME,
]);

/** What the fallback needs of a producer. */
export interface RetrySender {
  send(msg: Message): Promise<SendResult>;
}

export interface SendBackOptions {
  instance: ClientInstance;
  group: string;
  maxReconsumeTimes: number;
  logger: Logger;
  /** The producer of the fallback, created on first use. */
  sender: () => Promise<RetrySender>;
}

/**
 * The message the fallback sends to %RETRY%<group> when CONSUMER_SEND_MSG_BACK failed (§11.2;
 * DefaultMQPushConsumerImpl.sendMessageBack's catch branch): same body, flag and properties, plus
 * ORIGIN_MESSAGE_ID, RETRY_TOPIC, RECONSUME_TIME, MAX_RECONSUME_TIMES (the producer turns the last two into
 * header fields j / l) and DELAY 3 + reconsumeTimes. For the DLQ (delayLevel −1) RECONSUME_TIME is made
 * larger than the maximum, so the broker stores it in %DLQ%<group> (orderly: ConsumeMessageOrderlyService
 * .sendMessageBack).
 */
export function buildRetryMessage(
  msg: MessageExt,
  group: string,
  maxReconsumeTimes: number,
  delayLevel: number,
): Message {
  const properties: Properties = {};
  for (const [k, v] of Object.entries(msg.properties)) if (!NOT_COPIED.has(k)) properties[k] = v;
  properties[MessageProperty.ORIGIN_MESSAGE_ID] =
    msg.properties[MessageProperty.ORIGIN_MESSAGE_ID] ?? msg.msgId;
  properties[MessageProperty.RETRY_TOPIC] = msg.topic;
  const toDlq = delayLevel < 0;
  const reconsumeTimes = toDlq ? Math.max(msg.reconsumeTimes, maxReconsumeTimes) + 1 : msg.reconsumeTimes + 1;
  properties[MessageProperty.RECONSUME_TIME] = String(reconsumeTimes);
  properties[MessageProperty.MAX_RECONSUME_TIMES] = String(maxReconsumeTimes);
  return {
    topic: retryTopicOf(group),
    body: msg.body,
    flag: msg.flag,
    properties,
    delayTimeLevel: delayLevel > 0 ? delayLevel : RETRY_BASE_DELAY_LEVEL + msg.reconsumeTimes,
  };
}

/**
 * Hands failed messages back to the broker for later redelivery (or the DLQ): CONSUMER_SEND_MSG_BACK to
 * the master of the queue's broker first; if the broker refuses or cannot be reached, the §11.2 fallback
 * sends a copy to %RETRY%<group> through a producer. `false` when both failed: the caller keeps the message
 * and consumes it again locally.
 */
export class SendBackService {
  constructor(private readonly o: SendBackOptions) {}

  /** delayLevel 0: the broker's schedule (3 + reconsumeTimes); > 0: that level; −1: the DLQ. */
  async sendBack(msg: MessageExt, delayLevel: number, mq: MessageQueue): Promise<boolean> {
    const { instance, group, maxReconsumeTimes, logger } = this.o;
    try {
      const addr = instance.routes.findMasterAddr(mq.brokerName) ?? msg.storeHost;
      const header = ConsumerSendMsgBackRequestHeader.encode({
        offset: msg.commitLogOffset,
        group,
        delayLevel,
        originMsgId: msg.msgId,
        originTopic: msg.topic,
        unitMode: false,
        maxReconsumeTimes,
      });
      await instance.invoke(
        addr,
        instance.request(RequestCode.CONSUMER_SEND_MSG_BACK, header),
        SEND_BACK_TIMEOUT_MS,
      );
      return true;
    } catch (err) {
      logger.warn('send-back failed, sending to the retry topic directly', {
        group,
        msgId: msg.msgId,
        error: err,
      });
    }
    try {
      const sender = await this.o.sender();
      await sender.send(buildRetryMessage(msg, group, maxReconsumeTimes, delayLevel));
      return true;
    } catch (err) {
      logger.error('sending to the retry topic failed too, the message will be consumed again locally', {
        group,
        msgId: msg.msgId,
        error: err,
      });
      return false;
    }
  }

  /**
   * Orderly dead letters (ConsumeMessageOrderlyService.sendMessageBack): sent straight to %RETRY%<group>
   * with the client's own reconsume count above the maximum, which the broker stores in %DLQ%<group> — so
   * the dead letter records how often it was tried (orderly retries happen here, the broker never saw
   * them). CONSUMER_SEND_MSG_BACK with delayLevel −1 is the fallback.
   */
  async sendToDlq(msg: MessageExt, mq: MessageQueue): Promise<boolean> {
    const { group, maxReconsumeTimes, logger } = this.o;
    try {
      const sender = await this.o.sender();
      await sender.send(buildRetryMessage(msg, group, maxReconsumeTimes, DLQ_DELAY_LEVEL));
      return true;
    } catch (err) {
      logger.warn('sending a dead letter to the retry topic failed, trying send-back', {
        group,
        msgId: msg.msgId,
        error: err,
      });
    }
    return this.sendBack(msg, DLQ_DELAY_LEVEL, mq);
  }
}
