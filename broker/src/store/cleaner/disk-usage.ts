import { statfsSync } from 'node:fs';

/** Fraction (0–1) of the partition holding `path` that is in use, as UtilAll.getDiskPartitionSpaceUsedPercent. */
export function diskUsedRatio(path: string): number {
  const s = statfsSync(path);
  const total = s.blocks * s.bsize;
  if (total <= 0) return 0;
  return (total - s.bavail * s.bsize) / total;
}
