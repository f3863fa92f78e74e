import {
  createRequest,
  decodeResetOffsetBody,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
  topicConfig,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinGroup, specBrokerContext, type SpecBroker } from '../../../test/helpers/broker-context';
import { inner } from '../../../test/helpers/store';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { ResetOffsetProcessor } from './reset-offset-processor';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ResetOffsetProcessor', () => {
  let b: SpecBroker;
  let processor: ResetOffsetProcessor;
  /** Store time of T/0 offsets 0…5, each at least 2 ms apart. */
  const times: number[] = [];

  beforeEach(async () => {
    b = await specBrokerContext();
    processor = new ResetOffsetProcessor(b.ctx);
    b.ctx.topics.update(topicConfig('T', { readQueueNums: 2, writeQueueNums: 2 }));
    times.length = 0;
    for (let i = 0; i < 6; i++) {
      times.push((await b.ctx.store.putMessage(inner('T', 0, `m${i}`))).storeTimestamp);
      await sleep(2);
    }
    await b.ctx.store.putMessage(inner('T', 1, 'q1'));
    b.ctx.offsets.commit('G', 'T', 0, 5);
  });
  afterEach(() => b.close());

  const reset = (h: Partial<ResetOffsetRequestHeader>): RemotingCommand =>
    processor.process(
      createRequest(
        RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
        ResetOffsetRequestHeader.encode({ topic: 'T', group: 'G', timestamp: 0, isForce: true, ...h }),
      ),
      new MemoryChannel(),
    ) as RemotingCommand;
  const table = (resp: RemotingCommand): string[] =>
    decodeResetOffsetBody(resp.body)
      .map(([mq, off]) => `${mq.brokerName}/${mq.topic}/${mq.queueId}=${off}`)
      .sort();

  it('moves stored offsets to the first message stored at or after the time, with no consumer online', () => {
    const resp = reset({ timestamp: times[2] as number });
    expect(resp.code).toBe(ResponseCode.SUCCESS);
    // Queue 1 had no offset: it takes the target too (its only message is later than times[2]).
    expect(table(resp)).toEqual(['broker-a/T/0=2', 'broker-a/T/1=0']);
    expect(b.ctx.offsets.query('G', 'T', 0)).toBe(2);
    expect(b.ctx.offsets.query('G', 'T', 1)).toBe(0);
  });

  it('without force only moves an offset backwards', () => {
    b.ctx.offsets.commit('G', 'T', 0, 1);
    expect(table(reset({ timestamp: times[3] as number, isForce: false }))).toContain('broker-a/T/0=1');
    expect(b.ctx.offsets.query('G', 'T', 0)).toBe(1);
    expect(table(reset({ timestamp: times[0] as number, isForce: false }))).toContain('broker-a/T/0=0');
    expect(b.ctx.offsets.query('G', 'T', 0)).toBe(0);
    // Forced, it moves forwards as well.
    expect(table(reset({ timestamp: times[4] as number, isForce: true }))).toContain('broker-a/T/0=4');
  });

  it('timestamp -1 is the end of each queue; a time after every message is the end too', () => {
    expect(table(reset({ timestamp: -1 }))).toEqual(['broker-a/T/0=6', 'broker-a/T/1=1']);
    expect(table(reset({ timestamp: Date.now() + 60_000 }))).toEqual(['broker-a/T/0=6', 'broker-a/T/1=1']);
  });

  it('tells every online member with a one-way RESET_CONSUMER_CLIENT_OFFSET carrying the same body', () => {
    const [c1, c2] = [new MemoryChannel(), new MemoryChannel()];
    joinGroup(b.ctx, 'G', 'client-1', c1, ['T']);
    joinGroup(b.ctx, 'G', 'client-2', c2, ['T']);
    const resp = reset({ timestamp: times[1] as number, isForce: false });
    for (const c of [c1, c2]) {
      expect(c.oneways).toHaveLength(1);
      const notice = c.oneways[0] as RemotingCommand;
      expect(notice.code).toBe(RequestCode.RESET_CONSUMER_CLIENT_OFFSET);
      expect(ResetOffsetRequestHeader.decode(notice.extFields)).toEqual({
        topic: 'T',
        group: 'G',
        timestamp: times[1],
        isForce: false,
      });
      expect(notice.body?.equals(resp.body as Buffer)).toBe(true);
      expect(table(notice)).toEqual(['broker-a/T/0=1', 'broker-a/T/1=0']);
    }
  });

  it('resets one queue to an exact offset (5.x queueId/offset), refusing one outside the queue', () => {
    expect(table(reset({ queueId: 0, offset: 4, isForce: false }))).toEqual(['broker-a/T/0=4']);
    expect(b.ctx.offsets.query('G', 'T', 0)).toBe(4);
    expect(b.ctx.offsets.query('G', 'T', 1)).toBe(-1);
    const bad = reset({ queueId: 0, offset: 7 });
    expect([bad.code, bad.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      'Target offset 7 not in consume queue range [0-6]',
    ]);
    expect(reset({ queueId: 2 }).code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('refuses an unknown topic or group, changing nothing', () => {
    const noTopic = reset({ topic: 'Nope' });
    expect([noTopic.code, noTopic.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      '[reset-offset] reset offset failed, no topic in this broker. topic=Nope',
    ]);
    expect(reset({ group: 'Stranger' }).code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
    expect(b.ctx.offsets.offsetsOf('Stranger', 'T').size).toBe(0);
    expect(b.ctx.offsets.query('G', 'T', 0)).toBe(5);
  });
});
