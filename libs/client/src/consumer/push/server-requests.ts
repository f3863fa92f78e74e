import {
  ConsumeMessageDirectlyResultRequestHeader,
  ConsumerGroupRequestHeader,
  createResponse,
  decodeMessageRecords,
  decodeResetOffsetBody,
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
  GetConsumerRunningInfoRequestHeader,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  type MessageExt,
  type MessageQueue,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { Logger } from '../../logger';
import type { RemotingClient } from '../../remoting/remoting-client';

/** What the broker may ask of a push consumer on its connections (§5). */
export interface ConsumerRequestTarget {
  readonly group: string;
  /** NOTIFY_CONSUMER_IDS_CHANGED: the group's members changed. */
  rebalanceNow(): void;
  /** RESET_CONSUMER_CLIENT_OFFSET: restart the held queues of `offsets` from those offsets. */
  resetHeldOffsets(topic: string, offsets: [MessageQueue, number][]): Promise<unknown>;
  runningInfo(): ConsumerRunningInfo;
  /** CONSUME_MESSAGE_DIRECTLY: run the listener on one message outside the normal flow. */
  consumeDirectly(msg: MessageExt, brokerName: string | undefined): Promise<ConsumeMessageDirectlyResult>;
}

const notOurGroup = (cmd: RemotingCommand, group: string): RemotingCommand =>
  createResponse(cmd, ResponseCode.SYSTEM_ERROR, `The Consumer Group <${group}> not exist in this consumer`);

/**
 * Answers the broker → client requests of a push consumer (ClientRemotingProcessor.java). Each consumer
 * object owns its connections, so every request reaching these processors concerns this consumer; a
 * request naming another group is refused (SYSTEM_ERROR) or ignored (one-way).
 */
export function registerConsumerProcessors(
  remoting: RemotingClient,
  target: ConsumerRequestTarget,
  logger: Logger,
): void {
  remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (cmd, channel) => {
    const { consumerGroup } = ConsumerGroupRequestHeader.decode(cmd.extFields);
    if (consumerGroup !== target.group) return undefined;
    logger.info('consumer ids changed, rebalancing now', {
      group: consumerGroup,
      broker: channel.remoteAddress,
    });
    target.rebalanceNow();
    return undefined;
  });

  remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, async (cmd) => {
    const h = ResetOffsetRequestHeader.decode(cmd.extFields);
    if (h.group !== target.group) return undefined;
    const offsets = decodeResetOffsetBody(cmd.body).filter(([mq]) => mq.topic === h.topic);
    logger.info('offsets reset by the broker', {
      group: h.group,
      topic: h.topic,
      timestamp: h.timestamp,
      queues: offsets.length,
    });
    await target.resetHeldOffsets(h.topic, offsets);
    return undefined;
  });

  remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (cmd) => {
    const h = GetConsumerRunningInfoRequestHeader.decode(cmd.extFields);
    if (h.consumerGroup !== target.group) return notOurGroup(cmd, h.consumerGroup);
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      undefined,
      encodeConsumerRunningInfo(target.runningInfo()),
    );
  });

  remoting.registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, async (cmd) => {
    const h = ConsumeMessageDirectlyResultRequestHeader.decode(cmd.extFields);
    if (h.consumerGroup !== target.group) return notOurGroup(cmd, h.consumerGroup);
    const [msg] = cmd.body ? decodeMessageRecords(cmd.body, { inflate: true }) : [];
    if (!msg) return createResponse(cmd, ResponseCode.SYSTEM_ERROR, 'the request carries no message');
    const result = await target.consumeDirectly(msg, h.brokerName);
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      undefined,
      encodeConsumeMessageDirectlyResult(result),
    );
  });
}
