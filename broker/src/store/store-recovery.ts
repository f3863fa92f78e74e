import type { Logger } from '@rocketts/client';
import type { AbortMarker } from './checkpoint/abort-marker';
import type { StoreCheckpoint } from './checkpoint/store-checkpoint';
import { recoverCommitLog, type RecoveryResult } from './commit-log/commit-log-recovery';
import type { CommitLog } from './commit-log/commit-log';
import type { ConsumeQueueTable } from './consume-queue/consume-queue-table';
import type { ReputService } from './dispatch/reput-service';
import type { IndexService } from './index/index-service';

export interface RecoveryReport extends RecoveryResult {
  abnormal: boolean;
  scannedFrom: number;
}

interface StoreParts {
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService;
  reput: ReputService;
  checkpoint: StoreCheckpoint;
  abort: AbortMarker;
  logger: Logger;
}

/** Segments always re-verified at start, as RocketMQ's normal recovery checks the last three. */
const VERIFIED_SEGMENTS = 3;

/**
 * Bring the store back to a consistent state (DefaultMessageStore.recover): verify the commit-log
 * tail record by record, truncate at the first damage, re-dispatch to consume queues and index what
 * the checkpoint does not cover (after a crash: everything since the last checkpoint), then drop
 * consume-queue units and index files that point past the valid end.
 */
export function recoverStore(p: StoreParts): RecoveryReport {
  const abnormal = p.abort.wasAbnormal();
  p.commitLog.files.load();
  p.queues.load();
  let indexFrom = p.index.load(abnormal);
  const cp = p.checkpoint.read();
  const files = p.commitLog.files.all;
  const minOffset = p.commitLog.minOffset;
  const tailStart = files[Math.max(0, files.length - VERIFIED_SEGMENTS)]?.fileFromOffset ?? 0;
  const cqFrom = Math.max(minOffset, cp ? cp.logicsOffset : minOffset);
  indexFrom = Math.max(minOffset, indexFrom);
  const scanFrom = Math.max(minOffset, Math.min(tailStart, cqFrom, indexFrom));
  // A crash is worth a warning: it says the last run did not stop cleanly.
  (abnormal ? p.logger.warn : p.logger.info)('recovering store', {
    abnormal,
    scanFrom,
    cqFrom,
    indexFrom,
    segments: files.length,
  });

  const result = recoverCommitLog(
    p.commitLog.files,
    scanFrom,
    (req) => p.reput.redispatch(req, cqFrom, indexFrom),
    p.logger,
  );
  p.reput.finishRedispatch();
  p.queues.truncateFrom(result.validEnd);
  if (p.index.lastIndexedOffset >= result.validEnd) {
    const from = Math.max(minOffset, p.index.dropFrom(result.validEnd));
    recoverCommitLog(
      p.commitLog.files,
      from,
      (req) => p.reput.redispatch(req, Number.MAX_SAFE_INTEGER, from),
      p.logger,
    );
  }
  for (const cq of p.queues.all()) p.commitLog.setQueueOffset(cq.topic, cq.queueId, cq.maxOffset);
  p.reput.dispatchedOffset = result.validEnd;
  p.logger.info('store recovered', {
    validEnd: result.validEnd,
    records: result.records,
    damage: result.damage,
  });
  return { ...result, abnormal, scannedFrom: scanFrom };
}
