/** SubscriptionGroupConfig.java: the codec is shared with the admin client, so it lives in the protocol. */
export {
  decodeSubscriptionGroupConfig,
  subscriptionGroupConfig,
  type SubscriptionGroupConfig,
} from '@rocketts/protocol';
