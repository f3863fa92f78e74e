import { PullConsumer, silentLogger } from '@rocketts/client';
import { withBenchCluster } from './bench-cluster';
import type { MessageQueue } from '@rocketts/protocol';
import { IN_FLIGHT, MESSAGE_SIZE, progress, result, windowed, type ScenarioResult } from './measure';

export interface TimerOptions {
  /** Single sends per throughput measurement. */
  messages: number;
  /** Timer messages falling due per second in the lateness scenario. */
  duePerSecond: number;
  /** Seconds over which they fall due. */
  dueSeconds: number;
  /** Timer messages held (due in an hour) during the second throughput measurement. */
  pending: number;
}

/** Time given to the sends of the lateness scenario before the first message falls due. */
const LEAD_MS = 6_000;
/** Held messages fall due this far ahead: they stay pending for the whole run. */
const PENDING_DELAY_SEC = 3_600;
const QUEUES = 8;
/** The due time, in a user property: the delivered copy loses TIMER_DELIVER_MS. */
const DUE_PROPERTY = 'BENCH_DUE';

/**
 * Timer messages (TIMER_DELIVER_MS) on a CLI broker, ASYNC_FLUSH: lateness of scheduled delivery at
 * `duePerSecond`, and single-send throughput without and with `pending` held timer messages.
 */
export async function timerScenarios(o: TimerOptions): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  const topics = ['BenchTimerDue', 'BenchTimerPlainA', 'BenchTimerPlainB', 'BenchTimerHeld'].map(
    (t) => `${t}_${process.pid}`,
  );
  return withBenchCluster({ name: 'timer', topics, queues: QUEUES }, async ({ namesrvAddr, producer }) => {
    const [dueTopic, plainA, plainB, held] = topics as [string, string, string, string];
    const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
    for (const t of topics) await producer.send({ topic: t, body });

    // 1. Lateness: duePerSecond × dueSeconds messages, due evenly from `base`, sent ahead of time.
    const total = o.duePerSecond * o.dueSeconds;
    const base = Date.now() + LEAD_MS;
    const dueOf = (i: number): number => base + Math.floor((i * 1000) / o.duePerSecond);
    let done = 0;
    let stop = progress('rocketts timer sends', total, () => done);
    await windowed(total, IN_FLIGHT, async (i) => {
      await producer.send({
        topic: dueTopic,
        body,
        properties: { TIMER_DELIVER_MS: String(dueOf(i)), [DUE_PROPERTY]: String(dueOf(i)) },
      });
      done++;
    });
    stop();
    const sentBy = Date.now() - base;
    if (sentBy > 0) process.stderr.write(`  warning: sends finished ${sentBy} ms after the first due time\n`);
    await new Promise((r) => setTimeout(r, Math.max(0, dueOf(total - 1) - Date.now()) + 2_000));
    const lateness = await latenessOf(namesrvAddr, dueTopic);
    const sorted = lateness.sort((a, b) => a - b);
    const pct = (p: number): number =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    out.push({
      name: `timer delivery lateness, ${o.duePerSecond.toLocaleString('en-US')} due/s for ${o.dueSeconds} s`,
      system: 'rocketts',
      messages: sorted.length,
      seconds: o.dueSeconds,
      msgPerSec: sorted.length / o.dueSeconds,
      mibPerSec: (sorted.length * MESSAGE_SIZE) / o.dueSeconds / 2 ** 20,
      p50: pct(50),
      p99: pct(99),
      note: `lateness p50 ${pct(50)} ms, p99 ${pct(99)} ms (delivered store time − due); min ${sorted[0]}, max ${sorted[sorted.length - 1]}, ${total - sorted.length} missing`,
    });

    // 2. Single-send throughput, then again with `pending` timer messages held.
    const plain = async (topic: string, label: string): Promise<ScenarioResult> => {
      let n = 0;
      const s = progress(label, o.messages, () => n);
      const t0 = process.hrtime.bigint();
      await windowed(o.messages, IN_FLIGHT, async () => {
        await producer.send({ topic, body });
        n++;
      });
      s();
      return result(label, 'rocketts', o.messages, t0, `${IN_FLIGHT} in flight, ASYNC_FLUSH`);
    };
    out.push(await plain(plainA, 'produce, no timer messages held'));
    // Control: the same number of plain sends first, so both measurements run on an equally grown store.
    out.push(await plain(plainA, 'produce, no timer messages held (after as many plain sends)'));
    done = 0;
    stop = progress('rocketts timer hold', o.pending, () => done);
    await windowed(o.pending, IN_FLIGHT, async () => {
      await producer.send({ topic: held, body, properties: { TIMER_DELAY_SEC: String(PENDING_DELAY_SEC) } });
      done++;
    });
    stop();
    out.push(await plain(plainB, `produce, ${o.pending.toLocaleString('en-US')} timer messages held`));
    return out;
  });
}

/** Lateness (store time of the delivered copy − due time in the body) of every delivered message. */
async function latenessOf(namesrvAddr: string, topic: string): Promise<number[]> {
  const consumer = new PullConsumer({
    namesrvAddr,
    consumerGroup: `bench_tc_${process.pid}`,
    logger: silentLogger,
  });
  await consumer.start();
  const queues = await consumer.fetchSubscribeMessageQueues(topic);
  const out: number[] = [];
  const one = async (mq: MessageQueue): Promise<void> => {
    let offset = 0;
    for (;;) {
      const r = await consumer.pull(mq, { offset, maxNums: 32 });
      for (const m of r.messages) {
        const due = m.properties[DUE_PROPERTY];
        if (due !== undefined) out.push(m.storeTimestamp - Number(due));
      }
      if (r.status !== 'FOUND') return;
      offset = r.nextBeginOffset;
    }
  };
  await Promise.all(queues.map(one));
  await consumer.shutdown();
  return out;
}
