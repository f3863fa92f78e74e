export { LitePullConsumer } from './lite-pull-consumer';
// Named exports only: the push consumer has its own ConsumeFromWhere until the two are unified.
export {
  DEFAULT_LITE_AUTO_COMMIT_INTERVAL_MS,
  DEFAULT_LITE_PULL_BATCH_SIZE,
  DEFAULT_LITE_REBALANCE_INTERVAL_MS,
  type LitePullConsumerOptions,
  type LiteConsumeFromWhere,
} from './lite-pull-consumer-options';
