export * from './message';
export * from './producer';
export * from './producer-options';
export * from './send-retry';
export { checkTopic } from './validators';
