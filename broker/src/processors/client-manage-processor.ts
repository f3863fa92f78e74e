import type { RemotingChannel } from '@rocketts/client';
import {
  createResponse,
  decodeHeartbeatData,
  decodeSubscriptionData,
  ExpressionType,
  obj,
  parseBody,
  Perm,
  RequestCode,
  ResponseCode,
  SqlFilterSyntaxError,
  UnregisterClientRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import { retryTopicOf } from '../topics/topic-validator';

/** HEART_BEAT, UNREGISTER_CLIENT, CHECK_CLIENT_CONFIG (ClientManageProcessor.java). */
export class ClientManageProcessor implements RequestProcessor {
  static readonly codes = [
    RequestCode.HEART_BEAT,
    RequestCode.UNREGISTER_CLIENT,
    RequestCode.CHECK_CLIENT_CONFIG,
  ];

  constructor(private readonly ctx: BrokerContext) {}

  process(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    switch (cmd.code) {
      case RequestCode.HEART_BEAT:
        return this.heartbeat(cmd, channel);
      case RequestCode.UNREGISTER_CLIENT:
        return this.unregister(cmd, channel);
      default:
        return this.checkClientConfig(cmd);
    }
  }

  /**
   * §4.5: register the connection under each producer and consumer group; for consumer groups make
   * sure the group and its %RETRY% topic exist (clients subscribe it and look up its route).
   */
  private heartbeat(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const hb = decodeHeartbeatData(cmd.body);
    const now = Date.now();
    const client = {
      channel,
      clientId: hb.clientID,
      language: cmd.language,
      version: cmd.version,
      lastUpdate: now,
    };
    for (const c of hb.consumerDataSet) {
      const group = this.ctx.groups.findOrCreate(c.groupName);
      if (group && group.retryQueueNums > 0) {
        this.ctx.topics.ensure(retryTopicOf(c.groupName), group.retryQueueNums, Perm.READ | Perm.WRITE);
      }
      this.ctx.consumers.register({
        group: c.groupName,
        client,
        consumeType: c.consumeType,
        messageModel: c.messageModel,
        consumeFromWhere: c.consumeFromWhere,
        subscriptions: c.subscriptionDataSet,
        notifyOnChange: group?.notifyConsumerIdsChangedEnable ?? true,
      });
    }
    for (const p of hb.producerDataSet) this.ctx.producers.register(p.groupName, client);
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  private unregister(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const h = UnregisterClientRequestHeader.decode(cmd.extFields);
    if (h.producerGroup) this.ctx.producers.unregister(h.producerGroup, channel);
    if (h.consumerGroup) this.ctx.consumers.unregister(h.consumerGroup, channel);
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  /** Validate a subscription before a client starts: SQL92 must compile and be enabled. */
  private checkClientConfig(cmd: RemotingCommand): RemotingCommand {
    const body = parseBody(cmd.body, 'CheckClientRequestBody');
    const sub = decodeSubscriptionData(obj(body.subscriptionData, 'subscriptionData'));
    if (sub.expressionType !== ExpressionType.SQL92) return createResponse(cmd, ResponseCode.SUCCESS);
    if (!this.ctx.settings.enablePropertyFilter) {
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        'The broker does not support consumer to filter message by SQL92',
      );
    }
    try {
      this.ctx.sqlFilters.get(sub.subString);
    } catch (err) {
      if (err instanceof SqlFilterSyntaxError)
        return createResponse(cmd, ResponseCode.SUBSCRIPTION_PARSE_FAILED, err.message);
      throw err;
    }
    return createResponse(cmd, ResponseCode.SUCCESS);
  }
}
