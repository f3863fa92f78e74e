import {
  createResponse,
  decodeLockBatchRequest,
  encodeLockBatchResponse,
  RequestCode,
  ResponseCode,
} from '@rocketts/protocol';
import type { RebalanceLockManager } from '../client-manager/rebalance-lock-manager';
import type { RequestProcessor } from '../remoting/request-processor';

/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) of orderly consumers (§12.2; AdminBrokerProcessor.lockBatchMQ /
 * unlockBatchMQ). A lock request always succeeds: the body lists the queues the client now holds, which may
 * be fewer than it asked for. Single-broker locking only (5.x `lockInStrictMode` quorum is not supported).
 */
export class QueueLockProcessor {
  static readonly codes = [RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ];

  constructor(private readonly locks: RebalanceLockManager) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    const body = decodeLockBatchRequest(cmd.body);
    if (cmd.code === RequestCode.LOCK_BATCH_MQ) {
      const granted = this.locks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
      return createResponse(
        cmd,
        ResponseCode.SUCCESS,
        undefined,
        undefined,
        encodeLockBatchResponse(granted),
      );
    }
    this.locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponse(cmd, ResponseCode.SUCCESS);
  };
}
