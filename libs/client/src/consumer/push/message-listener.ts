import { InvalidArgumentError, type MessageExt, type MessageQueue } from '@rocketts/protocol';

/** Outcome of a concurrent handler (ConsumeConcurrentlyStatus.java). */
export const ConsumeConcurrentlyStatus = {
  CONSUME_SUCCESS: 'CONSUME_SUCCESS',
  /** Deliver the messages again later through the group's %RETRY% topic. */
  RECONSUME_LATER: 'RECONSUME_LATER',
} as const;
export type ConsumeConcurrentlyStatusValue =
  (typeof ConsumeConcurrentlyStatus)[keyof typeof ConsumeConcurrentlyStatus];

/** Outcome of an orderly handler (ConsumeOrderlyStatus.java). */
export const ConsumeOrderlyStatus = {
  SUCCESS: 'SUCCESS',
  /** Stop this queue for a moment and try the same messages again (same order). */
  SUSPEND_CURRENT_QUEUE_A_MOMENT: 'SUSPEND_CURRENT_QUEUE_A_MOMENT',
} as const;
export type ConsumeOrderlyStatusValue = (typeof ConsumeOrderlyStatus)[keyof typeof ConsumeOrderlyStatus];

/** ConsumeConcurrentlyContext. */
export interface ConsumeConcurrentlyContext {
  readonly messageQueue: MessageQueue;
  /**
   * Delay level of the next delivery after a failure. 0 (default) lets the broker choose 3 + reconsumeTimes
   * (10 s, 30 s, 1 m, …); −1 sends the messages straight to the DLQ.
   */
  delayLevelWhenNextConsume: number;
  /**
   * On success, only messages 0…ackIndex count as consumed; the ones after it are redelivered as after a
   * failure. Every message by default. Ignored when the handler fails (then none counts).
   */
  ackIndex: number;
}

/** ConsumeConcurrentlyContext.ackIndex before the handler changes it: every message (Integer.MAX_VALUE). */
export const ACK_ALL = Number.MAX_SAFE_INTEGER;

/** ConsumeOrderlyContext. */
export interface ConsumeOrderlyContext {
  readonly messageQueue: MessageQueue;
  /** Pause before the failed batch is tried again; the consumer's suspendCurrentQueueTimeMillis by default. */
  suspendCurrentQueueTimeMillis: number;
}

/** Return nothing (or CONSUME_SUCCESS) when done; return RECONSUME_LATER or throw to have them redelivered. */
export type ConcurrentlyHandler = (
  msgs: MessageExt[],
  context: ConsumeConcurrentlyContext,
) => ConsumeConcurrentlyStatusValue | void | Promise<ConsumeConcurrentlyStatusValue | void>;

/** Return nothing (or SUCCESS) when done; return SUSPEND_CURRENT_QUEUE_A_MOMENT or throw to retry in place. */
export type OrderlyHandler = (
  msgs: MessageExt[],
  context: ConsumeOrderlyContext,
) => ConsumeOrderlyStatusValue | void | Promise<ConsumeOrderlyStatusValue | void>;

/**
 * MessageListenerConcurrently or MessageListenerOrderly: `{consumeConcurrently}` — any number of messages
 * of a queue in flight, failures redelivered through %RETRY%; `{consumeOrderly}` — one batch at a time per
 * queue in queue order, failures retried in place (clustering consumers hold a broker lock per queue).
 */
export type MessageListener =
  { consumeConcurrently: ConcurrentlyHandler } | { consumeOrderly: OrderlyHandler };

export type ResolvedListener =
  { orderly: false; handler: ConcurrentlyHandler } | { orderly: true; handler: OrderlyHandler };

export function resolveListener(listener: MessageListener): ResolvedListener {
  const l = listener as Partial<{ consumeConcurrently: unknown; consumeOrderly: unknown }>;
  if (typeof l !== 'object' || l === null)
    throw new InvalidArgumentError('listener', 'must be {consumeConcurrently} or {consumeOrderly}');
  const c = typeof l.consumeConcurrently === 'function';
  const o = typeof l.consumeOrderly === 'function';
  if (c === o)
    throw new InvalidArgumentError(
      'listener',
      'must have exactly one of consumeConcurrently, consumeOrderly',
    );
  return c
    ? { orderly: false, handler: l.consumeConcurrently as ConcurrentlyHandler }
    : { orderly: true, handler: l.consumeOrderly as OrderlyHandler };
}

export interface ConcurrentlyOutcome {
  status: ConsumeConcurrentlyStatusValue;
  error?: unknown;
}

/** The outcome of every successful call (one shared object: callers may compare by identity). */
export const CONSUMED_OK: ConcurrentlyOutcome = Object.freeze({
  status: ConsumeConcurrentlyStatus.CONSUME_SUCCESS,
});

function concurrentlyOutcome(r: ConsumeConcurrentlyStatusValue | void): ConcurrentlyOutcome {
  if (r === undefined || r === ConsumeConcurrentlyStatus.CONSUME_SUCCESS) return CONSUMED_OK;
  if (r === ConsumeConcurrentlyStatus.RECONSUME_LATER) return { status: r };
  return {
    status: ConsumeConcurrentlyStatus.RECONSUME_LATER,
    error: new InvalidArgumentError('status', `unknown consume status ${String(r)}`),
  };
}

/**
 * A concurrent handler's outcome: returning nothing is success, throwing is RECONSUME_LATER. A handler
 * that returns synchronously gets its outcome synchronously — no promise per message on the hot path.
 */
export function callConcurrently(
  handler: ConcurrentlyHandler,
  msgs: MessageExt[],
  context: ConsumeConcurrentlyContext,
): ConcurrentlyOutcome | Promise<ConcurrentlyOutcome> {
  let r: ReturnType<ConcurrentlyHandler>;
  try {
    r = handler(msgs, context);
  } catch (error) {
    return { status: ConsumeConcurrentlyStatus.RECONSUME_LATER, error };
  }
  if (r === undefined || typeof r === 'string') return concurrentlyOutcome(r);
  return Promise.resolve(r).then(concurrentlyOutcome, (error: unknown) => ({
    status: ConsumeConcurrentlyStatus.RECONSUME_LATER,
    error,
  }));
}

/** callConcurrently, always as a promise (calls off the hot path). */
export async function runConcurrently(
  handler: ConcurrentlyHandler,
  msgs: MessageExt[],
  context: ConsumeConcurrentlyContext,
): Promise<ConcurrentlyOutcome> {
  return callConcurrently(handler, msgs, context);
}

/** An orderly handler's outcome: returning nothing is success, throwing suspends the queue. */
export async function runOrderly(
  handler: OrderlyHandler,
  msgs: MessageExt[],
  context: ConsumeOrderlyContext,
): Promise<{ status: ConsumeOrderlyStatusValue; error?: unknown }> {
  try {
    const r = await handler(msgs, context);
    if (r === undefined || r === ConsumeOrderlyStatus.SUCCESS)
      return { status: ConsumeOrderlyStatus.SUCCESS };
    if (r === ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT) return { status: r };
    return {
      status: ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT,
      error: new InvalidArgumentError('status', `unknown consume status ${String(r)}`),
    };
  } catch (error) {
    return { status: ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT, error };
  }
}
