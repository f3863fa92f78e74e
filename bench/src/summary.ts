import type { ScenarioResult } from './measure';

/** One scenario over every round: the median round's result and the spread of all. */
export interface SummaryRow extends ScenarioResult {
  rounds: number;
  /** Lowest and highest msg/s (throughput rows) or p99 in ms (latency rows) over the rounds. */
  low: number;
  high: number;
}

/**
 * Results of repeated rounds (`--repeat N`), one row per system and scenario in first-seen order.
 * On a shared host one run can be 2× another, so a row stands for the round with the median figure:
 * msg/s for throughput, p99 for latency (for an even count, the lower of the middle two by that
 * figure's own sense of better: the slower throughput, the higher p99). Rounds where a scenario failed
 * simply have no result for it.
 */
export function summarizeRounds(rounds: readonly (readonly ScenarioResult[])[]): SummaryRow[] {
  const groups = new Map<string, ScenarioResult[]>();
  for (const round of rounds) {
    for (const r of round) {
      const key = `${r.system}\u0000${r.name}`;
      const list = groups.get(key);
      if (list) list.push(r);
      else groups.set(key, [r]);
    }
  }
  return [...groups.values()].map((list) => {
    const latency = list[0]?.p99 !== undefined;
    const figure = (r: ScenarioResult): number => (latency ? (r.p99 as number) : r.msgPerSec);
    // Worst first: ascending msg/s, descending p99; the median of an even count is then the worse middle.
    const sorted = [...list].sort((a, b) => (latency ? figure(b) - figure(a) : figure(a) - figure(b)));
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as ScenarioResult;
    const figures = list.map(figure);
    return { ...median, rounds: list.length, low: Math.min(...figures), high: Math.max(...figures) };
  });
}
