import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rocketts/client';
import type { MessageStore } from '../store/message-store';
import type { TopicConfigManager } from '../topics/topic-config-manager';
import { TransactionalMessageBridge } from './transactional-message-bridge';

/** A bridge over a half queue whose end offset the test moves. */
function bridgeWithHalfEnd(): { bridge: TransactionalMessageBridge; setHalfEnd(n: number): void } {
  let halfEnd = 0;
  const store = {
    queues: { find: () => ({ minOffset: 0, maxOffset: halfEnd }) },
  } as unknown as MessageStore;
  const bridge = new TransactionalMessageBridge(store, {} as TopicConfigManager, silentLogger);
  return { bridge, setHalfEnd: (n) => (halfEnd = n) };
}

const end = (bridge: TransactionalMessageBridge, key: string): void => {
  expect(bridge.beginEnd(key)).toBe(true);
  bridge.finishEnd(key, true);
};

describe('TransactionalMessageBridge ended set', () => {
  const GRACE = 180_000;

  it('forgets a transaction only once the walk passed every copy and the grace has passed', () => {
    const { bridge, setHalfEnd } = bridgeWithHalfEnd();
    setHalfEnd(10);
    end(bridge, 'A');
    expect(bridge.beginEnd('A')).toBe(false);
    const later = Date.now() + GRACE;
    expect(bridge.prune(9, later, GRACE)).toBe(0); // a copy at offset 9 may still be walked
    expect(bridge.prune(10, later - 1_000, GRACE)).toBe(0); // within the grace
    expect(bridge.isEnded('A')).toBe(true);
    expect(bridge.prune(10, later + 1, GRACE)).toBe(1);
    expect(bridge.isEnded('A')).toBe(false);
    expect(bridge.endedCount).toBe(0);
  });

  it('forgets in end order and stops at the first transaction still needed', () => {
    const { bridge, setHalfEnd } = bridgeWithHalfEnd();
    setHalfEnd(5);
    end(bridge, 'old');
    setHalfEnd(50);
    end(bridge, 'new');
    end(bridge, 'newer');
    expect(bridge.prune(20, Date.now() + GRACE + 1, GRACE)).toBe(1);
    expect(bridge.isEnded('old')).toBe(false);
    expect(bridge.isEnded('new')).toBe(true);
    expect(bridge.isEnded('newer')).toBe(true);
  });

  it('keeps a failed end open for another try', () => {
    const { bridge } = bridgeWithHalfEnd();
    expect(bridge.beginEnd('K')).toBe(true);
    expect(bridge.beginEnd('K')).toBe(false); // in flight
    bridge.finishEnd('K', false);
    expect(bridge.isEnded('K')).toBe(false);
    expect(bridge.beginEnd('K')).toBe(true);
  });
});
