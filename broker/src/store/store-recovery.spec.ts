import {
  closeSync,
  cpSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessageRecord } from '@rocketts/protocol';
import { inner, newStore } from '../../../test/helpers/store';
import { tmpStoreDir } from '../../../test/helpers/tmp';
import type { MessageStore } from './message-store';
import { MATCH_ALL } from './message-filter';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dirFor(): string {
  const t = tmpStoreDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function open(dir: string, overrides: Record<string, unknown> = {}): Promise<MessageStore> {
  const s = newStore(dir, overrides);
  await s.start();
  cleanups.push(() => s.shutdown());
  return s;
}

function readAll(
  store: MessageStore,
  topic: string,
  queueId: number,
): { offset: number; body: string; phy: number }[] {
  const out: { offset: number; body: string; phy: number }[] = [];
  let off = store.getMinOffsetInQueue(topic, queueId);
  for (;;) {
    const r = store.getMessage(topic, queueId, off, 32, MATCH_ALL);
    for (const m of r.messages) {
      const d = decodeMessageRecord(m, 0, { checkCrc: true });
      out.push({ offset: d.queueOffset, body: d.body.toString(), phy: d.commitLogOffset });
    }
    if (r.status !== 'FOUND') break;
    off = r.nextBeginOffset;
  }
  return out;
}

async function fill(
  store: MessageStore,
  n: number,
  size = 200,
): Promise<{ phy: number; end: number; queueId: number; offset: number }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const body = `${i}:`.padEnd(size, 'x');
    const r = await store.putMessage(inner('R', i % 3, body, { KEYS: `k${i}`, TAGS: 'T' }));
    out.push({
      phy: r.wroteOffset,
      end: r.wroteOffset + r.wroteBytes,
      queueId: i % 3,
      offset: r.queueOffset,
    });
  }
  return out;
}

const lastSegment = (dir: string): string => {
  const d = join(dir, 'commitlog');
  return join(d, readdirSync(d).sort().pop() as string);
};

describe('store recovery', () => {
  it('keeps everything and its offsets across a clean restart', async () => {
    const dir = dirFor();
    const a = await open(dir);
    await fill(a, 300);
    await a.shutdown();
    const b = await open(dir);
    expect(b.lastRecovery).toMatchObject({ abnormal: false });
    expect(b.lastRecovery?.damage).toBeUndefined();
    expect(readAll(b, 'R', 0)).toHaveLength(100);
    expect((await b.putMessage(inner('R', 0, 'after'))).queueOffset).toBe(100);
    expect(b.queryMessage('R', 'k7', 32, 0, Date.now() + 1000).records).toHaveLength(1);
  });

  it('rebuilds lost consume-queue units and index entries after a crash', async () => {
    const dir = dirFor();
    const a = await open(dir);
    await fill(a, 120);
    await a.shutdown();
    // Crash shape: the abort marker is still there, the checkpoint is gone, consume queues lag.
    writeFileSync(join(dir, 'abort'), '1\n');
    rmSync(join(dir, 'checkpoint'));
    const cqFile = join(
      dir,
      'consumequeue',
      'R',
      '1',
      readdirSync(join(dir, 'consumequeue', 'R', '1'))[0] as string,
    );
    truncateSync(cqFile, 20 * 7);
    rmSync(join(dir, 'index'), { recursive: true });
    const b = await open(dir);
    expect(b.lastRecovery?.abnormal).toBe(true);
    expect(readAll(b, 'R', 1).map((m) => m.offset)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(b.queryMessage('R', 'k100', 32, 0, Date.now() + 1000).records).toHaveLength(1);
  });

  it('rebuilds consume-queue units that were still pending in memory when the process died', async () => {
    const dir = dirFor();
    // No checkpoint during the test: queues write their units only every 1,024 units or on a flush.
    const a = await open(dir, { flushIntervalConsumeQueue: 600_000 });
    await fill(a, 120);
    const cqDir = join(dir, 'consumequeue', 'R', '1');
    for (const f of existsSync(cqDir) ? readdirSync(cqDir) : []) {
      const bytes = readFileSync(join(cqDir, f));
      expect(bytes.equals(Buffer.alloc(bytes.length))).toBe(true); // no unit written yet
    }
    // The files as a crash leaves them: what the kernel has, the abort marker, no pending units.
    const image = dirFor();
    cpSync(dir, image, { recursive: true });
    const b = await open(image);
    expect(b.lastRecovery?.abnormal).toBe(true);
    expect(readAll(b, 'R', 1).map((m) => m.offset)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(readAll(a, 'R', 1)).toEqual(readAll(b, 'R', 1));
  });

  it("writes a queue's units once 1,024 are pending, growing its buffer on the way", async () => {
    const dir = dirFor();
    const a = await open(dir, { flushIntervalConsumeQueue: 600_000 });
    for (let i = 0; i < 2100; i++) await a.putMessage(inner('Q', 0, `m${i}`));
    const cqDir = join(dir, 'consumequeue', 'Q', '0');
    // Segments are named by their first byte's offset: joined in order they are the queue's bytes.
    const file = Buffer.concat(
      readdirSync(cqDir)
        .sort()
        .map((f) => readFileSync(join(cqDir, f))),
    );
    const written = (unit: number): boolean =>
      !file.subarray(unit * 20, unit * 20 + 20).equals(Buffer.alloc(20));
    expect(written(0) && written(1023) && written(2047)).toBe(true);
    expect(written(2048)).toBe(false); // still pending
    expect(readAll(a, 'Q', 0).map((m) => m.body)).toEqual(Array.from({ length: 2100 }, (_, i) => `m${i}`));
  });

  it('truncates a torn tail at random positions and keeps queues consistent with the log', async () => {
    // TORN_ROUNDS=300 for a long soak; 12 random cuts keep the suite fast.
    for (let round = 0; round < Number(process.env.TORN_ROUNDS ?? 12); round++) {
      const dir = dirFor();
      const a = await open(dir);
      const written = await fill(a, 150, 100 + round * 37);
      await a.shutdown();
      const seg = lastSegment(dir);
      const segStart = Number(seg.slice(-20));
      const used = written[written.length - 1]?.end as number;
      // A global offset inside the last segment, and the file position it maps to.
      const cut = segStart + Math.floor(Math.random() * (used - segStart));
      if (round % 2 === 0) {
        truncateSync(seg, cut - segStart);
      } else {
        const fd = openSync(seg, 'r+');
        const original = Buffer.alloc(2);
        readSync(fd, original, 0, 2, cut - segStart);
        writeSync(fd, Buffer.from([original[0]! ^ 0x5a, original[1]! ^ 0xff]), 0, 2, cut - segStart);
        closeSync(fd);
      }
      const b = await open(dir);
      const survivors = written.filter((w) => w.end <= cut);
      expect(b.lastRecovery?.validEnd).toBeGreaterThanOrEqual(survivors[survivors.length - 1]?.end ?? 0);
      expect(b.lastRecovery?.validEnd).toBeLessThanOrEqual(cut + 2 > used ? used : cut + 1);
      for (const q of [0, 1, 2]) {
        const got = readAll(b, 'R', q);
        const expected = written.filter(
          (w) => w.queueId === q && w.end <= (b.lastRecovery?.validEnd as number),
        );
        expect(got.map((g) => g.phy)).toEqual(expected.map((e) => e.phy));
        expect(b.getMaxOffsetInQueue('R', q)).toBe(expected.length);
      }
      const next = await b.putMessage(inner('R', 0, 'fresh'));
      expect(next.status).toBe('PUT_OK');
      expect(next.wroteOffset).toBe(b.lastRecovery?.validEnd);
      await b.shutdown();
      const c = await open(dir);
      expect(c.lastRecovery?.damage).toBeUndefined();
      expect(readAll(c, 'R', 0).pop()?.body).toBe('fresh');
    }
  });

  it('extends a short segment and treats the missing bytes as the end of the log', async () => {
    const dir = dirFor();
    const a = await open(dir);
    const written = await fill(a, 30);
    await a.shutdown();
    const seg = lastSegment(dir);
    truncateSync(seg, written[9]?.end as number);
    const b = await open(dir);
    expect(statSync(seg).size).toBe(1024 * 1024 + 128 * 1024);
    expect(b.lastRecovery?.validEnd).toBe(written[9]?.end);
  });
});

describe('retention and disk space', () => {
  it('deletes expired segments and the consume-queue files that pointed into them', async () => {
    const dir = dirFor();
    const s = await open(dir, {
      mappedFileSizeCommitLog: 128 * 1024,
      maxMessageSize: 16 * 1024,
      fileReservedTime: 0,
    });
    for (let i = 0; i < 60; i++) await s.putMessage(inner('E', 0, Buffer.alloc(8000)));
    const before = s.commitLog.files.all.length;
    expect(before).toBeGreaterThan(3);
    const r = s.cleanExpiredFilesNow(Date.now() + 1000);
    expect(r.deleted).toBe(before - 1);
    expect(s.commitLog.files.all).toHaveLength(1);
    const min = s.getMinOffsetInQueue('E', 0);
    expect(min).toBeGreaterThan(0);
    const got = s.getMessage('E', 0, min, 32, MATCH_ALL);
    expect(got.status).toBe('FOUND');
    expect(s.getMessage('E', 0, 0, 32, MATCH_ALL)).toMatchObject({
      status: 'OFFSET_TOO_SMALL',
      nextBeginOffset: min,
    });
  });

  it('refuses writes while the disk is nearly full and accepts them again when space returns', async () => {
    const dir = dirFor();
    let used = 0.5;
    const s = newStore(dir, {}, () => used);
    await s.start();
    cleanups.push(() => s.shutdown());
    expect((await s.putMessage(inner('D', 0, 'a'))).status).toBe('PUT_OK');
    used = 0.95;
    s.checkDiskSpace();
    const refused = await s.putMessage(inner('D', 0, 'b'));
    expect(refused.status).toBe('DISK_FULL');
    expect(refused.remark).toMatch(/disk is full/);
    used = 0.4;
    s.checkDiskSpace();
    expect((await s.putMessage(inner('D', 0, 'c'))).queueOffset).toBe(1);
  });
});
