import { MessageSysFlag } from '@rocketts/protocol';

/**
 * Outcome of a local transaction or of a check-back (LocalTransactionState / rocketmq-spring's
 * RocketMQLocalTransactionState). UNKNOWN leaves the half message to the broker, which checks back later.
 */
export const LocalTransactionState = {
  COMMIT: 'COMMIT',
  ROLLBACK: 'ROLLBACK',
  UNKNOWN: 'UNKNOWN',
} as const;

export type LocalTransactionStateValue = (typeof LocalTransactionState)[keyof typeof LocalTransactionState];

/** END_TRANSACTION commitOrRollback per state (§10.2): the transaction type bits of MessageSysFlag. */
export const COMMIT_OR_ROLLBACK: Readonly<Record<LocalTransactionStateValue, number>> = {
  COMMIT: MessageSysFlag.TRANSACTION_COMMIT_TYPE, // 8
  ROLLBACK: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE, // 12
  UNKNOWN: MessageSysFlag.TRANSACTION_NOT_TYPE, // 0: the broker does nothing and checks back later
};

export function isLocalTransactionState(v: unknown): v is LocalTransactionStateValue {
  return v === 'COMMIT' || v === 'ROLLBACK' || v === 'UNKNOWN';
}
