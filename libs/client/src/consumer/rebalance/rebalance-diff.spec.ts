import type { MessageQueue } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { allocateAveragely } from './allocate-strategy';
import { diffAssignment, sortedConsumerIds } from './rebalance-diff';

const mq = (queueId: number, brokerName = 'broker-a'): MessageQueue => ({ topic: 'T', brokerName, queueId });

describe('diffAssignment', () => {
  it('lists queues to release and queues to take', () => {
    const held = [mq(0), mq(1), mq(2)];
    const allocated = [mq(2), mq(3), mq(0, 'broker-b')];
    expect(diffAssignment(held, allocated)).toEqual({
      removed: [mq(0), mq(1)],
      added: [mq(3), mq(0, 'broker-b')],
    });
  });

  it('is empty when nothing changed, whatever the order', () => {
    expect(diffAssignment([mq(1), mq(0)], [mq(0), mq(1)])).toEqual({ removed: [], added: [] });
    expect(diffAssignment([], [])).toEqual({ removed: [], added: [] });
  });

  it('members applying it to their allocations end disjoint and complete after a join and a leave', () => {
    const all = Array.from({ length: 8 }, (_, i) => mq(i));
    const check = (cids: string[]): Map<string, MessageQueue[]> => {
      const sorted = sortedConsumerIds(cids);
      const out = new Map(sorted.map((c) => [c, allocateAveragely(c, all, sorted)]));
      const union = [...out.values()].flat().map((q) => q.queueId);
      expect(union.sort((a, b) => a - b)).toEqual(all.map((q) => q.queueId));
      return out;
    };
    const two = check(['b@2', 'a@1']);
    const three = check(['a@1', 'c@3', 'b@2']);
    const a = diffAssignment(two.get('a@1')!, three.get('a@1')!);
    expect(a.added).toEqual([]);
    expect(a.removed.map((q) => q.queueId)).toEqual([3]);
    const c = diffAssignment([], three.get('c@3')!);
    expect(c.added.map((q) => q.queueId)).toEqual([6, 7]);
    const afterLeave = check(['c@3', 'a@1']);
    expect(diffAssignment(three.get('c@3')!, afterLeave.get('c@3')!).added.length).toBeGreaterThan(0);
  });
});

describe('sortedConsumerIds', () => {
  it('sorts by UTF-16 code units and drops duplicates, as every member must see the same list', () => {
    expect(sortedConsumerIds(['b@1', 'B@1', 'a@1', 'b@1'])).toEqual(['B@1', 'a@1', 'b@1']);
  });
});
