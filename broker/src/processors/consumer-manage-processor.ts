import { totalmem } from 'node:os';
import {
  ConsumerGroupRequestHeader,
  createResponse,
  encodeConsumerIdList,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  readLong,
  RequestCode,
  ResponseCode,
  UpdateConsumerOffsetRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';

/** Share of RAM within which message 0 counts as "in memory" (accessMessageInMemoryMaxRatio = 40). */
const IN_MEMORY_RATIO = 0.4;

/** GET_CONSUMER_LIST_BY_GROUP, QUERY_CONSUMER_OFFSET, UPDATE_CONSUMER_OFFSET (ConsumerManageProcessor.java). */
export class ConsumerManageProcessor {
  static readonly codes = [
    RequestCode.GET_CONSUMER_LIST_BY_GROUP,
    RequestCode.QUERY_CONSUMER_OFFSET,
    RequestCode.UPDATE_CONSUMER_OFFSET,
  ];

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    switch (cmd.code) {
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
        return this.consumerList(cmd);
      case RequestCode.QUERY_CONSUMER_OFFSET:
        return this.queryOffset(cmd);
      default:
        return this.updateOffset(cmd);
    }
  };

  private consumerList(cmd: RemotingCommand): RemotingCommand {
    const { consumerGroup } = ConsumerGroupRequestHeader.decode(cmd.extFields);
    const ids = this.ctx.consumers.consumerIds(consumerGroup);
    if (ids.length === 0)
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${consumerGroup}`);
    return createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, encodeConsumerIdList(ids));
  }

  /**
   * The stored offset; without one, offset 0 for a queue whose first message is still in memory
   * (a new group reads it from the start), otherwise QUERY_NOT_FOUND so the client applies
   * consumeFromWhere.
   */
  private queryOffset(cmd: RemotingCommand): RemotingCommand {
    const h = QueryConsumerOffsetRequestHeader.decode(cmd.extFields);
    const stored = this.ctx.offsets.query(h.consumerGroup, h.topic, h.queueId);
    if (stored >= 0)
      return createResponse(
        cmd,
        ResponseCode.SUCCESS,
        undefined,
        OffsetResponseHeader.encode({ offset: stored }),
      );
    const zeroAllowed = h.setZeroIfNotFound !== false;
    if (
      zeroAllowed &&
      this.ctx.store.getMinOffsetInQueue(h.topic, h.queueId) <= 0 &&
      this.firstMessageInMemory(h.topic, h.queueId)
    ) {
      return createResponse(cmd, ResponseCode.SUCCESS, undefined, OffsetResponseHeader.encode({ offset: 0 }));
    }
    return createResponse(
      cmd,
      ResponseCode.QUERY_NOT_FOUND,
      'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first',
    );
  }

  /** Accepts −1 (ali-ons sends it for offset 0): it then reads back as "no offset". */
  private updateOffset(cmd: RemotingCommand): RemotingCommand {
    const h = UpdateConsumerOffsetRequestHeader.decode(cmd.extFields);
    this.ctx.offsets.commit(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  private firstMessageInMemory(topic: string, queueId: number): boolean {
    const units = this.ctx.store.queues.find(topic, queueId)?.readUnits(0, 1);
    if (!units || units.length === 0) return true;
    return this.ctx.store.commitLog.maxOffset - readLong(units, 0) < totalmem() * IN_MEMORY_RATIO;
  }
}
