export * from './message';
export * from './producer';
export * from './producer-options';
export * from './send-retry';
export { checkTopic } from './validators';
export * from './selectors';
export { createReply, type ReplyMessage, type RequestMessageLike } from './reply-message';
export { ISOLATION_LATENCY_MS, LATENCY_MAX_MS, NOT_AVAILABLE_DURATION_MS } from './latency-fault-tolerance';
export * from './transaction';
