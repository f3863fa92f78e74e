import { LocalTransactionState, silentLogger, TransactionProducer } from '@rocketts/client';
import { withBenchCluster } from './bench-cluster';
import { IN_FLIGHT, MESSAGE_SIZE, progress, result, windowed, type ScenarioResult } from './measure';

/**
 * Transactional throughput (TransactionMQProducer): each transaction is a half message, a local
 * transaction that commits at once, and END_TRANSACTION (one-way); `IN_FLIGHT` transactions open at a
 * time against a CLI broker with ASYNC_FLUSH. A transaction counts when its END has been sent; the run ends
 * when every committed message has also been stored on its topic (max offsets), so the broker's commit
 * work is inside the measured time.
 */
export async function transactionScenarios(messages: number): Promise<ScenarioResult[]> {
  const topic = `BenchTx_${process.pid}`;
  return withBenchCluster({ name: 'tx', topics: [topic], queues: 8 }, async ({ namesrvAddr, admin }) => {
    const producer = new TransactionProducer({
      namesrvAddr,
      producerGroup: `bench_tx_${process.pid}`,
      logger: silentLogger,
      defaultCheckListener: () => LocalTransactionState.COMMIT,
    });
    await producer.start();
    const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
    await producer.sendInTransaction({ topic, body }, () => LocalTransactionState.COMMIT);
    let done = 0;
    const stop = progress('rocketts transactions', messages, () => done);
    const t0 = process.hrtime.bigint();
    await windowed(messages, IN_FLIGHT, async () => {
      await producer.sendInTransaction({ topic, body }, () => LocalTransactionState.COMMIT);
      done++;
    });
    // ENDs are one-way: wait until the broker has stored every committed message.
    const stored = async (): Promise<number> =>
      (await admin.topicStatus(topic)).reduce((n, q) => n + q.maxOffset, 0);
    while ((await stored()) < messages + 1) await new Promise((r) => setTimeout(r, 10));
    stop();
    const r = result(
      'transactions (half + commit), ASYNC_FLUSH',
      'rocketts',
      messages,
      t0,
      `${IN_FLIGHT} in flight`,
    );
    await producer.shutdown();
    return [r];
  });
}
