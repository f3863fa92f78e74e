import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from './measure';
import { natsScenarios } from './peers/nats';
import { rabbitmqScenarios } from './peers/rabbitmq';
import { pushScenarios } from './push';
import { rocketScenarios } from './rocketts';
import { summarizeRounds, type SummaryRow } from './summary';
import { timerScenarios } from './timer';
import { transactionScenarios } from './transaction';

/**
 * `npm run bench [-- --messages N --only rocketts,push,timer,tx,rabbitmq,nats --repeat N]`: every scenario
 * in one run on one machine, then a table with ratios against RabbitMQ and NATS, written to
 * bench/results/latest.md. With `--repeat N` the whole sequence runs N times, peers included, and each row
 * is the median round with the range of all.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string): string => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? (args[i + 1] as string) : dflt;
  };
  const messages = Number(opt('messages', '200000'));
  const only = new Set(opt('only', 'rocketts,push,rabbitmq,nats').split(','));
  const repeat = Number(opt('repeat', '1'));
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`--repeat must be a whole number ≥ 1, not ${opt('repeat', '')}`);
  const rounds: ScenarioResult[][] = [];
  /** Steal share per part, one entry per round. */
  const steal = new Map<string, string[]>();
  for (let round = 1; round <= repeat; round++) {
    if (repeat > 1) process.stderr.write(`\n==== round ${round} of ${repeat}\n`);
    rounds.push(await runRound(only, messages, steal));
  }

  let md = report(summarizeRounds(rounds), messages, process.argv.slice(2).join(' '));
  if (steal.size > 0) {
    const parts = [...steal].map(([name, shares]) => `${name} ${shares.join(', ')}`);
    md += `\nCPU time the host took from this VM (steal) while each part ran: ${parts.join('; ')}.\n`;
  }
  process.stdout.write(`\n${md}\n`);
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.md'), md);
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(repeat > 1 ? rounds : rounds[0], null, 2));
}

/** Every selected part once, in order; the steal share of each part is appended to `steal`. */
async function runRound(
  only: ReadonlySet<string>,
  messages: number,
  steal: Map<string, string[]>,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const step = async (name: string, fn: () => Promise<ScenarioResult[]>): Promise<void> => {
    process.stderr.write(`\n== ${name}\n`);
    const before = cpuTimes();
    try {
      results.push(...(await fn()));
    } catch (err) {
      process.stderr.write(`   ${name} failed: ${(err as Error).message}\n`);
    }
    const share = stealShare(before, cpuTimes());
    if (share === undefined) return;
    const shares = steal.get(name) ?? [];
    shares.push(`${(share * 100).toFixed(0)} %`);
    steal.set(name, shares);
  };
  if (only.has('rocketts')) {
    await step('RocketTS, ASYNC_FLUSH', () =>
      rocketScenarios({ messages, flushDiskType: 'ASYNC_FLUSH', batchSize: 64, queues: 8 }),
    );
    await step('RocketTS, SYNC_FLUSH', () =>
      rocketScenarios({ messages, flushDiskType: 'SYNC_FLUSH', batchSize: 64, queues: 8 }),
    );
  }
  if (only.has('push')) {
    await step('RocketTS push consumer', () =>
      pushScenarios({ messages, queues: 8, rates: [1_000, 10_000], latencySeconds: 10 }),
    );
  }
  if (only.has('tx')) {
    await step('RocketTS transactions', () => transactionScenarios(messages));
  }
  if (only.has('timer')) {
    await step('RocketTS timer messages', () =>
      timerScenarios({
        messages: Math.min(messages, 100_000),
        duePerSecond: 10_000,
        dueSeconds: 3,
        pending: 100_000,
      }),
    );
  }
  if (only.has('rabbitmq')) await step('RabbitMQ', () => rabbitmqScenarios(messages));
  if (only.has('nats')) await step('NATS JetStream', () => natsScenarios(messages));
  return results;
}

/** Jiffies of all CPUs from /proc/stat: [total, steal]; undefined where there is none (not Linux). */
function cpuTimes(): [number, number] | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1);
    const n = fields.map(Number);
    return [n.reduce((a, b) => a + b, 0), n[7] ?? 0];
  } catch {
    return undefined;
  }
}

/**
 * Share of CPU time a virtual machine's host took for itself between two readings: on a shared host it
 * makes the same code slower from one run to the next, so each report says how much there was.
 */
function stealShare(a: [number, number] | undefined, b: [number, number] | undefined): number | undefined {
  if (!a || !b || b[0] <= a[0]) return undefined;
  return (b[1] - a[1]) / (b[0] - a[0]);
}

/** V8 options of the bench process (package.json starts it with the heap option docs/operations.md recommends). */
function nodeFlags(): string {
  return process.execArgv.length > 0 ? ` (${process.execArgv.join(' ')})` : '';
}

function report(results: SummaryRow[], messages: number, argv: string): string {
  const peer = (system: string, kind: 'produce' | 'consume'): ScenarioResult | undefined =>
    results.find((r) => r.system === system && r.name.startsWith(kind));
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const ratio = (r: ScenarioResult, p: ScenarioResult | undefined): string =>
    p ? `${(r.msgPerSec / p.msgPerSec).toFixed(2)}×` : 'n/a';
  const lines = [
    `Command: \`npm run bench${argv ? ` -- ${argv}` : ''}\` — ${messages.toLocaleString('en-US')} messages of 1 KiB per scenario,`,
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${nodeFlags()}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| System | Scenario | msg/s | MiB/s | vs RabbitMQ | vs NATS | Notes |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    // Throughput rows are compared with the peer's produce or consume figure; latency rows are not.
    const kind = /consume|consumer/.test(r.name) ? 'consume' : 'produce';
    const compared = r.system === 'rocketts' && r.p99 === undefined;
    const vsR = compared ? ratio(r, peer('rabbitmq', kind)) : '';
    const vsN = compared ? ratio(r, peer('nats', kind)) : '';
    lines.push(
      `| ${r.system} | ${r.name} | ${fmt(r.msgPerSec)} | ${r.mibPerSec.toFixed(1)} | ${vsR} | ${vsN} | ${notes(r)} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** The round's own note, and for repeated rounds which figure the row is the median of. */
function notes(r: SummaryRow): string {
  const own = r.note ?? '';
  if (r.rounds < 2) return own;
  const range =
    r.p99 !== undefined
      ? `p99 ${r.low.toFixed(2)}–${r.high.toFixed(2)} ms`
      : `${Math.round(r.low).toLocaleString('en-US')}–${Math.round(r.high).toLocaleString('en-US')} msg/s`;
  return `${own}${own ? '; ' : ''}median of ${r.rounds} rounds (${range})`;
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
