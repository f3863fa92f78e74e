import { readLong, writeLong } from '@rocketts/protocol';

/*
 * Consume-queue unit (ConsumeQueue.java), one per message of a queue; logical offset n = unit n.
 *
 *   0  long  commit-log offset
 *   8  int   record size
 *  12  long  tagsCode (String.hashCode of TAGS, 0 without; the delivery time for SCHEDULE_TOPIC_XXXX and rmq_sys_wheel_timer)
 */
export const CQ_UNIT_SIZE = 20;

export interface CqUnit {
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

export function writeCqUnit(
  buf: Buffer,
  pos: number,
  commitLogOffset: number,
  size: number,
  tagsCode: number,
): void {
  writeLong(buf, pos, commitLogOffset);
  buf.writeInt32BE(size, pos + 8);
  writeLong(buf, pos + 12, tagsCode);
}

export function readCqUnit(buf: Buffer, pos: number): CqUnit {
  return {
    commitLogOffset: readLong(buf, pos),
    size: buf.readInt32BE(pos + 8),
    tagsCode: readLong(buf, pos + 12),
  };
}

/** Units are valid when they point somewhere with a size; zeroed space is not (sparse gaps, file tails). */
export const isValidUnit = (buf: Buffer, pos: number): boolean => buf.readInt32BE(pos + 8) > 0;
