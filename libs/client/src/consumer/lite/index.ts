export { LitePullConsumer } from './lite-pull-consumer';
export {
  DEFAULT_LITE_AUTO_COMMIT_INTERVAL_MS,
  DEFAULT_LITE_PULL_BATCH_SIZE,
  DEFAULT_LITE_REBALANCE_INTERVAL_MS,
  type LitePullConsumerOptions,
} from './lite-pull-consumer-options';
