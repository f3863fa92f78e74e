export { PushConsumer, LOCK_RENEW_INTERVAL_MS } from './push-consumer';
export * from './push-consumer-options';
export * from './message-listener';
export type { ConsumeStatus, ConsumerStatsSnapshot } from './consume-stats';
export { CLIENT_LOCK_MAX_LIVE_TIME_MS } from './process-queue';
export { retryTopicOf, dlqTopicOf, resetRetryTopic } from './retry-topic';
