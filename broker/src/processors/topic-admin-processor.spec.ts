import {
  createRequest,
  RequestCode,
  ResponseCode,
  topicConfig,
  type RemotingCommand,
} from '@rocketts/protocol';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specBrokerContext, type SpecBroker } from '../../../test/helpers/broker-context';
import { inner } from '../../../test/helpers/store';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { TopicAdminProcessor } from './topic-admin-processor';

describe('TopicAdminProcessor DELETE_TOPIC_IN_BROKER', () => {
  let b: SpecBroker;
  let processor: TopicAdminProcessor;

  beforeEach(async () => {
    b = await specBrokerContext();
    processor = new TopicAdminProcessor(b.ctx);
  });
  afterEach(() => b.close());

  const del = (topic: string): RemotingCommand =>
    processor.process(
      createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { topic }),
      new MemoryChannel(),
    ) as RemotingCommand;

  it('drops the topic config, its consume queues (files too) and every group’s offsets for it', async () => {
    const { ctx } = b;
    for (const t of ['Gone', 'Kept']) {
      ctx.topics.update(topicConfig(t, { readQueueNums: 2, writeQueueNums: 2 }));
      await ctx.store.putMessage(inner(t, 1, 'x'));
      ctx.offsets.commit('G1', t, 1, 1);
      ctx.offsets.commit('G2', t, 0, 0);
      ctx.offsets.commitPullOffset('G1', t, 1, 1);
    }
    const cqDir = join(ctx.storeConfig.storePathRootDir, 'consumequeue', 'Gone');
    await ctx.store.queues.flushAll();
    expect(existsSync(cqDir)).toBe(true);

    expect(del('Gone').code).toBe(ResponseCode.SUCCESS);
    expect(ctx.topics.get('Gone')).toBeUndefined();
    expect(ctx.store.getMaxOffsetInQueue('Gone', 1)).toBe(0);
    expect(existsSync(cqDir)).toBe(false);
    expect(ctx.offsets.topicsOf('G1')).toEqual(['Kept']);
    expect(ctx.offsets.topicsOf('G2')).toEqual(['Kept']);
    expect(ctx.offsets.queryPullOffset('G1', 'Gone', 1)).toBe(-1);
    // The other topic is untouched.
    expect(ctx.store.getMaxOffsetInQueue('Kept', 1)).toBe(1);
    expect(ctx.offsets.query('G1', 'Kept', 1)).toBe(1);
    expect(ctx.offsets.queryPullOffset('G1', 'Kept', 1)).toBe(1);
  });

  it('refuses to delete a system topic', () => {
    expect(del('TBW102').code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});
