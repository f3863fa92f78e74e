import type { RemotingChannel } from '@rocketts/client';
import {
  createResponse,
  ExpressionType,
  isReadable,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  PullSysFlag,
  RequestCode,
  ResponseCode,
  SqlFilterSyntaxError,
  type RemotingCommand,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import { buildTagSubscription, messageFilterFor } from '../filter/subscription-filter';
import type { HeldPull, PullRequestHoldService } from '../long-polling/pull-request-hold-service';
import type { RequestProcessor } from '../remoting/request-processor';
import { respond } from '../remoting/respond';
import { joinAdjacent } from './pull-body';
import type { MessageFilter } from '../store/message-filter';
import { GetMessageStatus, type GetMessageStatusValue } from '../store/statuses';

/** GetMessageStatus → pull ResponseCode (§9.3 step 4). */
function pullResponseCode(status: GetMessageStatusValue, requestedOffset: number): number {
  switch (status) {
    case GetMessageStatus.FOUND:
      return ResponseCode.SUCCESS;
    case GetMessageStatus.NO_MATCHED_MESSAGE:
    case GetMessageStatus.MESSAGE_WAS_REMOVING:
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case GetMessageStatus.NO_MESSAGE_IN_QUEUE:
    case GetMessageStatus.NO_MATCHED_LOGIC_QUEUE:
      return requestedOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case GetMessageStatus.OFFSET_OVERFLOW_ONE:
    case GetMessageStatus.OFFSET_FOUND_NULL:
      return ResponseCode.PULL_NOT_FOUND;
    default:
      return ResponseCode.PULL_OFFSET_MOVED;
  }
}

/** PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361) with long polling (PullMessageProcessor.java). */
export class PullMessageProcessor implements RequestProcessor {
  static readonly codes = [RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE];
  private holder: PullRequestHoldService | undefined;

  constructor(private readonly ctx: BrokerContext) {}

  attachHoldService(holder: PullRequestHoldService): void {
    this.holder = holder;
  }

  process(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand | null {
    return this.handle(cmd, channel, true);
  }

  /** A parked pull is re-run once, never parked again; its answer goes straight to the channel. */
  wake(p: HeldPull): void {
    if (!p.channel.isActive()) return;
    let resp: RemotingCommand | null;
    try {
      resp = this.handle(p.cmd, p.channel, false);
    } catch (err) {
      resp = createResponse(p.cmd, ResponseCode.SYSTEM_ERROR, (err as Error).message);
    }
    if (resp) respond(p.channel, p.cmd, resp);
  }

  private handle(cmd: RemotingCommand, channel: RemotingChannel, firstTime: boolean): RemotingCommand | null {
    const h = PullMessageRequestHeader.decode(cmd.extFields);
    const fail = (code: number, remark: string): RemotingCommand => createResponse(cmd, code, remark);
    const { ctx } = this;
    if (!isReadable(ctx.settings.brokerPermission)) {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.config.brokerName}] pulling message is forbidden`,
      );
    }
    const group = ctx.groups.findOrCreate(h.consumerGroup);
    if (!group)
      return fail(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group [${h.consumerGroup}] does not exist`,
      );
    if (!group.consumeEnable)
      return fail(ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);
    const tc = ctx.topics.get(h.topic);
    if (!tc) return fail(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
    if (!isReadable(tc.perm))
      return fail(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] pulling message is forbidden`);
    if (h.queueId < 0 || h.queueId >= tc.readQueueNums) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${tc.readQueueNums}]`,
      );
    }
    const sub = this.subscription(h, cmd);
    if ('error' in sub) return sub.error;
    let filter: MessageFilter;
    try {
      filter = messageFilterFor(sub.data, ctx.sqlFilters);
    } catch (err) {
      if (err instanceof SqlFilterSyntaxError)
        return fail(ResponseCode.SUBSCRIPTION_PARSE_FAILED, err.message);
      throw err;
    }

    const result = ctx.store.getMessage(
      h.topic,
      h.queueId,
      h.queueOffset,
      h.maxMsgNums,
      filter,
      h.maxMsgBytes,
    );
    const code = pullResponseCode(result.status, h.queueOffset);
    // Only a SUCCESS answer keeps the records: the cache blocks they point into stay pinned until it is written.
    if (code !== ResponseCode.SUCCESS) result.release();
    const suspend = (h.sysFlag & PullSysFlag.SUSPEND) !== 0;
    if (code === ResponseCode.PULL_NOT_FOUND && firstTime && suspend && this.holder) {
      const holdMs = ctx.settings.longPollingEnable
        ? h.suspendTimeoutMillis
        : ctx.settings.shortPollingTimeMills;
      this.holder.suspend({
        cmd,
        channel,
        topic: h.topic,
        queueId: h.queueId,
        pullFromOffset: h.queueOffset,
        filter,
        deadline: Date.now() + holdMs,
      });
      this.commitOffsets(h, firstTime, result.nextBeginOffset);
      return null;
    }
    this.commitOffsets(h, firstTime, result.nextBeginOffset);
    if (code === ResponseCode.SUCCESS) ctx.stats.recordGet(result.messages.length, result.bufferTotalSize);
    const resp = createResponse(
      cmd,
      code,
      result.status,
      PullMessageResponseHeader.encode({
        suggestWhichBrokerId: 0,
        nextBeginOffset: result.nextBeginOffset,
        minOffset: result.minOffset,
        maxOffset: result.maxOffset,
      }),
    );
    // Records go out as the zero-copy slices the store returned, joined only by writev.
    if (code === ResponseCode.SUCCESS) {
      resp.bodyParts = joinAdjacent(result.messages);
      resp.onWritten = result.release;
    }
    return resp;
  }

  /** The request's own subscription (SUBSCRIPTION bit) or the one its group registered by heartbeat. */
  private subscription(
    h: PullMessageRequestHeader,
    cmd: RemotingCommand,
  ): { data: SubscriptionData } | { error: RemotingCommand } {
    const fail = (code: number, remark: string): { error: RemotingCommand } => ({
      error: createResponse(cmd, code, remark),
    });
    const type = h.expressionType ?? ExpressionType.TAG;
    if ((h.sysFlag & PullSysFlag.SUBSCRIPTION) !== 0) {
      if (type === ExpressionType.SQL92) {
        if (!this.ctx.settings.enablePropertyFilter)
          return fail(
            ResponseCode.SYSTEM_ERROR,
            'The broker does not support consumer to filter message by SQL92',
          );
        return {
          data: {
            ...buildTagSubscription(h.topic, '*', h.subVersion),
            subString: h.subscription ?? '',
            expressionType: ExpressionType.SQL92,
          },
        };
      }
      if (type !== ExpressionType.TAG)
        return fail(ResponseCode.SUBSCRIPTION_PARSE_FAILED, `unknown expression type ${type}`);
      return { data: buildTagSubscription(h.topic, h.subscription, h.subVersion) };
    }
    const info = this.ctx.consumers.get(h.consumerGroup);
    if (!info) return fail(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's group info not exist`);
    const group = this.ctx.groups.get(h.consumerGroup);
    if (info.messageModel === 'BROADCASTING' && group && !group.consumeBroadcastEnable) {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
      );
    }
    const data = info.subscriptions.get(h.topic);
    if (!data) return fail(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's subscription not exist`);
    if (data.subVersion < h.subVersion)
      return fail(ResponseCode.SUBSCRIPTION_NOT_LATEST, `the consumer's subscription not latest`);
    if (data.expressionType === ExpressionType.SQL92 && !this.ctx.settings.enablePropertyFilter) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        'The broker does not support consumer to filter message by SQL92',
      );
    }
    return { data };
  }

  /** §9.3 step 6: remember the pull offset; store the piggy-backed commit offset on first processing. */
  private commitOffsets(h: PullMessageRequestHeader, firstTime: boolean, next: number): void {
    this.ctx.offsets.commitPullOffset(h.consumerGroup, h.topic, h.queueId, next);
    if (
      firstTime &&
      (h.sysFlag & PullSysFlag.COMMIT_OFFSET) !== 0 &&
      this.ctx.config.brokerRole !== 'SLAVE'
    ) {
      this.ctx.offsets.commit(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
    }
  }
}
