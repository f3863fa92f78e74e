import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@rocketts/client';
import { decodeMessageRecord, decodeProperties, MessageSysFlag, readLong } from '@rocketts/protocol';
import { inner, storeConfig } from '../../../test/helpers/store';
import { tmpStoreDir } from '../../../test/helpers/tmp';
import { CQ_UNIT_SIZE } from '../store/consume-queue/cq-unit';
import { MessageStore } from '../store/message-store';
import { DelayLevelTable } from './delay-levels';
import { scheduleDeliverTime, scheduleIfDelayed } from './delay-put-hook';

const table = DelayLevelTable.parse('1s 5s 10s');

describe('DELAY put hook (§11.1)', () => {
  it('reroutes a delayed message to SCHEDULE_TOPIC_XXXX queue L − 1, keeping the real topic and queue', () => {
    const m = inner('Orders', 3, 'body', { TAGS: 'T', KEYS: 'k', DELAY: '2', UNIQ_KEY: 'U1' });
    expect(scheduleIfDelayed(m, 2, table)).toBe(true);
    expect(m.topic).toBe('SCHEDULE_TOPIC_XXXX');
    expect(m.queueId).toBe(1);
    expect(decodeProperties(m.properties)).toEqual({
      TAGS: 'T',
      KEYS: 'k',
      DELAY: '2',
      UNIQ_KEY: 'U1',
      REAL_TOPIC: 'Orders',
      REAL_QID: '3',
    });
    expect(m.body.toString()).toBe('body');
  });

  it('clamps a level above the table to the highest one', () => {
    const m = inner('Orders', 0, 'x', { DELAY: '99' });
    expect(scheduleIfDelayed(m, 99, table)).toBe(true);
    expect(m.queueId).toBe(2);
    expect(decodeProperties(m.properties).DELAY).toBe('3');
  });

  it('leaves undelayed, prepared and rolled-back messages alone; committed ones are delayed', () => {
    for (const level of [0, -1]) {
      const m = inner('Orders', 0, 'x', { DELAY: String(level) });
      const before = { ...m };
      expect(scheduleIfDelayed(m, level, table)).toBe(false);
      expect(m).toEqual(before);
    }
    for (const [type, delayed] of [
      [MessageSysFlag.TRANSACTION_PREPARED_TYPE, false],
      [MessageSysFlag.TRANSACTION_ROLLBACK_TYPE, false],
      [MessageSysFlag.TRANSACTION_COMMIT_TYPE, true],
    ] as const) {
      const m = { ...inner('Orders', 0, 'x', { DELAY: '1' }), sysFlag: type };
      expect(scheduleIfDelayed(m, 1, table)).toBe(delayed);
      expect(m.topic).toBe(delayed ? 'SCHEDULE_TOPIC_XXXX' : 'Orders');
    }
  });
});

describe('delivery time as the consume-queue tagsCode', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function open(dir: string): Promise<MessageStore> {
    const store = new MessageStore({
      config: storeConfig(dir),
      logger: silentLogger,
      scheduleDeliverTime: scheduleDeliverTime(table),
    });
    await store.start();
    cleanups.push(() => store.shutdown());
    return store;
  }

  /** [storeTimestamp + delay, tagsCode] of every unit of SCHEDULE_TOPIC_XXXX queue `queueId`. */
  function units(store: MessageStore, queueId: number, delayMs: number): [number, number][] {
    const cq = store.queues.find('SCHEDULE_TOPIC_XXXX', queueId);
    const raw = cq?.readUnits(0, 100) ?? Buffer.alloc(0);
    const out: [number, number][] = [];
    for (let p = 0; p < raw.length; p += CQ_UNIT_SIZE) {
      const rec = store.lookMessageByOffset(readLong(raw, p)) as Buffer;
      out.push([decodeMessageRecord(rec).storeTimestamp + delayMs, readLong(raw, p + 12)]);
    }
    return out;
  }

  it('is storeTimestamp + the level delay, live and after a crash rebuilds the queue', async () => {
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    const a = await open(t.dir);
    for (let i = 0; i < 3; i++) {
      const m = inner('Orders', 0, `m${i}`, { DELAY: '99' });
      scheduleIfDelayed(m, 99, table);
      expect((await a.putMessage(m)).status).toBe('PUT_OK');
      await new Promise((r) => setTimeout(r, 3));
    }
    const live = units(a, 2, 10_000);
    expect(live).toHaveLength(3);
    for (const [expected, tagsCode] of live) expect(tagsCode).toBe(expected);
    await a.shutdown();

    // Crash shape: abort marker, no checkpoint, consume queues gone: recovery re-dispatches all.
    writeFileSync(join(t.dir, 'abort'), '1\n');
    rmSync(join(t.dir, 'checkpoint'));
    rmSync(join(t.dir, 'consumequeue'), { recursive: true });
    const b = await open(t.dir);
    expect(b.lastRecovery?.abnormal).toBe(true);
    expect(units(b, 2, 10_000)).toEqual(live);
  });
});
