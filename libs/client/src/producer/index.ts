export * from './message';
export * from './producer';
export * from './producer-options';
export * from './send-retry';
export { checkTopic, VALID_TOPIC_PATTERN, TOPIC_MAX_LENGTH } from './validators';
