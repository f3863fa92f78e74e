import { AckPolicy, connect, StorageType, type JetStreamClient } from 'nats';
import {
  IN_FLIGHT,
  MESSAGE_SIZE,
  progress,
  result,
  warmUpCount,
  windowed,
  type ScenarioResult,
} from '../measure';

const SERVERS = process.env.NATS_URL ?? '127.0.0.1:4222';

/**
 * NATS JetStream, the same shape of load: 1 KiB messages to a file-backed stream, 256 publishes
 * awaiting their acks (JetStream acks once the message is written, fsync is periodic — like
 * ASYNC_FLUSH), then a pull consumer fetching the backlog in batches.
 */
export async function natsScenarios(messages: number): Promise<ScenarioResult[]> {
  await runOnce(warmUpCount(messages)); // unmeasured, as for every system
  return runOnce(messages);
}

async function runOnce(messages: number): Promise<ScenarioResult[]> {
  const nc = await connect({ servers: SERVERS });
  const jsm = await nc.jetstreamManager();
  const stream = `BENCH_${process.pid}_${Date.now()}`;
  const subject = `bench.${stream}`;
  const out: ScenarioResult[] = [];
  try {
    await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File });
    const js: JetStreamClient = nc.jetstream();
    const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
    let done = 0;
    const stop = progress('nats produce', messages, () => done);
    const t0 = process.hrtime.bigint();
    await windowed(messages, IN_FLIGHT, async () => {
      await js.publish(subject, body);
      done++;
    });
    stop();
    out.push(
      result('produce, JetStream file store', 'nats', messages, t0, 'acks after write, periodic fsync'),
    );

    await jsm.consumers.add(stream, { durable_name: 'bench', ack_policy: AckPolicy.All });
    const consumer = await js.consumers.get(stream, 'bench');
    let got = 0;
    const stopC = progress('nats consume', messages, () => got);
    const t1 = process.hrtime.bigint();
    while (got < messages) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 5000 });
      let last;
      for await (const m of batch) {
        got++;
        last = m;
      }
      last?.ack();
    }
    stopC();
    out.push(result('consume from backlog', 'nats', messages, t1, 'pull consumer, fetch 1000, ack-all'));
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
  return out;
}
