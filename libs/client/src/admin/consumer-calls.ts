import {
  ConsumeMessageDirectlyResultRequestHeader,
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  decodeOffsetMsgId,
  GetConsumerRunningInfoRequestHeader,
  InvalidArgumentError,
  isResponseCode,
  RequestCode,
  ResponseCode,
  RETRY_GROUP_TOPIC_PREFIX,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import { allBrokers, routeBrokers, type BrokerTarget } from './brokers';

/**
 * Calls a broker relays to one consumer client (AdminBrokerProcessor.callConsumer): the broker must be
 * one the client is connected to. The broker waits 10 s for the client, so these calls get 15 s.
 */
const RELAYED_CALL_TIMEOUT_MS = 15_000;

/** Brokers of %RETRY%<group> (a consumer heartbeats to each), else every broker. */
async function groupBrokers(instance: ClientInstance, group: string): Promise<BrokerTarget[]> {
  try {
    return routeBrokers(await instance.namesrv.getTopicRouteInfo(RETRY_GROUP_TOPIC_PREFIX + group));
  } catch (err) {
    if (isResponseCode(err, ResponseCode.TOPIC_NOT_EXIST)) return allBrokers(instance);
    throw err;
  }
}

/**
 * GET_CONSUMER_RUNNING_INFO for one client of the group (DefaultMQAdminExtImpl.getConsumerRunningInfo):
 * asked through the brokers of %RETRY%<group> in turn until one reaches the client. The client's own
 * error (e.g. it does not know the group) or the last broker's "not online" SYSTEM_ERROR is thrown.
 */
export async function getConsumerRunningInfo(
  instance: ClientInstance,
  consumerGroup: string,
  clientId: string,
  jstack: boolean,
): Promise<ConsumerRunningInfo> {
  const header = GetConsumerRunningInfoRequestHeader.encode({
    consumerGroup,
    clientId,
    jstackEnable: jstack,
  });
  let lastErr: unknown;
  for (const b of await groupBrokers(instance, consumerGroup)) {
    try {
      const resp = await instance.invoke(
        b.addr,
        instance.request(RequestCode.GET_CONSUMER_RUNNING_INFO, header),
        RELAYED_CALL_TIMEOUT_MS,
      );
      return decodeConsumerRunningInfo(resp.body);
    } catch (err) {
      lastErr = err;
    }
  }
  throw (
    lastErr ??
    new MQClientError(MQClientErrorCode.BROKER_NOT_FOUND, `no broker serves group ${consumerGroup}`)
  );
}

/**
 * CONSUME_MESSAGE_DIRECTLY: have one client of the group consume one stored message now and report how
 * it went (DefaultMQAdminExtImpl.consumeMessageDirectly). `offsetMsgId` names the message and the broker
 * storing it, which loads it and relays it to the client; `topic` lets the broker add its topicSysFlag.
 */
export async function consumeMessageDirectly(
  instance: ClientInstance,
  consumerGroup: string,
  clientId: string,
  offsetMsgId: string,
  topic?: string,
): Promise<ConsumeMessageDirectlyResult> {
  let addr: string;
  try {
    addr = decodeOffsetMsgId(offsetMsgId).addr;
  } catch (err) {
    throw new InvalidArgumentError('msgId', (err as Error).message);
  }
  const header = ConsumeMessageDirectlyResultRequestHeader.encode({
    consumerGroup,
    clientId,
    msgId: offsetMsgId,
    ...(topic ? { topic } : {}),
  });
  const resp = await instance.invoke(
    addr,
    instance.request(RequestCode.CONSUME_MESSAGE_DIRECTLY, header),
    RELAYED_CALL_TIMEOUT_MS,
  );
  return decodeConsumeMessageDirectlyResult(resp.body);
}
