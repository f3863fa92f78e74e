import { resolveSchema, type ConfigOf, type Schema } from './config-schema';

/**
 * Transactional messages (BrokerConfig.java names, RocketMQ defaults): when a half message is old
 * enough to ask its producer group about, how often the half queue is walked, and after how many
 * unanswered check-backs it is given up. `transactionEndedGraceTime` is ours: RocketMQ does not
 * recognise a repeated END_TRANSACTION at all.
 */
export const TRANSACTION_SCHEMA = {
  transactionTimeOut: {
    type: 'int',
    default: 6_000,
    min: 0,
    doc: 'ms after its birth before a half message without an END_TRANSACTION is checked back',
  },
  transactionCheckInterval: {
    type: 'int',
    default: 60_000,
    min: 100,
    doc: 'ms between walks of the half queue by the check-back service',
  },
  transactionCheckMax: {
    type: 'int',
    default: 15,
    min: 1,
    doc: 'check-backs after which a half message is moved to TRANS_CHECK_MAX_TIME_TOPIC',
  },
  transactionEndedGraceTime: {
    type: 'int',
    default: 600_000,
    min: 0,
    doc: 'ms an ended transaction is still recognised after the check-back walk passed it (and after a restart)',
  },
} as const satisfies Schema;

export type TransactionConfig = ConfigOf<typeof TRANSACTION_SCHEMA>;

export function resolveTransactionConfig(input: Record<string, unknown>): TransactionConfig {
  return resolveSchema(TRANSACTION_SCHEMA, input);
}
