import type { RemotingChannel } from '@rocketts/client';
import {
  createOffsetMsgId,
  createRequest,
  createResponse,
  decodeMessageRecord,
  encodeHostAddress,
  RemotingTimeoutError,
  RequestCode,
  ResponseCode,
  topicConfig,
  type RemotingCommand,
} from '@rocketts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinGroup, specBrokerContext, type SpecBroker } from '../../../test/helpers/broker-context';
import { inner } from '../../../test/helpers/store';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { ConsumerRelayProcessor } from './consumer-relay-processor';

/** A member that answers relayed calls with `answer` and records what it was asked. */
function answeringMember(answer: (cmd: RemotingCommand) => RemotingCommand): {
  channel: MemoryChannel;
  asked: RemotingCommand[];
} {
  const asked: RemotingCommand[] = [];
  const channel = new MemoryChannel('10.0.0.7:7777', (cmd) => {
    asked.push(cmd);
    return answer(cmd);
  });
  return { channel, asked };
}

/** A member whose calls fail with `err`. */
function failingMember(err: Error): RemotingChannel {
  const channel = new MemoryChannel();
  channel.request = () => Promise.reject(err);
  return channel;
}

describe('ConsumerRelayProcessor', () => {
  let b: SpecBroker;
  let processor: ConsumerRelayProcessor;

  beforeEach(async () => {
    b = await specBrokerContext();
    processor = new ConsumerRelayProcessor(b.ctx);
  });
  afterEach(() => b.close());

  const call = async (code: number, ext: Record<string, string>): Promise<RemotingCommand> =>
    (await processor.process(createRequest(code, ext), new MemoryChannel())) as RemotingCommand;
  const runningInfo = (clientId: string) =>
    call(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: 'G', clientId, jstackEnable: 'false' });

  it('relays GET_CONSUMER_RUNNING_INFO to the member with that client id and returns its answer as is', async () => {
    const other = answeringMember(() => {
      throw new Error('the wrong member was asked');
    });
    const member = answeringMember((cmd) =>
      createResponse(cmd, ResponseCode.SUCCESS, 'from client', { x: '1' }, Buffer.from('{"properties":{}}')),
    );
    joinGroup(b.ctx, 'G', 'other', other.channel);
    joinGroup(b.ctx, 'G', 'wanted', member.channel);
    const resp = await runningInfo('wanted');
    expect([resp.code, resp.remark, resp.extFields, resp.body?.toString()]).toEqual([
      ResponseCode.SUCCESS,
      'from client',
      { x: '1' },
      '{"properties":{}}',
    ]);
    expect(member.asked.map((c) => [c.code, c.extFields])).toEqual([
      [
        RequestCode.GET_CONSUMER_RUNNING_INFO,
        { consumerGroup: 'G', clientId: 'wanted', jstackEnable: 'false' },
      ],
    ]);
    expect(other.asked).toHaveLength(0);
  });

  it('passes a client error through, and answers SYSTEM_ERROR for a member that is not online', async () => {
    const member = answeringMember((cmd) => createResponse(cmd, ResponseCode.SYSTEM_ERROR, 'no such group'));
    joinGroup(b.ctx, 'G', 'c1', member.channel);
    expect((await runningInfo('c1')).remark).toBe('no such group');
    const absent = await runningInfo('ghost');
    expect([absent.code, absent.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      'The Consumer <G> <ghost> not online',
    ]);
    member.channel.close();
    expect((await runningInfo('c1')).code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('answers CONSUME_MSG_TIMEOUT when the member does not answer in time, SYSTEM_ERROR when the call fails', async () => {
    joinGroup(b.ctx, 'G', 'slow', failingMember(new RemotingTimeoutError('10.0.0.7:7777', 3, 10_000, 307)));
    joinGroup(b.ctx, 'G', 'broken', failingMember(new Error('connection reset')));
    const slow = await runningInfo('slow');
    expect(slow.code).toBe(ResponseCode.CONSUME_MSG_TIMEOUT);
    expect(slow.remark).toMatch(
      /^consumer <G> <slow> Timeout: no response from 10\.0\.0\.7:7777 within 10000 ms/,
    );
    const broken = await runningInfo('broken');
    expect([broken.code, broken.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      'invoke consumer <G> <broken> Exception: connection reset',
    ]);
  });

  it('sends CONSUME_MESSAGE_DIRECTLY with the stored message and the broker’s additions to the header', async () => {
    b.ctx.topics.update(topicConfig('T', { readQueueNums: 1, writeQueueNums: 1, topicSysFlag: 0 }));
    b.ctx.groups.findOrCreate('G');
    const put = await b.ctx.store.putMessage(inner('T', 0, 'consume me', { KEYS: 'k1' }));
    const msgId = createOffsetMsgId(encodeHostAddress('127.0.0.1', 10911), put.wroteOffset);
    const result = Buffer.from(
      '{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"spentTimeMills":2}',
    );
    const member = answeringMember((cmd) =>
      createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, result),
    );
    joinGroup(b.ctx, 'G', 'c1', member.channel);
    const resp = await call(RequestCode.CONSUME_MESSAGE_DIRECTLY, {
      consumerGroup: 'G',
      clientId: 'c1',
      msgId,
      topic: 'T',
    });
    expect(resp.body?.equals(result)).toBe(true);
    const [sent] = member.asked;
    expect(sent?.extFields).toEqual({
      consumerGroup: 'G',
      clientId: 'c1',
      msgId,
      topic: 'T',
      brokerName: 'broker-a',
      topicSysFlag: '0',
      groupSysFlag: '0',
    });
    const m = decodeMessageRecord(sent?.body as Buffer);
    expect([m.topic, m.body.toString(), m.commitLogOffset]).toEqual(['T', 'consume me', put.wroteOffset]);
  });

  it('refuses CONSUME_MESSAGE_DIRECTLY for a message id it cannot resolve', async () => {
    joinGroup(b.ctx, 'G', 'c1', answeringMember((cmd) => createResponse(cmd, ResponseCode.SUCCESS)).channel);
    const bad = await call(RequestCode.CONSUME_MESSAGE_DIRECTLY, {
      consumerGroup: 'G',
      clientId: 'c1',
      msgId: 'zz',
    });
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR);
    const missing = createOffsetMsgId(encodeHostAddress('127.0.0.1', 10911), 123_456);
    const gone = await call(RequestCode.CONSUME_MESSAGE_DIRECTLY, {
      consumerGroup: 'G',
      clientId: 'c1',
      msgId: missing,
    });
    expect([gone.code, gone.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      'can not find message by the offset, 123456',
    ]);
  });
});
