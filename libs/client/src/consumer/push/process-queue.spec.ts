import { decodeMessageRecords, type MessageExt } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { storedRecord } from '../../../../../test/fakes/fake-cluster';
import { CLIENT_LOCK_MAX_LIVE_TIME_MS, ProcessQueue } from './process-queue';

/** Stored messages at the given queue offsets, each with a body of `bodyBytes`. */
function msgs(offsets: number[], bodyBytes = 10): MessageExt[] {
  return decodeMessageRecords(
    Buffer.concat(
      offsets.map((queueOffset) =>
        storedRecord({ topic: 'T', queueOffset, body: Buffer.alloc(bodyBytes, 97) }),
      ),
    ),
  );
}

const pick = (list: MessageExt[], ...offsets: number[]): MessageExt[] =>
  list.filter((m) => offsets.includes(m.queueOffset));

describe('ProcessQueue (concurrent)', () => {
  it('commits the lowest offset not yet consumed, whatever order handlers finish in', () => {
    const pq = new ProcessQueue();
    const all = msgs([10, 11, 12, 13, 14]);
    pq.putMessages(all);
    expect(pq.removeMessages(pick(all, 12))).toBe(10);
    expect(pq.removeMessages(pick(all, 11, 14))).toBe(10);
    expect(pq.removeMessages(pick(all, 10))).toBe(13);
    expect(pq.removeMessages(pick(all, 13))).toBe(15);
    expect(pq.isEmpty).toBe(true);
    // Nothing held: nothing to commit.
    expect(pq.removeMessages(pick(all, 13))).toBe(-1);
  });

  it('counts messages and body bytes for flow control, ignoring offsets it already holds', () => {
    const pq = new ProcessQueue();
    const a = msgs([0, 1, 2], 1024);
    pq.putMessages(a);
    pq.putMessages(msgs([2, 3], 1024));
    expect([pq.msgCount, pq.msgSize]).toEqual([4, 4096]);
    pq.removeMessages(pick(a, 0, 1));
    expect([pq.msgCount, pq.msgSize]).toEqual([2, 2048]);
    expect(pq.msgSizeInMiB).toBeCloseTo(2048 / 1024 / 1024);
  });

  it('reports the span between the lowest and highest waiting offsets', () => {
    const pq = new ProcessQueue();
    const all = msgs([5, 6, 900, 2000]);
    pq.putMessages(all);
    expect(pq.maxSpan).toBe(1995);
    pq.removeMessages(pick(all, 2000));
    expect(pq.maxSpan).toBe(895);
    pq.removeMessages(pick(all, 5, 6));
    expect(pq.maxSpan).toBe(0);
    expect(pq.info(7)).toMatchObject({ commitOffset: 7, cachedMsgMinOffset: 900, cachedMsgMaxOffset: 900 });
  });

  it('stays correct over many appends and removals (compaction)', () => {
    const pq = new ProcessQueue();
    const offsets = Array.from({ length: 5000 }, (_, i) => i);
    const all = msgs(offsets, 1);
    for (let i = 0; i < all.length; i += 32) pq.putMessages(all.slice(i, i + 32));
    // Remove everything but offset 4000, odd ones first.
    const keep = 4000;
    for (const m of all.filter((x) => x.queueOffset % 2 === 1)) pq.removeMessages([m]);
    let commit = -1;
    for (const m of all.filter((x) => x.queueOffset % 2 === 0 && x.queueOffset !== keep))
      commit = pq.removeMessages([m]);
    expect(commit).toBe(keep);
    expect(pq.msgCount).toBe(1);
    expect(pq.removeMessages(pick(all, keep))).toBe(5000);
  });
});

describe('ProcessQueue (orderly)', () => {
  it('hands out batches in offset order and commits one past the batch', () => {
    const pq = new ProcessQueue();
    expect(pq.putMessages(msgs([3, 4, 5, 6]))).toBe(true);
    // A loop is running: more messages do not start another.
    expect(pq.putMessages(msgs([7]))).toBe(false);
    const batch = pq.takeMessages(2);
    expect(batch.map((m) => m.queueOffset)).toEqual([3, 4]);
    expect(pq.msgCount).toBe(5);
    expect(pq.commit()).toBe(5);
    expect(pq.msgCount).toBe(3);
    expect(pq.commit()).toBe(-1);
  });

  it('puts a failed batch back in front so it is consumed again, in order', () => {
    const pq = new ProcessQueue();
    pq.putMessages(msgs([3, 4, 5]));
    const batch = pq.takeMessages(1);
    pq.putMessages(msgs([6]));
    pq.makeMessagesToConsumeAgain(batch);
    expect(pq.msgCount).toBe(4);
    expect(pq.takeMessages(10).map((m) => m.queueOffset)).toEqual([3, 4, 5, 6]);
    expect(pq.commit()).toBe(7);
    expect(pq.takeMessages(1)).toEqual([]);
    expect(pq.consuming).toBe(false);
    expect(pq.putMessages(msgs([8]))).toBe(true);
  });

  it('expires its local lock 30 s after the last grant', () => {
    const pq = new ProcessQueue();
    pq.lastLockTimestamp = 1_000;
    expect(pq.isLockExpired(1_000 + CLIENT_LOCK_MAX_LIVE_TIME_MS)).toBe(false);
    expect(pq.isLockExpired(1_001 + CLIENT_LOCK_MAX_LIVE_TIME_MS)).toBe(true);
  });

  it('clear() drops everything held', () => {
    const pq = new ProcessQueue();
    pq.putMessages(msgs([1, 2]));
    pq.takeMessages(1);
    pq.clear();
    expect([pq.msgCount, pq.msgSize, pq.isEmpty]).toEqual([0, 0, true]);
    expect(pq.commit()).toBe(-1);
  });
});
