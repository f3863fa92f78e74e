import { PullConsumer, silentLogger, type Message, type Producer } from '@rocketts/client';
import { withBenchCluster } from './bench-cluster';
import type { MessageQueue } from '@rocketts/protocol';
import {
  IN_FLIGHT,
  MESSAGE_SIZE,
  progress,
  result,
  warmUpCount,
  windowed,
  type ScenarioResult,
} from './measure';

export interface RocketOptions {
  messages: number;
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  batchSize: number;
  queues: number;
}

/**
 * Our broker as a separate process started through the CLI (as users run it), our client in this
 * process: produce single messages, produce batches, then drain the backlog with pull consumers.
 */
export async function rocketScenarios(o: RocketOptions): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  const flush = o.flushDiskType === 'SYNC_FLUSH' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH';
  const single = `BenchSingle_${process.pid}`;
  const batched = `BenchBatch_${process.pid}`;
  const warm = `BenchWarmUp_${process.pid}`;
  const cluster = {
    name: 'produce',
    flushDiskType: o.flushDiskType,
    topics: [single, batched, warm],
    queues: o.queues,
  };
  return withBenchCluster(cluster, async ({ namesrvAddr, producer }) => {
    const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
    await warmUp(namesrvAddr, producer, warm, warmUpCount(o.messages));
    await producer.send({ topic: single, body });

    let done = 0;
    let stop = progress(`rocketts produce ${flush}`, o.messages, () => done);
    let t0 = process.hrtime.bigint();
    await windowed(o.messages, IN_FLIGHT, async () => {
      await producer.send({ topic: single, body });
      done++;
    });
    stop();
    out.push(result(`produce, ${flush}`, 'rocketts', o.messages, t0, `${IN_FLIGHT} in flight`));

    const batches = Math.floor(o.messages / o.batchSize);
    const batch: Message[] = Array.from({ length: o.batchSize }, () => ({ topic: batched, body }));
    const batchesInFlight = Math.max(1, Math.floor(IN_FLIGHT / o.batchSize));
    done = 0;
    stop = progress(`rocketts produce batch ${flush}`, batches * o.batchSize, () => done);
    t0 = process.hrtime.bigint();
    await windowed(batches, batchesInFlight, async () => {
      await producer.sendBatch(batch);
      done += o.batchSize;
    });
    stop();
    out.push(
      result(
        `produce, batches of ${o.batchSize}, ${flush}`,
        'rocketts',
        batches * o.batchSize,
        t0,
        `${batchesInFlight} batches (${IN_FLIGHT} messages) in flight`,
      ),
    );
    out.push(await drain(namesrvAddr, single, o.messages + 1, flush));
    return out;
  });
}

/**
 * The broker and client processes are new for each run while the peers' servers have been up for long:
 * the same kinds of work (single sends, batches, a drain) first run unmeasured on a topic of their own.
 */
async function warmUp(namesrvAddr: string, producer: Producer, topic: string, count: number): Promise<void> {
  const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
  let done = 0;
  const stop = progress(`rocketts warm-up`, 2 * count, () => done);
  await windowed(count, IN_FLIGHT, async () => {
    await producer.send({ topic, body });
    done++;
  });
  const batch: Message[] = Array.from({ length: 64 }, () => ({ topic, body }));
  await windowed(Math.ceil(count / 64), 4, async () => {
    await producer.sendBatch(batch);
    done += 64;
  });
  stop();
  await pullAll(namesrvAddr, topic, `bench_warm_${process.pid}`, () => undefined);
}

/** Pull every queue of `topic` from offset 0 to its end, one pull in flight per queue. */
async function pullAll(
  namesrvAddr: string,
  topic: string,
  group: string,
  onPulled: (n: number) => void,
): Promise<number> {
  const consumer = new PullConsumer({ namesrvAddr, consumerGroup: group, logger: silentLogger });
  await consumer.start();
  const queues = await consumer.fetchSubscribeMessageQueues(topic);
  const one = async (mq: MessageQueue): Promise<void> => {
    let offset = 0;
    for (;;) {
      const r = await consumer.pull(mq, { offset, maxNums: 32 });
      onPulled(r.messages.length);
      if (r.status !== 'FOUND') return;
      offset = r.nextBeginOffset;
    }
  };
  await Promise.all(queues.map(one));
  await consumer.shutdown();
  return queues.length;
}

async function drain(
  namesrvAddr: string,
  topic: string,
  expected: number,
  flush: string,
): Promise<ScenarioResult> {
  let got = 0;
  const stop = progress(`rocketts consume ${flush}`, expected, () => got);
  const t0 = process.hrtime.bigint();
  const queues = await pullAll(namesrvAddr, topic, `bench_c_${process.pid}`, (n) => (got += n));
  stop();
  return result(
    `consume from backlog (${flush} store)`,
    'rocketts',
    got,
    t0,
    `pull, 32 per request, ${queues} queues`,
  );
}
