/*
 * The broker reuses evicted read-cache blocks, while pull responses go out as zero-copy slices of
 * those blocks. A consumer that stops reading keeps responses queued on its socket; another consumer
 * meanwhile churns the cache through many blocks. The stalled consumer must still receive exactly the
 * stored bytes: a block is not reused while a queued response points into it.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullConsumer, silentLogger, type Message } from '@rocketts/client';
import {
  createRequest,
  decodeMessageRecords,
  encodeFrameToBuffer,
  FrameDecoder,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import { startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { randomGroup } from '../helpers/tmp';

const MESSAGES = 24_000; // ~29 MiB of records: seven 4 MiB blocks through a cache of two
const BODY = 1024;
const STALLED_PULLS = 700; // 32 messages each: ~22 MiB queued, more than loopback's socket buffers

/** Every byte of message i says i, so a body read from a reused block cannot pass. */
function bodyOf(i: number): Buffer {
  const b = Buffer.alloc(BODY, i & 0xff);
  for (let at = 0; at + 4 <= BODY; at += 128) b.writeUInt32BE(i, at);
  return b;
}

describe('read-cache block reuse', () => {
  let cluster: EmbeddedCluster;
  let topic: string;

  beforeAll(async () => {
    cluster = await startEmbeddedCluster({
      brokerConf: { readCacheSize: 8 * 1024 * 1024, mappedFileSizeCommitLog: 64 * 1024 * 1024 },
    });
    topic = await cluster.createTopic(undefined, 1);
    const producer = await cluster.startProducer();
    for (let i = 0; i < MESSAGES; i += 64) {
      const batch: Message[] = [];
      for (let j = i; j < Math.min(i + 64, MESSAGES); j++) batch.push({ topic, body: bodyOf(j) });
      await producer.sendBatch(batch);
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps the bytes of responses queued for a consumer that stopped reading', async () => {
    const [host, port] = cluster.brokerAddrs[0]!.split(':');
    const socket: Socket = connect({ host: host!, port: Number(port) });
    await new Promise<void>((r) => socket.once('connect', r));
    socket.pause();
    const group = randomGroup();
    for (let k = 0; k < STALLED_PULLS; k++) {
      const cmd = createRequest(
        RequestCode.PULL_MESSAGE,
        PullMessageRequestHeader.encode({
          consumerGroup: group,
          topic,
          queueId: 0,
          queueOffset: k * 32,
          maxMsgNums: 32,
          sysFlag: 4, // SUBSCRIPTION: the request carries its own, no heartbeat needed
          commitOffset: 0,
          suspendTimeoutMillis: 0,
          subscription: '*',
          subVersion: 1,
        }),
      );
      cmd.opaque = k + 1;
      socket.write(encodeFrameToBuffer(cmd));
    }
    await new Promise((r) => setTimeout(r, 500));

    // Another consumer reads the whole queue twice: every block is evicted and its memory reused.
    const churn = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    await churn.start();
    const [mq] = await churn.fetchSubscribeMessageQueues(topic);
    for (let round = 0; round < 2; round++) {
      let offset = 0;
      for (;;) {
        const r = await churn.pull(mq!, { offset, maxNums: 32 });
        for (const m of r.messages) expect(m.body.equals(bodyOf(m.queueOffset))).toBe(true);
        if (r.status !== 'FOUND') break;
        offset = r.nextBeginOffset;
      }
      expect(offset).toBe(MESSAGES);
    }
    await churn.shutdown();

    const decoder = new FrameDecoder();
    const responses: RemotingCommand[] = [];
    const all = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        responses.push(...decoder.push(chunk));
        if (responses.length >= STALLED_PULLS) resolve();
      });
      socket.on('error', reject);
    });
    socket.resume();
    await all;
    socket.destroy();

    let checked = 0;
    for (const resp of responses) {
      expect(resp.code).toBe(ResponseCode.SUCCESS);
      const first = (resp.opaque - 1) * 32;
      const msgs = decodeMessageRecords(resp.body as Buffer);
      expect(msgs.map((m) => m.queueOffset)).toEqual(Array.from({ length: 32 }, (_, i) => first + i));
      for (const m of msgs) {
        if (!m.body.equals(bodyOf(m.queueOffset))) {
          throw new Error(`message ${m.queueOffset} came back with the bytes of another message`);
        }
        checked++;
      }
    }
    expect(checked).toBe(STALLED_PULLS * 32);
  }, 120_000);
});
