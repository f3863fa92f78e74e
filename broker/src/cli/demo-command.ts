import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Admin, createLogger, Producer, PullConsumer, silentLogger } from '@rocketts/client';
import { BrokerController } from '../broker-controller';
import { resolveBrokerConfig } from '../config';
import { NamesrvController, resolveNamesrvConfig } from '../namesrv';
import { stringFlag, type ParsedArgs } from './args';

const TOPIC = 'OrderEvents';
const ORDERS = ['ORDER-1001', 'ORDER-1002', 'ORDER-1003'];
const STEPS = ['OrderCreated', 'OrderPaid', 'OrderShipped'];

/**
 * `rocketts demo`: an embedded name server and broker in this process (store under ./.rocketts-demo
 * unless --dir), then an order-event round trip through the client — send with tags and keys,
 * consume with a tag filter, query by key. Stays up for `rocketts admin` until Ctrl-C; `--once` exits.
 */
export async function demoCommand(args: ParsedArgs): Promise<void> {
  const dir = resolve(stringFlag(args, 'dir') ?? '.rocketts-demo');
  const nsPort = Number(stringFlag(args, 'namesrvPort') ?? 9876);
  const brokerPort = Number(stringFlag(args, 'port') ?? 10911);
  mkdirSync(dir, { recursive: true });
  const logger = createLogger('demo', { level: 'warn' });
  const ns = new NamesrvController(
    resolveNamesrvConfig({
      listenPort: nsPort,
      bindAddress: '127.0.0.1',
      kvConfigPath: join(dir, 'namesrv', 'kvConfig.json'),
    }),
    { logger },
  );
  const { port: namesrvPort } = await ns.start();
  const namesrvAddr = `127.0.0.1:${namesrvPort}`;
  const broker = new BrokerController(
    resolveBrokerConfig({
      brokerName: 'broker-a',
      brokerIP1: '127.0.0.1',
      bindAddress: '127.0.0.1',
      listenPort: brokerPort,
      namesrvAddr,
      storePathRootDir: join(dir, 'store'),
      mappedFileSizeCommitLog: 64 * 1024 * 1024,
    }),
    logger,
  );
  const info = await broker.start();
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`RocketTS demo — embedded name server ${namesrvAddr} and broker broker-a ${info.addr}, store ${dir}`);

  const admin = new Admin({ namesrvAddr, logger: silentLogger });
  const producer = new Producer({ namesrvAddr, producerGroup: 'demo-order-service', logger: silentLogger });
  const consumer = new PullConsumer({
    namesrvAddr,
    consumerGroup: 'demo-payment-service',
    logger: silentLogger,
  });
  try {
    await Promise.all([admin.start(), producer.start(), consumer.start()]);
    await admin.createTopic({
      topic: TOPIC,
      clusterName: 'DefaultCluster',
      readQueueNums: 4,
      writeQueueNums: 4,
    });
    out(`created topic ${TOPIC} with 4 queues`);
    for (const order of ORDERS) {
      for (const step of STEPS) {
        const r = await producer.send({
          topic: TOPIC,
          tags: step,
          keys: order,
          body: JSON.stringify({ order, step, at: new Date().toISOString() }),
        });
        out(
          `  sent    ${order} ${step.padEnd(12)} → queue ${r.messageQueue.queueId} offset ${r.queueOffset} (${r.msgId})`,
        );
      }
    }
    out(`consuming ${TOPIC} with tag filter "OrderPaid || OrderShipped"`);
    for (const mq of await consumer.fetchSubscribeMessageQueues(TOPIC)) {
      let offset = Math.max(0, await consumer.fetchConsumeOffset(mq));
      for (;;) {
        const r = await consumer.pull(mq, { offset, subExpression: 'OrderPaid || OrderShipped' });
        for (const m of r.messages)
          out(`  got     queue ${mq.queueId} offset ${m.queueOffset}: ${m.body.toString()}`);
        if (r.status !== 'FOUND' && r.status !== 'NO_MATCHED_MSG') break;
        offset = r.nextBeginOffset;
      }
      await consumer.commitOffset(mq, offset);
    }
    const found = await admin.queryMessageByKey(TOPIC, 'ORDER-1002', {
      maxNum: 32,
      begin: 0,
      end: Date.now() + 60_000,
    });
    out(
      `query by key ORDER-1002 → ${found.messages.length} messages: ${found.messages.map((m) => m.tags).join(', ')}`,
    );
  } finally {
    await Promise.all([admin.shutdown(), producer.shutdown(), consumer.shutdown()]);
  }
  const stop = async (): Promise<void> => {
    await broker.shutdown();
    await ns.shutdown();
  };
  if (args.flags.has('once')) {
    await stop();
    out('demo done');
    return;
  }
  out(
    `\nThe cluster keeps running. Try:\n  npx rocketts admin topicStatus -n ${namesrvAddr} -t ${TOPIC}\n  npx rocketts admin queryMsgByKey -n ${namesrvAddr} -t ${TOPIC} -k ORDER-1001\nCtrl-C stops it (flush, checkpoint, unregister).`,
  );
  const onSignal = (): void => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
