/*
 * A push consumer shows its SQL92 subscriptions to the brokers before its first heartbeat
 * (CHECK_CLIENT_CONFIG): an expression they cannot parse, or a broker with SQL92 filtering off, fails
 * start() with the broker's answer instead of failing every pull later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PushConsumer, silentLogger } from '@rocketts/client';
import { isResponseCode, ResponseCode, ResponseError } from '@rocketts/protocol';
import { startEmbeddedCluster, type EmbeddedCluster } from '../helpers/embedded-cluster';
import { randomGroup } from '../helpers/tmp';

describe('CHECK_CLIENT_CONFIG at push consumer start', () => {
  const running: { cluster?: EmbeddedCluster; consumers: PushConsumer[] } = { consumers: [] };

  afterEach(async () => {
    for (const c of running.consumers.splice(0)) await c.shutdown();
    await running.cluster?.stop();
    running.cluster = undefined;
  });

  const consumerOf = (cluster: EmbeddedCluster, topic: string, expression: string, sql: boolean) => {
    const c = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: randomGroup(),
      logger: silentLogger,
    });
    c.subscribe(topic, sql ? { type: 'SQL92', expression } : expression);
    c.registerMessageListener({ consumeConcurrently: () => undefined });
    running.consumers.push(c);
    return c;
  };

  it('fails start() on an expression the broker cannot parse, and starts on a valid one', async () => {
    const cluster = (running.cluster = await startEmbeddedCluster());
    const topic = await cluster.createTopic(undefined, 2);
    const bad = consumerOf(cluster, topic, 'amount >', true);
    const err = await bad.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResponseError);
    expect(isResponseCode(err, ResponseCode.SUBSCRIPTION_PARSE_FAILED)).toBe(true);
    await consumerOf(cluster, topic, "region = 'eu' AND amount > 10", true).start();
  });

  it('fails start() on a SQL92 subscription when the broker has enablePropertyFilter off; tags still work', async () => {
    const cluster = (running.cluster = await startEmbeddedCluster({
      brokerConf: { enablePropertyFilter: false },
    }));
    const topic = await cluster.createTopic(undefined, 2);
    await expect(consumerOf(cluster, topic, 'amount > 10', true).start()).rejects.toThrow(
      /does not support consumer to filter message by SQL92/,
    );
    await consumerOf(cluster, topic, 'TagA || TagB', false).start();
  });
});
