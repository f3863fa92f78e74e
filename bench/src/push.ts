import {
  ConsumeFromWhere,
  type Producer,
  PushConsumer,
  silentLogger,
  type Message,
  type MessageListener,
} from '@rocketts/client';
import { withBenchCluster } from './bench-cluster';
import {
  latencyPercentiles,
  MESSAGE_SIZE,
  openLoop,
  progress,
  result,
  warmUpCount,
  windowed,
  type ScenarioResult,
} from './measure';

export interface PushOptions {
  messages: number;
  queues: number;
  /** Open-loop rates of the latency scenarios, msg/s. */
  rates: number[];
  /** Length of each latency run, seconds. */
  latencySeconds: number;
}

const BATCH = 64; // messages per batch when filling a backlog
const LATENCY_WARMUP_MS = 1000; // 1 s of each latency run is not measured

/**
 * The push consumer (DefaultMQPushConsumer's model): drain a backlog in concurrent and in orderly mode,
 * then end-to-end latency under open-loop load. Broker as a CLI process with ASYNC_FLUSH, as users run it.
 */
export async function pushScenarios(o: PushOptions): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  const topics = {
    warm: `BenchPushWarmUp_${process.pid}`,
    concurrent: `BenchPush_${process.pid}`,
    orderly: `BenchOrderly_${process.pid}`,
    // One topic per rate: a new group on a queue whose first message is still in memory starts at 0,
    // even with CONSUME_FROM_LAST_OFFSET (§4.6), and would re-read the previous run.
    ...Object.fromEntries(o.rates.map((rate) => [`latency${rate}`, `BenchLatency${rate}_${process.pid}`])),
  } as Record<string, string>;
  const cluster = { name: 'push', topics: Object.values(topics), queues: o.queues };
  return withBenchCluster(cluster, async ({ namesrvAddr, producer }) => {
    // New processes, long-running peers: the same work first runs unmeasured on a topic of its own.
    const warm = warmUpCount(o.messages);
    await fillBacklog(producer, topics.warm as string, warm);
    await drain(namesrvAddr, topics.warm as string, warm, false, 'warm-up');
    await drain(namesrvAddr, topics.warm as string, warm, true, 'warm-up');
    await fillBacklog(producer, topics.concurrent as string, o.messages);
    out.push(await drain(namesrvAddr, topics.concurrent as string, o.messages, false));
    await fillBacklog(producer, topics.orderly as string, o.messages);
    out.push(await drain(namesrvAddr, topics.orderly as string, o.messages, true));
    for (const rate of o.rates) {
      out.push(await latency(namesrvAddr, producer, topics[`latency${rate}`] as string, rate, o));
    }
    return out;
  });
}

async function fillBacklog(producer: Producer, topic: string, messages: number): Promise<void> {
  const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
  const batch: Message[] = Array.from({ length: BATCH }, () => ({ topic, body }));
  let done = 0;
  const stop = progress(`rocketts fill ${topic}`, messages, () => done);
  await windowed(Math.ceil(messages / BATCH), 4, async () => {
    await producer.sendBatch(batch);
    done += BATCH;
  });
  stop();
}

/** Start a consumer of a new group from the first offset and time until `expected` messages were handled. */
async function drain(
  namesrvAddr: string,
  topic: string,
  expected: number,
  orderly: boolean,
  label = 'measured',
): Promise<ScenarioResult> {
  const mode = orderly ? 'orderly' : 'concurrent';
  const consumer = new PushConsumer({
    namesrvAddr,
    consumerGroup: `bench_push_${mode}_${label}_${process.pid}`,
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
    logger: silentLogger,
  });
  consumer.subscribe(topic, '*');
  let got = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const count = (n: number): void => {
    got += n;
    if (got >= expected) finish();
  };
  const listener: MessageListener = orderly
    ? { consumeOrderly: (msgs) => count(msgs.length) }
    : { consumeConcurrently: (msgs) => count(msgs.length) };
  consumer.registerMessageListener(listener);
  const stop = progress(
    `rocketts push ${mode}${label === 'measured' ? '' : ` (${label})`}`,
    expected,
    () => got,
  );
  const t0 = process.hrtime.bigint();
  await consumer.start();
  await finished;
  const r = result(
    `push consumer, ${mode}, from backlog`,
    'rocketts',
    got,
    t0,
    `${mode} listener, new group`,
  );
  stop();
  await consumer.shutdown();
  return r;
}

/**
 * Open-loop end-to-end latency: sends go out at a fixed rate whatever the acknowledgements do (no
 * coordinated omission); each body carries the time it was handed to the producer, and the push consumer
 * records (receive time − that time). Producer and consumer share this process, so one clock serves both.
 * The millisecond timer of the generator bunches sends into small bursts; stamping at send time keeps
 * that jitter of the generator out of the system's figure.
 */
async function latency(
  namesrvAddr: string,
  producer: Producer,
  topic: string,
  rate: number,
  o: PushOptions,
): Promise<ScenarioResult> {
  const consumer = new PushConsumer({
    namesrvAddr,
    consumerGroup: `bench_latency_${rate}_${process.pid}`,
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
    logger: silentLogger,
  });
  consumer.subscribe(topic, '*');
  const samples: number[] = [];
  let received = 0;
  let measureFrom = Infinity;
  consumer.registerMessageListener({
    consumeConcurrently: (msgs) => {
      const now = performance.now();
      received += msgs.length;
      for (const m of msgs) {
        const sentAt = m.body.readDoubleBE(0);
        if (sentAt >= measureFrom) samples.push(now - sentAt);
      }
    },
  });
  await consumer.start();
  await waitFor(() => consumer.assignment().length >= o.queues, 30_000);
  const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
  let failed = 0;
  const stop = progress(`rocketts latency ${rate}/s`, Math.round(rate * o.latencySeconds), () => received);
  const t0 = process.hrtime.bigint();
  // The first second warms up (JIT, connections, first pages of the log) and is not measured.
  measureFrom = performance.now() + LATENCY_WARMUP_MS;
  const total = await openLoop(rate, o.latencySeconds, () => {
    const b = Buffer.from(body);
    b.writeDoubleBE(performance.now(), 0);
    producer.send({ topic, body: b }).catch(() => failed++);
  });
  await waitFor(() => received + failed >= total, 30_000);
  stop();
  await consumer.shutdown();
  const { p50, p99 } = latencyPercentiles(samples);
  const r = result(
    `end-to-end latency, ${rate.toLocaleString('en-US')} msg/s open loop`,
    'rocketts',
    received,
    t0,
    `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over ${samples.length} messages after a ${LATENCY_WARMUP_MS / 1000} s warm-up${failed ? `, ${failed} sends failed` : ''}`,
  );
  r.p50 = p50;
  r.p99 = p99;
  return r;
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
