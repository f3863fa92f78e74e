import { describe, expect, it } from 'vitest';
import { parseJavaJson } from '../json/java-json';
import {
  decodeSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
  subscriptionGroupConfig,
} from './subscription-group';

// fastjson text of a default SubscriptionGroupConfig from a 4.9 broker, and the 5.x additions.
const JAVA_49 =
  '{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"consumeMessageOrderly":false,"consumeTimeoutMinute":15,"groupName":"G","groupSysFlag":0,"notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}';
const JAVA_5X =
  '{"attributes":{},"brokerId":0,"consumeBroadcastEnable":false,"consumeEnable":true,"consumeFromMinEnable":false,"consumeMessageOrderly":true,"consumeTimeoutMinute":15,"groupName":"G5","groupRetryPolicy":{"type":"CUSTOMIZED"},"groupSysFlag":0,"notifyConsumerIdsChangedEnable":true,"retryMaxTimes":3,"retryQueueNums":2,"subscriptionDataSet":[],"whichBrokerWhenConsumeSlowly":1}';

describe('SubscriptionGroupConfig (§6.5)', () => {
  it('writes the defaults exactly as a 4.9 broker does and reads them back', () => {
    expect(encodeSubscriptionGroupConfig(subscriptionGroupConfig('G')).toString()).toBe(JAVA_49);
    expect(decodeSubscriptionGroupConfig(parseJavaJson(JAVA_49))).toEqual(subscriptionGroupConfig('G'));
  });

  it('reads 5.x text, ignoring the fields it does not model, and fills missing ones with defaults', () => {
    expect(decodeSubscriptionGroupConfig(parseJavaJson(JAVA_5X))).toEqual(
      subscriptionGroupConfig('G5', {
        consumeBroadcastEnable: false,
        consumeFromMinEnable: false,
        consumeMessageOrderly: true,
        retryMaxTimes: 3,
        retryQueueNums: 2,
      }),
    );
    expect(decodeSubscriptionGroupConfig({ groupName: 'bare' })).toEqual(subscriptionGroupConfig('bare'));
    expect(() => decodeSubscriptionGroupConfig({ retryMaxTimes: 1 })).toThrow(/groupName/);
  });
});
