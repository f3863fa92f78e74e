/** TPS figures average over this window (ConsumerStatsManager samples per minute). */
export const STATS_WINDOW_SECONDS = 60;

/** Events per second over the last STATS_WINDOW_SECONDS, in one-second buckets. */
class RateWindow {
  private readonly buckets = new Float64Array(STATS_WINDOW_SECONDS);
  private lastSecond = 0;

  add(n: number, now: number): void {
    this.advance(now);
    this.buckets[this.lastSecond % STATS_WINDOW_SECONDS]! += n;
  }

  /** Sum of the window divided by its length in seconds (a freshly started consumer reads low). */
  perSecond(now: number): number {
    this.advance(now);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return sum / STATS_WINDOW_SECONDS;
  }

  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.lastSecond === 0) this.lastSecond = second;
    const gap = Math.min(second - this.lastSecond, STATS_WINDOW_SECONDS);
    for (let i = 1; i <= gap; i++) this.buckets[(this.lastSecond + i) % STATS_WINDOW_SECONDS] = 0;
    if (second > this.lastSecond) this.lastSecond = second;
  }
}

class TopicStats {
  consumeOK = 0;
  consumeFailed = 0;
  consumeRtTotalMs = 0;
  consumeRtCount = 0;
  pulls = 0;
  pullRtTotalMs = 0;
  readonly okRate = new RateWindow();
  readonly failedRate = new RateWindow();
  readonly pullRate = new RateWindow();
}

/** One topic's figures, in the shape of Java's ConsumeStatus (the statusTable of running info). */
export interface ConsumeStatus {
  /** Mean pull round trip, ms. */
  pullRT: number;
  pullTPS: number;
  /** Mean handler time per call, ms. */
  consumeRT: number;
  consumeOKTPS: number;
  consumeFailedTPS: number;
  /** Messages whose handler failed since start (Java counts the last hour). */
  consumeFailedMsgs: number;
}

export interface ConsumerStatsSnapshot {
  /** Messages consumed successfully since start, all topics. */
  consumeOK: number;
  /** Messages whose handler failed (returned RECONSUME_LATER / SUSPEND, or threw) since start. */
  consumeFailed: number;
  consumeOKTPS: number;
  consumeFailedTPS: number;
  byTopic: Record<string, ConsumeStatus & { consumeOK: number }>;
}

/** Consumption and pull counters per topic (ConsumerStatsManager, simplified). */
export class ConsumeStats {
  private readonly topics = new Map<string, TopicStats>();

  constructor(private readonly now: () => number = Date.now) {}

  consumed(topic: string, ok: number, failed: number): void {
    const t = this.topic(topic);
    const now = this.now();
    t.consumeOK += ok;
    t.consumeFailed += failed;
    if (ok > 0) t.okRate.add(ok, now);
    if (failed > 0) t.failedRate.add(failed, now);
  }

  /** `calls` handler calls took `ms` together. */
  consumeRT(topic: string, ms: number, calls = 1): void {
    const t = this.topic(topic);
    t.consumeRtTotalMs += ms;
    t.consumeRtCount += calls;
  }

  pulled(topic: string, rtMs: number): void {
    const t = this.topic(topic);
    t.pulls++;
    t.pullRtTotalMs += rtMs;
    t.pullRate.add(1, this.now());
  }

  status(topic: string): ConsumeStatus {
    const t = this.topic(topic);
    const now = this.now();
    return {
      pullRT: t.pulls === 0 ? 0 : t.pullRtTotalMs / t.pulls,
      pullTPS: t.pullRate.perSecond(now),
      consumeRT: t.consumeRtCount === 0 ? 0 : t.consumeRtTotalMs / t.consumeRtCount,
      consumeOKTPS: t.okRate.perSecond(now),
      consumeFailedTPS: t.failedRate.perSecond(now),
      consumeFailedMsgs: t.consumeFailed,
    };
  }

  snapshot(): ConsumerStatsSnapshot {
    const out: ConsumerStatsSnapshot = {
      consumeOK: 0,
      consumeFailed: 0,
      consumeOKTPS: 0,
      consumeFailedTPS: 0,
      byTopic: {},
    };
    for (const [topic, t] of this.topics) {
      const s = this.status(topic);
      out.byTopic[topic] = { ...s, consumeOK: t.consumeOK };
      out.consumeOK += t.consumeOK;
      out.consumeFailed += t.consumeFailed;
      out.consumeOKTPS += s.consumeOKTPS;
      out.consumeFailedTPS += s.consumeFailedTPS;
    }
    return out;
  }

  private topic(topic: string): TopicStats {
    let t = this.topics.get(topic);
    if (!t) {
      t = new TopicStats();
      this.topics.set(topic, t);
    }
    return t;
  }
}
