import type { Logger } from '@rocketts/client';
import { checkRecord, type DispatchRequest } from '../dispatch/dispatch-request';
import type { MappedFileQueue } from '../mapped-file/mapped-file-queue';

/** Bytes read per step while scanning; a record never exceeds a segment, and a longer one is re-read whole. */
const SCAN_CHUNK = 8 * 1024 * 1024; // 8 MiB

export interface RecoveryResult {
  /** Offset just past the last valid record: everything from here on is dropped. */
  validEnd: number;
  records: number;
  /** Set when the scan stopped at damage rather than at the clean end of the data. */
  damage?: { offset: number; reason: string };
}

/**
 * Scan the commit log from the start of the segment holding `scanFrom`, checking every record
 * (size, magic, claimed offset, structure, body CRC, whole-record CRC), and report each valid one.
 * The first bad record ends the log: it and everything after are truncated, so a corrupt record is
 * never served (CommitLog.recoverNormally / recoverAbnormally).
 */
export function recoverCommitLog(
  files: MappedFileQueue,
  scanFrom: number,
  onRecord: (req: DispatchRequest) => void,
  logger: Logger,
): RecoveryResult {
  const all = files.all;
  let idx = all.findIndex((f) => scanFrom < f.fileEndOffset);
  if (idx < 0) idx = Math.max(0, all.length - 1);
  let records = 0;
  let validEnd = all[idx]?.fileFromOffset ?? files.minOffset;
  let damage: RecoveryResult['damage'];

  outer: for (; idx < all.length; idx++) {
    const file = all[idx];
    if (!file) break;
    let pos = 0;
    let want = SCAN_CHUNK;
    while (pos < file.fileSize) {
      const chunk = file.read(pos, Math.min(want, file.fileSize - pos));
      want = SCAN_CHUNK;
      let p = 0;
      while (p < chunk.length) {
        const check = checkRecord(chunk, p, file.fileFromOffset + pos, file.fileSize - pos - p);
        if (check.kind === 'record') {
          onRecord(check.request);
          records++;
          p += check.request.msgSize;
          validEnd = file.fileFromOffset + pos + p;
        } else if (check.kind === 'partial') {
          if (p > 0) break;
          if (chunk.length >= file.fileSize - pos) {
            damage = { offset: file.fileFromOffset + pos, reason: 'record cut by the end of the segment' };
            break outer;
          }
          want = check.size;
          break;
        } else if (check.kind === 'blank') {
          validEnd = file.fileEndOffset;
          continue outer;
        } else {
          if (check.kind === 'corrupt')
            damage = { offset: file.fileFromOffset + pos + p, reason: check.reason };
          break outer;
        }
      }
      pos += p;
    }
    validEnd = file.fileEndOffset;
  }

  if (damage) logger.warn('commit log damaged, truncating', { offset: damage.offset, reason: damage.reason });
  files.truncateTo(validEnd);
  const last = files.last;
  if (last) {
    last.wrotePosition = Math.min(last.fileSize, validEnd - last.fileFromOffset);
    last.flushedPosition = 0;
  }
  return damage ? { validEnd, records, damage } : { validEnd, records };
}
