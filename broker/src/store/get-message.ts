import { readLong, readRecordProperties } from '@rocketts/protocol';
import type { CommitLogReadCache } from './commit-log/read-cache';
import { CQ_UNIT_SIZE } from './consume-queue/cq-unit';
import type { ConsumeQueueTable } from './consume-queue/consume-queue-table';
import type { MessageFilter } from './message-filter';
import { GetMessageStatus, type GetMessageStatusValue } from './statuses';

/** Consume-queue units read per step once filters have skipped some (2.5 KiB). */
const SCAN_STEP_UNITS = 128;

export interface GetMessageResult {
  status: GetMessageStatusValue;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /**
   * Stored records, in queue order; concatenated they form a pull response body. Zero-copy views of the
   * read cache: valid until `release()`, which the caller must call once it no longer needs them.
   */
  messages: Buffer[];
  bufferTotalSize: number;
  release(): void;
}

export interface GetMessageLimits {
  maxMsgNums: number;
  maxTransferBytes: number;
  /** Consume-queue bytes one call may examine while filtering (maxFilterMessageSize). */
  maxFilterBytes: number;
  minCommitLogOffset: number;
}

/**
 * Read up to `maxMsgNums` messages of one queue from `offset` (DefaultMessageStore.getMessage):
 * walk the consume queue, skip units whose tagsCode does not match, read the records, apply the
 * commit-log filter. nextBeginOffset moves past filtered units so a long run of them still advances.
 */
export function getMessage(
  queues: ConsumeQueueTable,
  cache: CommitLogReadCache,
  topic: string,
  queueId: number,
  offset: number,
  filter: MessageFilter,
  limits: GetMessageLimits,
): GetMessageResult {
  const pins = cache.newPins();
  const release = (): void => pins.release();
  const cq = queues.find(topic, queueId);
  const empty = (status: GetMessageStatusValue, next: number, min = 0, max = 0): GetMessageResult => ({
    status,
    nextBeginOffset: next,
    minOffset: min,
    maxOffset: max,
    messages: [],
    bufferTotalSize: 0,
    release,
  });
  if (!cq) return empty(GetMessageStatus.NO_MATCHED_LOGIC_QUEUE, 0);
  const min = cq.minOffset;
  const max = cq.maxOffset;
  if (max === 0) return empty(GetMessageStatus.NO_MESSAGE_IN_QUEUE, 0, min, max);
  if (offset < min) return empty(GetMessageStatus.OFFSET_TOO_SMALL, min, min, max);
  if (offset === max) return empty(GetMessageStatus.OFFSET_OVERFLOW_ONE, offset, min, max);
  if (offset > max) return empty(GetMessageStatus.OFFSET_OVERFLOW_BADLY, max, min, max);

  const scanUnits = Math.max(Math.floor(limits.maxFilterBytes / CQ_UNIT_SIZE), limits.maxMsgNums);
  const messages: Buffer[] = [];
  let bytes = 0;
  let examined = 0;
  let removed = false;
  let missing = false;
  // Units are read in steps — first just what an unfiltered pull needs, then more only while filters
  // skip units — rather than maxFilterBytes (800 units) on every pull.
  let want = limits.maxMsgNums;
  scan: while (examined < scanUnits) {
    const units = cq.readUnits(offset + examined, Math.min(want, scanUnits - examined));
    if (units.length === 0) break;
    for (let pos = 0; pos < units.length; pos += CQ_UNIT_SIZE) {
      const phy = readLong(units, pos);
      const size = units.readInt32BE(pos + 8);
      if (
        messages.length >= limits.maxMsgNums ||
        (messages.length > 0 && bytes + size > limits.maxTransferBytes)
      )
        break scan;
      examined++;
      if (size <= 0) continue;
      if (phy < limits.minCommitLogOffset) {
        removed = true;
        continue;
      }
      if (!filter.isMatchedByConsumeQueue(readLong(units, pos + 12))) continue;
      const rec = cache.readPinned(phy, size, pins);
      if (!rec) {
        missing = true;
        continue;
      }
      if (filter.isMatchedByCommitLog && !filter.isMatchedByCommitLog(readRecordProperties(rec))) continue;
      messages.push(rec);
      bytes += size;
    }
    if (messages.length >= limits.maxMsgNums) break;
    want = SCAN_STEP_UNITS;
  }
  const next = offset + examined;
  let status: GetMessageStatusValue = GetMessageStatus.FOUND;
  if (messages.length === 0) {
    status = removed
      ? GetMessageStatus.MESSAGE_WAS_REMOVING
      : missing
        ? GetMessageStatus.OFFSET_FOUND_NULL
        : GetMessageStatus.NO_MATCHED_MESSAGE;
  }
  return {
    status,
    nextBeginOffset: next,
    minOffset: min,
    maxOffset: max,
    messages,
    bufferTotalSize: bytes,
    release,
  };
}
