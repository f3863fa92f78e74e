import { bool, num, obj, str } from '@rocketts/protocol';

/** SubscriptionGroupConfig.java; defaults as RocketMQ. */
export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
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
