export {
  TransactionProducer,
  type ExecuteLocalTransaction,
  type SendInTransactionOptions,
  type TransactionSendResult,
} from './transaction-producer';
export {
  DEFAULT_CHECK_CONCURRENCY,
  MAX_QUEUED_CHECKS,
  type TransactionProducerOptions,
} from './transaction-options';
export type { TransactionCheckFn, TransactionCheckInfo, TransactionCheckListener } from './check-listeners';
export { LocalTransactionState, type LocalTransactionStateValue } from './transaction-state';
