import { InvalidArgumentError } from '@rocketts/protocol';
import { booleanOption, optionsObject, positiveInt, rejectUnknownKeys } from '../../options/validate';
import { PRODUCER_OPTION_KEYS, type ProducerOptions } from '../producer-options';
import {
  resolveCheckListeners,
  type ResolvedCheckListener,
  type TransactionCheckFn,
  type TransactionCheckListener,
} from './check-listeners';

export interface TransactionProducerOptions extends ProducerOptions {
  /**
   * Check-back listeners, first match wins: by topic and/or by a `match` on the message, so one producer
   * group can serve several kinds of transactions (rocketmq-spring allows one listener per group).
   */
  checkListeners?: readonly TransactionCheckListener[];
  /** Answers check-backs no entry of `checkListeners` takes. Without one such checks answer UNKNOWN. */
  defaultCheckListener?: TransactionCheckFn;
  /** Check-backs evaluated at once; further ones wait in a queue of at most MAX_QUEUED_CHECKS. */
  checkConcurrency?: number;
  /**
   * When `executeLocal` throws: false (default, as RocketMQ) sends UNKNOWN and lets the broker check back;
   * true sends ROLLBACK. Only safe if a throw proves the local transaction did not commit.
   */
  rollbackOnError?: boolean;
}

/**
 * Check-backs in flight by default. Java's TransactionMQProducer uses one check thread; a Node listener
 * mostly awaits I/O (a database lookup), so a few at once cost little and keep one slow check from
 * delaying the rest.
 */
export const DEFAULT_CHECK_CONCURRENCY = 4;
/** Check-backs waiting beyond this are dropped (the broker asks again next round), as checkRequestHoldMax. */
export const MAX_QUEUED_CHECKS = 2000;

const TRANSACTION_KEYS = {
  checkListeners: true,
  defaultCheckListener: true,
  checkConcurrency: true,
  rollbackOnError: true,
} as const;

export interface TransactionConfig {
  listeners: ResolvedCheckListener[];
  defaultCheck: TransactionCheckFn | undefined;
  checkConcurrency: number;
  rollbackOnError: boolean;
}

/**
 * Split the transaction options from the producer's (which Producer validates itself) and validate them.
 * Unknown keys are rejected first, naming every key a TransactionProducer accepts.
 */
export function resolveTransactionOptions(input: TransactionProducerOptions): {
  producer: ProducerOptions;
  transaction: TransactionConfig;
} {
  const o = optionsObject('TransactionProducer', input);
  const known: Record<string, true> = { ...PRODUCER_OPTION_KEYS, ...TRANSACTION_KEYS };
  rejectUnknownKeys('TransactionProducer', o, known);
  const { checkListeners, defaultCheckListener, checkConcurrency, rollbackOnError, ...producer } = o;
  if (defaultCheckListener !== undefined && typeof defaultCheckListener !== 'function')
    throw new InvalidArgumentError('defaultCheckListener', 'must be a function');
  const listeners = resolveCheckListeners(checkListeners);
  if (listeners.length === 0 && defaultCheckListener === undefined) {
    // Every check-back would answer UNKNOWN until the broker gives up (15 checks) and drops the message.
    throw new InvalidArgumentError(
      'checkListeners',
      'a TransactionProducer needs checkListeners or a defaultCheckListener to answer check-backs',
    );
  }
  return {
    producer,
    transaction: {
      listeners,
      defaultCheck: defaultCheckListener,
      checkConcurrency: positiveInt(checkConcurrency ?? DEFAULT_CHECK_CONCURRENCY, 'checkConcurrency'),
      rollbackOnError: booleanOption(rollbackOnError, 'rollbackOnError', false),
    },
  };
}
