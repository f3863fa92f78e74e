import type { MessageQueue } from '@rocketts/protocol';
import type { MessageQueueSelector } from './selectors';

/** A message to send (Message.java). */
export interface Message {
  topic: string;
  /** Strings are sent as UTF-8. */
  body: Buffer | string;
  /** Single tag used for filtering (property TAGS). */
  tags?: string;
  /** Business keys, indexed by the broker for QUERY_MESSAGE (property KEYS, joined by spaces). */
  keys?: string | string[];
  /** User properties; the fields above win over entries of the same name. */
  properties?: Record<string, string>;
  /** User flag, stored verbatim (FLAG). */
  flag?: number;
  /** Delay level 1…n of the broker's messageDelayLevel table; 0 or absent = deliver now (property DELAY). */
  delayTimeLevel?: number;
  /** Wait for the store's durability goal before answering (property WAIT, default true). */
  waitStoreMsgOK?: boolean;
  /**
   * Messages with one sharding key go to one queue id, chosen as ali-ons does (property __SHARDING_KEY,
   * §12.1). A `queue` or `selector` given to the send takes precedence.
   */
  shardingKey?: string;
}

export interface SendOptions {
  /** Send to exactly this queue (ordered messages): no retry on another queue. */
  queue?: MessageQueue;
  /**
   * Ordered send: the selector picks the queue from the topic's publish queues given `arg`, e.g.
   * `{ selector: selectByHash, arg: orderId }`; no retry on another queue (as send(msg, selector, arg)).
   */
  selector?: MessageQueueSelector;
  /** What `selector` chooses by. */
  arg?: unknown;
  /** Budget for the whole send, retries included; the producer's sendMsgTimeoutMs by default. */
  timeoutMs?: number;
}

/** SendStatus.java: every status means the message is stored; the last three say a durability goal was missed. */
export const SendStatus = {
  SEND_OK: 'SEND_OK',
  FLUSH_DISK_TIMEOUT: 'FLUSH_DISK_TIMEOUT',
  FLUSH_SLAVE_TIMEOUT: 'FLUSH_SLAVE_TIMEOUT',
  SLAVE_NOT_AVAILABLE: 'SLAVE_NOT_AVAILABLE',
} as const;

export type SendStatusValue = (typeof SendStatus)[keyof typeof SendStatus];

export interface SendResult {
  status: SendStatusValue;
  /** The client unique id (UNIQ_KEY); for a batch, the ids joined by commas. */
  msgId: string;
  /** Store host + commit-log offset id (§8.2) from the broker; comma-joined for a batch. */
  offsetMsgId: string;
  messageQueue: MessageQueue;
  /** Logical offset in the queue (of the first message, for a batch). */
  queueOffset: number;
  /** 5.x brokers: the UNIQ_KEY again. */
  transactionId?: string;
  /** Broker region (MSG_REGION), "DefaultRegion" unless configured. */
  regionId?: string;
  traceOn?: boolean;
}

export interface BatchSendResult extends SendResult {
  /** One UNIQ_KEY per message, in the order given. */
  msgIds: string[];
  /** One offset message id per message, as the broker listed them. */
  offsetMsgIds: string[];
}

/** Node-style completion callback of Producer.sendAsync. */
export type SendCallback = (err: Error | null, result?: SendResult) => void;
