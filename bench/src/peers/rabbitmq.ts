import { connect } from 'amqplib';
import {
  IN_FLIGHT,
  MESSAGE_SIZE,
  progress,
  result,
  warmUpCount,
  windowed,
  type ScenarioResult,
} from '../measure';

const URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * RabbitMQ, the same shape of load: persistent 1 KiB messages to a durable classic queue through a
 * confirm channel with 256 unconfirmed publishes (confirms come once the message is on disk), then
 * a consumer with manual acks draining the backlog.
 */
export async function rabbitmqScenarios(messages: number): Promise<ScenarioResult[]> {
  await runOnce(warmUpCount(messages)); // unmeasured, as for every system
  return runOnce(messages);
}

async function runOnce(messages: number): Promise<ScenarioResult[]> {
  const conn = await connect(URL);
  const queue = `bench-${process.pid}-${Date.now()}`;
  const out: ScenarioResult[] = [];
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    const body = Buffer.alloc(MESSAGE_SIZE, 0x61);
    let done = 0;
    const stop = progress('rabbitmq produce', messages, () => done);
    const t0 = process.hrtime.bigint();
    await windowed(
      messages,
      IN_FLIGHT,
      () =>
        new Promise<void>((resolve, reject) => {
          ch.sendToQueue(queue, body, { persistent: true }, (err) =>
            err ? reject(err) : (done++, resolve()),
          );
        }),
    );
    stop();
    out.push(result('produce, persistent + confirms', 'rabbitmq', messages, t0, 'durable classic queue'));

    const cc = await conn.createChannel();
    await cc.prefetch(1000);
    let got = 0;
    const stopC = progress('rabbitmq consume', messages, () => got);
    const t1 = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      void cc.consume(queue, (msg) => {
        if (!msg) return;
        got++;
        if (got % 100 === 0 || got === messages) cc.ack(msg, true);
        if (got === messages) resolve();
      });
    });
    stopC();
    out.push(result('consume from backlog', 'rabbitmq', messages, t1, 'prefetch 1000, acks every 100'));
    await cc.close();
    await ch.deleteQueue(queue);
    await ch.close();
  } finally {
    await conn.close();
  }
  return out;
}
