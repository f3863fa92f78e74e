import {
  buildPullSysFlag,
  messageQueueKey,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type MessageQueue,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import { MASTER_ID } from '../../route/topic-publish-info';
import { processPullResponse, type PullResult } from '../pull-result';

const PULL_ACCEPTED_CODES: readonly number[] = [
  ResponseCode.SUCCESS,
  ResponseCode.PULL_NOT_FOUND,
  ResponseCode.PULL_RETRY_IMMEDIATELY,
  ResponseCode.PULL_OFFSET_MOVED,
];

export interface LitePullRequest {
  group: string;
  mq: MessageQueue;
  sub: SubscriptionData;
  offset: number;
  maxNums: number;
  /** The broker holds an empty pull this long (long polling). */
  suspendMs: number;
  /** Socket timeout, above suspendMs. */
  timeoutMs: number;
}

/**
 * Long-polling PULL_MESSAGE for the lite consumer's prefetch (DefaultLitePullConsumerImpl.pullSyncImpl →
 * PullAPIWrapper): the subscription travels with every pull, no commit offset is piggy-backed (offsets are
 * committed separately), and the next pull of a queue goes to the broker the last answer suggested.
 * A 4.x-compatible PULL_MESSAGE, not 5.x's LITE_PULL_MESSAGE, so it works against any broker.
 */
export class LitePuller {
  /** Broker id each queue should be pulled from next (PullAPIWrapper.pullFromWhichNodeTable). */
  private readonly pullFromWhichNode = new Map<string, number>();

  constructor(private readonly instance: ClientInstance) {}

  async pull(r: LitePullRequest): Promise<PullResult> {
    const key = messageQueueKey(r.mq);
    const addr = await this.addrOf(r.mq, this.pullFromWhichNode.get(key) ?? MASTER_ID);
    const header = PullMessageRequestHeader.encode({
      consumerGroup: r.group,
      topic: r.mq.topic,
      queueId: r.mq.queueId,
      queueOffset: r.offset,
      maxMsgNums: r.maxNums,
      sysFlag: buildPullSysFlag(false, true, true, false),
      commitOffset: 0,
      suspendTimeoutMillis: r.suspendMs,
      subscription: r.sub.subString,
      subVersion: r.sub.subVersion,
      expressionType: r.sub.expressionType,
    });
    try {
      const resp = await this.instance.invoke(
        addr,
        this.instance.request(RequestCode.PULL_MESSAGE, header),
        r.timeoutMs,
        PULL_ACCEPTED_CODES,
      );
      const processed = processPullResponse(resp, addr, r.sub);
      this.pullFromWhichNode.set(key, processed.suggestWhichBrokerId);
      return processed.result;
    } catch (err) {
      this.pullFromWhichNode.delete(key);
      throw err;
    }
  }

  forget(mq: MessageQueue): void {
    this.pullFromWhichNode.delete(messageQueueKey(mq));
  }

  /** The wanted broker of the queue, else its master, else any; the route is read again once if unknown. */
  private addrOf(mq: MessageQueue, brokerId: number): Promise<string> {
    const routes = this.instance.routes;
    const find = (): string | undefined =>
      routes.findBrokerAddr(mq.brokerName, brokerId) ?? routes.findAnyAddr(mq.brokerName);
    return routes.resolveAddr(mq.topic, mq.brokerName, find, 'address');
  }
}
