import { MQVersion } from '@rocketts/protocol';

/**
 * Where a consumer's failed message goes next (§11.2), as pure decisions so the table is tested on
 * its own: AbstractSendMessageProcessor.consumerSendMsgBack and SendMessageProcessor.handleRetryAndDLQ.
 */

/** A send-back with delayLevel 0 is retried at level 3 + reconsumeTimes: 10 s, 30 s, 1 m, … (default table). */
export const RETRY_BASE_DELAY_LEVEL = 3;
/** %DLQ%<group> has one queue (MixAll.DLQ_NUMS_PER_GROUP). */
export const DLQ_QUEUE_NUMS_PER_GROUP = 1;

export type SendBackTarget =
  | { target: 'DLQ' }
  /** Stored with DELAY = delayLevel (clamped to the table at store), reappearing in %RETRY%<group>. */
  | { target: 'RETRY'; delayLevel: number };

/**
 * The reconsume limit of a request: its own `maxReconsumeTimes` when the client is ≥ V3_4_9 (what
 * ali-ons sends) and gave one, else the group's `retryMaxTimes`.
 */
export function maxReconsumeTimesOf(
  requestVersion: number,
  headerMax: number | undefined,
  groupRetryMaxTimes: number,
): number {
  return requestVersion >= MQVersion.V3_4_9 && headerMax !== undefined ? headerMax : groupRetryMaxTimes;
}

/**
 * CONSUMER_SEND_MSG_BACK step 6: the dead-letter queue once the message has been reconsumed
 * `maxReconsumeTimes` times or the client asks for it (delayLevel < 0); otherwise a retry at the
 * requested level, or at 3 + reconsumeTimes when the client leaves it to the broker (0).
 */
export function decideSendBack(
  reconsumeTimes: number,
  delayLevel: number,
  maxReconsumeTimes: number,
): SendBackTarget {
  if (reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) return { target: 'DLQ' };
  return {
    target: 'RETRY',
    delayLevel: delayLevel === 0 ? RETRY_BASE_DELAY_LEVEL + reconsumeTimes : delayLevel,
  };
}

/**
 * A client's own re-send to %RETRY%<group> (its fallback when send-back failed) goes to the DLQ when
 * its reconsumeTimes is strictly above the limit: the client already counted this attempt.
 */
export function directRetrySendGoesToDlq(reconsumeTimes: number, maxReconsumeTimes: number): boolean {
  return reconsumeTimes > maxReconsumeTimes;
}
