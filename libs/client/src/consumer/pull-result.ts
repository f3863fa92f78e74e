import {
  decodeMessageRecords,
  PullMessageResponseHeader,
  RequestCode,
  ResponseCode,
  ResponseError,
  type MessageExt,
  type RemotingCommand,
  type SubscriptionData,
} from '@rocketts/protocol';

/** PullStatus.java. */
export const PullStatus = {
  /** Messages were found (after the client-side tag re-filter the list may still be empty). */
  FOUND: 'FOUND',
  /** Nothing at or after the offset yet. */
  NO_NEW_MSG: 'NO_NEW_MSG',
  /** Messages were there but none matched the subscription; continue from nextBeginOffset. */
  NO_MATCHED_MSG: 'NO_MATCHED_MSG',
  /** The offset is outside [minOffset, maxOffset]: adopt nextBeginOffset. */
  OFFSET_ILLEGAL: 'OFFSET_ILLEGAL',
} as const;

export type PullStatusValue = (typeof PullStatus)[keyof typeof PullStatus];

export interface PullResult {
  status: PullStatusValue;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  messages: MessageExt[];
}

/** Response code → status (§9.4); any other code is a ResponseError. */
const STATUS_BY_CODE: ReadonlyMap<number, PullStatusValue> = new Map<number, PullStatusValue>([
  [ResponseCode.SUCCESS, PullStatus.FOUND],
  [ResponseCode.PULL_NOT_FOUND, PullStatus.NO_NEW_MSG],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, PullStatus.NO_MATCHED_MSG],
  [ResponseCode.PULL_OFFSET_MOVED, PullStatus.OFFSET_ILLEGAL],
]);

export interface ProcessedPull {
  result: PullResult;
  /** Broker id the broker wants the next pull of this queue to go to (0 = master). */
  suggestWhichBrokerId: number;
}

/**
 * MQClientAPIImpl.processPullResponse + PullAPIWrapper.processPullResult: map the code, read the four
 * header fields, decode (and inflate) the records of a FOUND answer, and keep only messages whose TAGS is
 * in the subscription's tag set when it has one (the broker filtered by hash code, which can collide).
 */
export function processPullResponse(
  resp: RemotingCommand,
  addr: string,
  sub: SubscriptionData,
): ProcessedPull {
  const status = STATUS_BY_CODE.get(resp.code);
  if (status === undefined) throw new ResponseError(resp.code, resp.remark, addr, RequestCode.PULL_MESSAGE);
  const h = PullMessageResponseHeader.decode(resp.extFields);
  let messages: MessageExt[] = [];
  if (status === PullStatus.FOUND && resp.body && resp.body.length > 0) {
    messages = decodeMessageRecords(resp.body, { inflate: true });
    if (sub.tagsSet.length > 0 && !sub.classFilterMode) {
      const tags = new Set(sub.tagsSet);
      messages = messages.filter((m) => m.tags !== undefined && tags.has(m.tags));
    }
  }
  return {
    result: {
      status,
      nextBeginOffset: h.nextBeginOffset,
      minOffset: h.minOffset,
      maxOffset: h.maxOffset,
      messages,
    },
    suggestWhichBrokerId: h.suggestWhichBrokerId,
  };
}
