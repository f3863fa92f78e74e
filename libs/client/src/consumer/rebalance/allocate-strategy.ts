import { InvalidArgumentError } from '@rocketts/protocol';

/**
 * Picks this consumer's share of a topic's queues (AllocateMessageQueueStrategy). Every member of a
 * group must use the same strategy over the same sorted inputs, so shares are disjoint and complete.
 */
export interface AllocateStrategy<T> {
  readonly name: string;
  allocate(currentCid: string, all: readonly T[], cidAll: readonly string[]): T[];
}

function check<T>(currentCid: string, all: readonly T[], cidAll: readonly string[]): number {
  if (!currentCid) throw new InvalidArgumentError('currentCID', 'is empty');
  if (all.length === 0 || cidAll.length === 0) return -1;
  return cidAll.indexOf(currentCid);
}

/** AllocateMessageQueueAveragely (§13): contiguous ranges, the first `n mod c` consumers get one more. */
export function allocateAveragely<T>(currentCid: string, all: readonly T[], cidAll: readonly string[]): T[] {
  const i = check(currentCid, all, cidAll);
  if (i < 0) return [];
  const n = all.length;
  const c = cidAll.length;
  const mod = n % c;
  const averageSize = n <= c ? 1 : mod > 0 && i < mod ? Math.floor(n / c) + 1 : Math.floor(n / c);
  const startIndex = mod > 0 && i < mod ? i * averageSize : i * averageSize + mod;
  const range = Math.min(averageSize, n - startIndex);
  return range > 0 ? all.slice(startIndex, startIndex + range) : [];
}

/** AllocateMessageQueueAveragelyByCircle: queue j goes to consumer j mod c. */
export function allocateByCircle<T>(currentCid: string, all: readonly T[], cidAll: readonly string[]): T[] {
  const i = check(currentCid, all, cidAll);
  if (i < 0) return [];
  return all.filter((_, j) => j % cidAll.length === i);
}

export const AVERAGELY = 'AVG';
export const AVERAGELY_BY_CIRCLE = 'AVG_BY_CIRCLE';

export function strategyByName<T>(name: string): AllocateStrategy<T> {
  if (name === AVERAGELY) return { name, allocate: allocateAveragely };
  if (name === AVERAGELY_BY_CIRCLE) return { name, allocate: allocateByCircle };
  throw new InvalidArgumentError(
    'allocateStrategy',
    `unknown allocate strategy ${name} (use ${AVERAGELY} or ${AVERAGELY_BY_CIRCLE})`,
  );
}
