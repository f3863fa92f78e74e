import {
  createResponse,
  GetEarliestMsgStoretimeResponseHeader,
  OffsetResponseHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  TopicQueueRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';

/** GET_MAX_OFFSET, GET_MIN_OFFSET, GET_EARLIEST_MSG_STORETIME, SEARCH_OFFSET_BY_TIMESTAMP (AdminBrokerProcessor's queue queries). */
export class QueueOffsetProcessor {
  static readonly codes = [
    RequestCode.GET_MAX_OFFSET,
    RequestCode.GET_MIN_OFFSET,
    RequestCode.GET_EARLIEST_MSG_STORETIME,
    RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
  ];

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    const store = this.ctx.store;
    const offset = (n: number): RemotingCommand =>
      createResponse(cmd, ResponseCode.SUCCESS, undefined, OffsetResponseHeader.encode({ offset: n }));
    switch (cmd.code) {
      case RequestCode.GET_MAX_OFFSET: {
        const h = TopicQueueRequestHeader.decode(cmd.extFields);
        return offset(store.getMaxOffsetInQueue(h.topic, h.queueId));
      }
      case RequestCode.GET_MIN_OFFSET: {
        const h = TopicQueueRequestHeader.decode(cmd.extFields);
        return offset(store.getMinOffsetInQueue(h.topic, h.queueId));
      }
      case RequestCode.GET_EARLIEST_MSG_STORETIME: {
        const h = TopicQueueRequestHeader.decode(cmd.extFields);
        const timestamp = store.getEarliestMessageTime(h.topic, h.queueId);
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          GetEarliestMsgStoretimeResponseHeader.encode({ timestamp }),
        );
      }
      default: {
        // 5.x boundary semantics; 4.x clients send no boundaryType and get the lower bound.
        const h = SearchOffsetRequestHeader.decode(cmd.extFields);
        const boundary = h.boundaryType?.toLowerCase() === 'upper' ? 'upper' : 'lower';
        return offset(store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp, boundary));
      }
    }
  };
}
