import {
  createRequest,
  encodeSubscriptionGroupConfig,
  parseBody,
  RequestCode,
  ResponseCode,
  subscriptionGroupConfig,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specBrokerContext, type SpecBroker } from '../../../test/helpers/broker-context';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { BrokerAdminProcessor } from './broker-admin-processor';

describe('BrokerAdminProcessor subscription groups and offsets', () => {
  let b: SpecBroker;
  let processor: BrokerAdminProcessor;

  beforeEach(async () => {
    b = await specBrokerContext({ autoCreateSubscriptionGroup: false });
    processor = new BrokerAdminProcessor(b.ctx);
  });
  afterEach(() => b.close());

  const call = (code: number, ext?: Record<string, string>, body?: Buffer): RemotingCommand =>
    processor.process(createRequest(code, ext, body), new MemoryChannel()) as RemotingCommand;

  it('UPDATE_BROKER_CONFIG switches autoCreateSubscriptionGroup for the next unknown group at once', () => {
    expect(b.ctx.groups.findOrCreate('G_before')).toBeUndefined();
    const body = Buffer.from('autoCreateSubscriptionGroup=true\n');
    expect(call(RequestCode.UPDATE_BROKER_CONFIG, undefined, body).code).toBe(ResponseCode.SUCCESS);
    expect(b.ctx.groups.findOrCreate('G_after')?.groupName).toBe('G_after');
  });

  it('creates a group from the admin body, keeping what the body says', () => {
    const cfg = subscriptionGroupConfig('G', { retryMaxTimes: 3, consumeMessageOrderly: true });
    expect(
      call(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, undefined, encodeSubscriptionGroupConfig(cfg))
        .code,
    ).toBe(ResponseCode.SUCCESS);
    expect(b.ctx.groups.get('G')).toEqual(cfg);
  });

  it('deletes a group, and with cleanOffset its committed and pull offsets on every topic', () => {
    const { ctx } = b;
    for (const g of ['G', 'xG', 'G2']) {
      ctx.groups.update(subscriptionGroupConfig(g));
      ctx.offsets.commit(g, 'T', 0, 4);
      ctx.offsets.commit(g, 'U', 1, 2);
      ctx.offsets.commitPullOffset(g, 'T', 0, 5);
    }
    expect(call(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'G2' }).code).toBe(ResponseCode.SUCCESS);
    expect(ctx.groups.get('G2')).toBeUndefined();
    expect(ctx.offsets.topicsOf('G2')).toEqual(['T', 'U']);

    expect(call(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'G', cleanOffset: 'true' }).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(ctx.groups.get('G')).toBeUndefined();
    expect(ctx.offsets.topicsOf('G')).toEqual([]);
    expect(ctx.offsets.queryPullOffset('G', 'T', 0)).toBe(-1);
    // A group whose name ends with the deleted one keeps its offsets.
    expect(ctx.offsets.topicsOf('xG')).toEqual(['T', 'U']);
    const all = parseBody(call(RequestCode.GET_ALL_CONSUMER_OFFSET).body, 'offsets');
    expect(Object.keys(all.offsetTable as object).sort()).toEqual(['T@G2', 'T@xG', 'U@G2', 'U@xG']);
  });
});
