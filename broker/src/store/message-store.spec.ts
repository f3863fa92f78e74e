import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileSql92, decodeMessageRecord, javaHashCode } from '@rocketts/protocol';
import { inner, newStore } from '../../../test/helpers/store';
import { tmpStoreDir } from '../../../test/helpers/tmp';
import type { MessageInner } from './commit-log/commit-log';
import type { MappedFile } from './mapped-file/mapped-file';
import type { MessageStore } from './message-store';
import { MATCH_ALL } from './message-filter';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(
  overrides: Record<string, unknown> = {},
): Promise<{ store: MessageStore; dir: string }> {
  const t = tmpStoreDir();
  const store = newStore(t.dir, overrides);
  await store.start();
  cleanups.push(t.cleanup, () => store.shutdown());
  return { store, dir: t.dir };
}

const bodies = (r: { messages: Buffer[] }): string[] =>
  r.messages.map((m) => decodeMessageRecord(m).body.toString());

describe('MessageStore put and get', () => {
  it('assigns consecutive queue offsets per queue and reads them back in order', async () => {
    const { store } = await started();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.putMessage(inner('T', i % 2, `m${i}`))),
    );
    expect(results.every((r) => r.status === 'PUT_OK')).toBe(true);
    expect(results.filter((_, i) => i % 2 === 0).map((r) => r.queueOffset)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(20);
    const got = store.getMessage('T', 0, 0, 32, MATCH_ALL);
    expect(got.status).toBe('FOUND');
    expect(bodies(got)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i * 2}`));
    expect(got.nextBeginOffset).toBe(20);
    const decoded = decodeMessageRecord(got.messages[3] as Buffer, 0, { checkCrc: true });
    expect(decoded).toMatchObject({ queueOffset: 3, queueId: 0, topic: 'T' });
    expect(decoded.properties).toHaveProperty('__CRC32#');
  });

  it('reports the pull statuses of §9.3 with the right next offsets', async () => {
    const { store } = await started();
    expect(store.getMessage('none', 0, 0, 32, MATCH_ALL)).toMatchObject({
      status: 'NO_MATCHED_LOGIC_QUEUE',
      nextBeginOffset: 0,
    });
    for (let i = 0; i < 5; i++) await store.putMessage(inner('T', 0, `m${i}`));
    expect(store.getMessage('T', 0, 5, 32, MATCH_ALL)).toMatchObject({
      status: 'OFFSET_OVERFLOW_ONE',
      nextBeginOffset: 5,
    });
    expect(store.getMessage('T', 0, 9, 32, MATCH_ALL)).toMatchObject({
      status: 'OFFSET_OVERFLOW_BADLY',
      nextBeginOffset: 5,
    });
    expect(store.getMessage('T', 0, 2, 2, MATCH_ALL)).toMatchObject({ status: 'FOUND', nextBeginOffset: 4 });
  });

  it('filters by tag hash and by SQL92 and advances past filtered messages', async () => {
    const { store } = await started();
    for (let i = 0; i < 30; i++) {
      await store.putMessage(inner('T', 0, `m${i}`, { TAGS: i % 3 === 0 ? 'TagA' : 'TagB', a: String(i) }));
    }
    const tagA = { isMatchedByConsumeQueue: (code: number) => code === javaHashCode('TagA') };
    expect(bodies(store.getMessage('T', 0, 0, 32, tagA))).toEqual([
      'm0',
      'm3',
      'm6',
      'm9',
      'm12',
      'm15',
      'm18',
      'm21',
      'm24',
      'm27',
    ]);
    const sql = compileSql92('a >= 10 AND a < 13');
    const bySql = {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (props: string) =>
        sql.matches((n) =>
          props
            .split('\u0002')
            .find((kv) => kv.startsWith(`${n}\u0001`))
            ?.slice(n.length + 1),
        ),
    };
    expect(bodies(store.getMessage('T', 0, 0, 32, bySql))).toEqual(['m10', 'm11', 'm12']);
    const none = store.getMessage('T', 0, 0, 32, { isMatchedByConsumeQueue: () => false });
    expect(none).toMatchObject({ status: 'NO_MATCHED_MESSAGE', nextBeginOffset: 30 });
  });

  it('scans past long runs of filtered units in steps, up to maxFilterMessageSize per pull', async () => {
    const { store } = await started();
    for (let i = 0; i < 1000; i++) {
      await store.putMessage(inner('T', 0, `m${i}`, { TAGS: i % 300 === 0 ? 'TagA' : 'TagB' }));
    }
    const tagA = { isMatchedByConsumeQueue: (code: number) => code === javaHashCode('TagA') };
    // 800 units (16000 bytes of consume queue) at most per call: m0 and m300 and m600, then stop at 800.
    const first = store.getMessage('T', 0, 0, 32, tagA);
    expect(bodies(first)).toEqual(['m0', 'm300', 'm600']);
    expect(first.nextBeginOffset).toBe(800);
    const second = store.getMessage('T', 0, 800, 32, tagA);
    expect(bodies(second)).toEqual(['m900']);
    expect(second.nextBeginOffset).toBe(1000);
    // Unfiltered: exactly maxMsgNums, next offset right after them.
    expect(store.getMessage('T', 0, 0, 32, MATCH_ALL)).toMatchObject({ nextBeginOffset: 32 });
  });

  it('rolls segments with a blank filler and keeps reading across them', async () => {
    const { store } = await started({ mappedFileSizeCommitLog: 128 * 1024, maxMessageSize: 16 * 1024 });
    const big = Buffer.alloc(10_000, 7);
    for (let i = 0; i < 40; i++) expect((await store.putMessage(inner('T', 0, big))).status).toBe('PUT_OK');
    expect(store.commitLog.files.all.length).toBeGreaterThan(3);
    const all: Buffer[] = [];
    for (let off = 0; off < 40;) {
      const r = store.getMessage('T', 0, off, 32, MATCH_ALL);
      all.push(...r.messages);
      off = r.nextBeginOffset;
    }
    expect(all.map((m) => decodeMessageRecord(m, 0, { checkCrc: true }).queueOffset)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
  });

  it('serves fresh records from the memory they were built in, byte for byte as the file holds them', async () => {
    const { store } = await started({ mappedFileSizeCommitLog: 256 * 1024, maxMessageSize: 16 * 1024 });
    const batch = (n: number): MessageInner[] =>
      Array.from({ length: 16 }, (_, i) => inner('L', n % 4, Buffer.alloc(1000 + i * 97, n + i)));
    for (let n = 0; n < 40; n++) expect((await store.putMessages(batch(n))).status).toBe('PUT_OK');
    expect(store.commitLog.files.all.length).toBeGreaterThan(2);
    const reads = store.commitLog.files.all.map((f) => vi.spyOn(f, 'readInto'));
    const served: Buffer[] = [];
    for (let q = 0; q < 4; q++) {
      for (let off = 0; ;) {
        const r = store.getMessage('L', q, off, 32, MATCH_ALL);
        if (r.status !== 'FOUND') break;
        served.push(...r.messages.map((m) => Buffer.from(m)));
        off = r.nextBeginOffset;
      }
    }
    for (const r of reads) expect(r).not.toHaveBeenCalled();
    for (const r of reads) r.mockRestore();
    expect(served).toHaveLength(40 * 16);
    for (const rec of served) {
      const m = decodeMessageRecord(rec, 0, { checkCrc: true });
      const f = store.commitLog.files.findByOffset(m.commitLogOffset) as MappedFile;
      const onDisk = Buffer.alloc(rec.length);
      f.readInto(onDisk, 0, rec.length, m.commitLogOffset - f.fileFromOffset);
      expect(onDisk.equals(rec)).toBe(true);
    }
  });

  it('stores a batch contiguously with one result and consecutive offsets', async () => {
    const { store } = await started();
    const r = await store.putMessages([inner('B', 1, 'x'), inner('B', 1, 'y'), inner('B', 1, 'z')]);
    expect(r).toMatchObject({ status: 'PUT_OK', queueOffset: 0 });
    expect(r.msgIds).toHaveLength(3);
    expect(bodies(store.getMessage('B', 1, 0, 32, MATCH_ALL))).toEqual(['x', 'y', 'z']);
  });

  it('refuses oversize bodies and topics with MESSAGE_ILLEGAL and stores nothing', async () => {
    const { store } = await started();
    expect((await store.putMessage(inner('T', 0, Buffer.alloc(1024 * 1024 + 1)))).status).toBe(
      'MESSAGE_ILLEGAL',
    );
    expect((await store.putMessage(inner('x'.repeat(128), 0, 'a'))).status).toBe('MESSAGE_ILLEGAL');
    expect(store.commitLog.maxOffset).toBe(0);
  });

  it('answers SYNC_FLUSH sends only after fdatasync, covering many with one group commit', async () => {
    const { store } = await started({ flushDiskType: 'SYNC_FLUSH' });
    const rs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.putMessage(inner('S', i % 4, `s${i}`))),
    );
    expect(rs.every((r) => r.status === 'PUT_OK')).toBe(true);
    expect(store.commitLog.flushedOffset).toBe(store.commitLog.maxOffset);
  });
});

describe('MessageStore lookups', () => {
  it('finds messages by key and unique key within a time range, and by commit-log offset', async () => {
    const { store } = await started();
    const t0 = Date.now();
    const r = await store.putMessage(inner('Q', 0, 'hello', { KEYS: 'order-1 customer-9', UNIQ_KEY: 'U1' }));
    await store.putMessage(inner('Q', 0, 'other', { KEYS: 'order-2' }));
    const byKey = store.queryMessage('Q', 'customer-9', 32, t0 - 1000, Date.now() + 1000);
    expect(byKey.records.map((b) => decodeMessageRecord(b).body.toString())).toEqual(['hello']);
    expect(store.queryMessage('Q', 'U1', 32, t0 - 1000, Date.now() + 1000).records).toHaveLength(1);
    expect(store.queryMessage('Q', 'order-1', 32, 0, t0 - 5000).records).toHaveLength(0);
    expect(decodeMessageRecord(store.lookMessageByOffset(r.wroteOffset) as Buffer).body.toString()).toBe(
      'hello',
    );
    expect(store.lookMessageByOffset(r.wroteOffset + 1)).toBeUndefined();
  });

  it('searches offsets by store time', async () => {
    const { store } = await started();
    await store.putMessage(inner('TS', 0, 'a'));
    await new Promise((r) => setTimeout(r, 30));
    const mid = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await store.putMessage(inner('TS', 0, 'b'));
    expect(store.getOffsetInQueueByTime('TS', 0, mid)).toBe(1);
    expect(store.getOffsetInQueueByTime('TS', 0, mid, 'upper')).toBe(0);
    expect(store.getOffsetInQueueByTime('TS', 0, 0)).toBe(0);
    expect(store.getOffsetInQueueByTime('TS', 0, Date.now() + 1000)).toBe(2);
    expect(store.getEarliestMessageTime('TS', 0)).toBeLessThan(mid);
  });
});
