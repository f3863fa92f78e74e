/** Samples older than this do not count: TPS is the rate over roughly the last minute, as RocketMQ's stats. */
export const CONSUME_TPS_WINDOW_MS = 60_000; // 1 minute
/** Samples closer together than this replace each other, so a burst of queries keeps one point. */
const MIN_SAMPLE_SPACING_MS = 1_000; // 1 s
/** Keys not asked about for this long are forgotten. */
const FORGET_AFTER_MS = 10 * 60_000; // 10 minutes

interface Sample {
  at: number;
  total: number;
}

/**
 * Consume TPS of a group on a topic, measured as the growth of its committed offsets (summed over the
 * topic's queues) per second between GET_CONSUME_STATS requests. RocketMQ counts pulled messages per
 * group instead (BrokerStatsManager GROUP_GET_NUMS); committed offsets need no work on the pull path.
 * The first request about a key has nothing to compare with and reports 0; so does a window shorter than
 * a second or one in which the offsets went down (a reset).
 */
export class ConsumeTpsSampler {
  private readonly samples = new Map<string, Sample[]>();

  /** Record `total` for `key` at `now` and return messages per second over the window. */
  sample(key: string, total: number, now = Date.now()): number {
    let list = this.samples.get(key);
    if (!list) {
      list = [];
      this.samples.set(key, list);
    }
    while (list.length > 0 && now - (list[0] as Sample).at > CONSUME_TPS_WINDOW_MS) list.shift();
    const last = list[list.length - 1];
    if (last && now - last.at < MIN_SAMPLE_SPACING_MS && list.length > 1) list.pop();
    list.push({ at: now, total });
    this.forgetIdle(now);
    const first = list[0] as Sample;
    const elapsed = now - first.at;
    if (elapsed < MIN_SAMPLE_SPACING_MS || total < first.total) return 0;
    return ((total - first.total) * 1000) / elapsed;
  }

  private forgetIdle(now: number): void {
    for (const [key, list] of this.samples) {
      const last = list[list.length - 1];
      if (!last || now - last.at > FORGET_AFTER_MS) this.samples.delete(key);
    }
  }
}
