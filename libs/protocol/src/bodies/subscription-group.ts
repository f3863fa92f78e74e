import { stringifyJavaJson } from '../json/java-json';
import { bool, num, obj, str } from './body-reader';

/**
 * SubscriptionGroupConfig (§6.5), the body of UPDATE_AND_CREATE_SUBSCRIPTIONGROUP and the values of
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG; defaults as SubscriptionGroupConfig.java. The 5.x groupRetryPolicy,
 * subscriptionDataSet and attributes are not modelled: read as absent, never written.
 */
export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  /** Queues of %RETRY%<group>. */
  retryQueueNums: number;
  /** Failed deliveries before a message goes to %DLQ%<group>. */
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  /** Minutes a push consumer may spend on one message before it is sent back. */
  consumeTimeoutMinute: number;
}

export function subscriptionGroupConfig(
  groupName: string,
  init: Partial<SubscriptionGroupConfig> = {},
): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    consumeMessageOrderly: false,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    groupSysFlag: 0,
    consumeTimeoutMinute: 15,
    ...init,
  };
}

/** The bean's fields in fastjson's (alphabetical) order. */
export function encodeSubscriptionGroupConfig(g: SubscriptionGroupConfig): Buffer {
  return Buffer.from(
    stringifyJavaJson({
      brokerId: g.brokerId,
      consumeBroadcastEnable: g.consumeBroadcastEnable,
      consumeEnable: g.consumeEnable,
      consumeFromMinEnable: g.consumeFromMinEnable,
      consumeMessageOrderly: g.consumeMessageOrderly,
      consumeTimeoutMinute: g.consumeTimeoutMinute,
      groupName: g.groupName,
      groupSysFlag: g.groupSysFlag,
      notifyConsumerIdsChangedEnable: g.notifyConsumerIdsChangedEnable,
      retryMaxTimes: g.retryMaxTimes,
      retryQueueNums: g.retryQueueNums,
      whichBrokerWhenConsumeSlowly: g.whichBrokerWhenConsumeSlowly,
    }),
    'utf8',
  );
}

/** A parsed SubscriptionGroupConfig object; missing fields take the Java defaults. */
export function decodeSubscriptionGroupConfig(v: unknown): SubscriptionGroupConfig {
  const o = obj(v, 'SubscriptionGroupConfig');
  const d = subscriptionGroupConfig(str(o.groupName, 'groupName'));
  return {
    groupName: d.groupName,
    consumeEnable: bool(o.consumeEnable, d.consumeEnable),
    consumeFromMinEnable: bool(o.consumeFromMinEnable, d.consumeFromMinEnable),
    consumeBroadcastEnable: bool(o.consumeBroadcastEnable, d.consumeBroadcastEnable),
    consumeMessageOrderly: bool(o.consumeMessageOrderly, d.consumeMessageOrderly),
    retryQueueNums: num(o.retryQueueNums, 'retryQueueNums', d.retryQueueNums),
    retryMaxTimes: num(o.retryMaxTimes, 'retryMaxTimes', d.retryMaxTimes),
    brokerId: num(o.brokerId, 'brokerId', d.brokerId),
    whichBrokerWhenConsumeSlowly: num(
      o.whichBrokerWhenConsumeSlowly,
      'whichBrokerWhenConsumeSlowly',
      d.whichBrokerWhenConsumeSlowly,
    ),
    notifyConsumerIdsChangedEnable: bool(o.notifyConsumerIdsChangedEnable, d.notifyConsumerIdsChangedEnable),
    groupSysFlag: num(o.groupSysFlag, 'groupSysFlag', d.groupSysFlag),
    consumeTimeoutMinute: num(o.consumeTimeoutMinute, 'consumeTimeoutMinute', d.consumeTimeoutMinute),
  };
}
