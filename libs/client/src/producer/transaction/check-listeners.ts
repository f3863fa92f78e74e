import { InvalidArgumentError, type MessageExt } from '@rocketts/protocol';
import { rejectUnknownKeys } from '../../options/validate';
import type { LocalTransactionStateValue } from './transaction-state';

/** What a check-back knows besides the message. */
export interface TransactionCheckInfo {
  /** The transaction id the broker asks about (= the message's UNIQ_KEY). */
  transactionId: string;
  /** "ip:port" of the broker that asked. */
  brokerAddr: string;
  /** How many times the broker has checked this half message, this check included (TRANSACTION_CHECK_TIMES). */
  checkTimes: number;
}

/**
 * Answers a broker's check-back (TransactionListener.checkLocalTransaction): was the local transaction of
 * `msg` committed? A throw or anything but COMMIT/ROLLBACK/UNKNOWN counts as UNKNOWN.
 */
export type TransactionCheckFn = (
  msg: MessageExt,
  info: TransactionCheckInfo,
) => LocalTransactionStateValue | Promise<LocalTransactionStateValue>;

/**
 * A check listener for part of a producer group's messages: by `topic` (the real topic, one or several),
 * by `match` on the message (e.g. a property naming the message type), or both (both must hold).
 */
export interface TransactionCheckListener {
  topic?: string | readonly string[];
  match?: (msg: MessageExt) => boolean;
  check: TransactionCheckFn;
}

const LISTENER_KEYS: Readonly<Record<keyof TransactionCheckListener, true>> = {
  topic: true,
  match: true,
  check: true,
};

/** A validated listener: topics as a set. */
export interface ResolvedCheckListener {
  topics: ReadonlySet<string> | undefined;
  match: ((msg: MessageExt) => boolean) | undefined;
  check: TransactionCheckFn;
}

export function resolveCheckListeners(value: unknown): ResolvedCheckListener[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError('checkListeners', 'must be an array');
  return value.map((l: unknown, i) => {
    const key = `checkListeners[${i}]`;
    if (typeof l !== 'object' || l === null) throw new InvalidArgumentError(key, 'must be an object');
    rejectUnknownKeys(key, l, LISTENER_KEYS);
    const { topic, match, check } = l as Partial<TransactionCheckListener>;
    if (typeof check !== 'function') throw new InvalidArgumentError(`${key}.check`, 'must be a function');
    if (match !== undefined && typeof match !== 'function')
      throw new InvalidArgumentError(`${key}.match`, 'must be a function');
    const topics = topic === undefined ? undefined : Array.isArray(topic) ? topic : [topic];
    if (topics?.some((t) => typeof t !== 'string' || t.length === 0) || topics?.length === 0)
      throw new InvalidArgumentError(`${key}.topic`, 'must be a topic name or a non-empty array of them');
    if (topics === undefined && match === undefined)
      throw new InvalidArgumentError(
        key,
        'needs a topic or a match function (use defaultCheckListener for the rest)',
      );
    return { topics: topics && new Set<string>(topics), match, check };
  });
}

/** The first listener that takes `msg` (a throwing `match` propagates: the check then answers UNKNOWN). */
export function pickCheckListener(
  listeners: readonly ResolvedCheckListener[],
  fallback: TransactionCheckFn | undefined,
  msg: MessageExt,
): TransactionCheckFn | undefined {
  for (const l of listeners) {
    if (l.topics && !l.topics.has(msg.topic)) continue;
    if (l.match && !l.match(msg)) continue;
    return l.check;
  }
  return fallback;
}
