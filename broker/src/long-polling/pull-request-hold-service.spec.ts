import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RemotingChannel } from '@rocketts/client';
import type { RemotingCommand } from '@rocketts/protocol';
import type { DispatchRequest } from '../store/dispatch/dispatch-request';
import type { MessageFilter } from '../store/message-filter';
import { PullRequestHoldService, type HeldPull } from './pull-request-hold-service';

const channel = { isActive: () => true } as unknown as RemotingChannel;
const anyTag = { isMatchedByConsumeQueue: () => true } as unknown as MessageFilter;

function pull(id: number, queueId: number, pullFromOffset: number, deadline = Date.now() + 60_000): HeldPull {
  return {
    cmd: { opaque: id } as RemotingCommand,
    channel,
    topic: 'T',
    queueId,
    pullFromOffset,
    filter: anyTag,
    deadline,
  };
}

const arrival = (queueId: number, consumeQueueOffset: number): DispatchRequest =>
  ({ topic: 'T', queueId, consumeQueueOffset, tagsCode: 0, properties: '' }) as DispatchRequest;

describe('PullRequestHoldService', () => {
  afterEach(() => vi.useRealTimers());

  it('wakes the pulls an arrival satisfies, keeps the others, and counts what stays parked', () => {
    const woken: number[] = [];
    const holds = new PullRequestHoldService((p) => woken.push(p.cmd.opaque));
    holds.suspend(pull(1, 0, 5));
    holds.suspend(pull(2, 0, 9));
    holds.suspend(pull(3, 1, 0));
    holds.onMessageArrived(arrival(0, 6));
    expect(woken).toEqual([1]);
    expect(holds.heldCount).toBe(2);
    holds.onMessageArrived(arrival(0, 9));
    holds.onMessageArrived(arrival(0, 10));
    expect(woken).toEqual([1, 2]);
    expect(holds.heldCount).toBe(1);
  });

  it('parks again on a queue whose pulls were all woken, and the scan still expires them', () => {
    vi.useFakeTimers();
    const woken: number[] = [];
    const holds = new PullRequestHoldService((p) => woken.push(p.cmd.opaque));
    holds.start();
    holds.suspend(pull(1, 0, 0));
    holds.onMessageArrived(arrival(0, 0));
    vi.advanceTimersByTime(1_000); // a scan finds the queue's list empty
    holds.suspend(pull(2, 0, 5, Date.now() + 500));
    holds.onMessageArrived(arrival(0, 4));
    expect(woken).toEqual([1]);
    vi.advanceTimersByTime(1_000);
    expect(woken).toEqual([1, 2]);
    expect(holds.heldCount).toBe(0);
    holds.suspend(pull(3, 0, 5));
    holds.stop();
    expect(woken).toEqual([1, 2, 3]);
  });
});
