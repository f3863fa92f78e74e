import { existsSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@rocketts/client';
import { decodeMessageRecord, SystemTopic, type MessageExt } from '@rocketts/protocol';
import { inner, newStore } from '../../../test/helpers/store';
import { tmpStoreDir } from '../../../test/helpers/tmp';
import { MATCH_ALL } from '../store/message-filter';
import type { MessageStore } from '../store/message-store';
import { PutMessageStatus } from '../store/statuses';
import { TimerCursorTable } from './timer-cursor-table';
import { TimerMessageService } from './timer-message-service';
import { holdIfTimer } from './timer-put-hook';
import { bucketOf, wheelFor } from './timer-wheel';

/** 1 s slots over 10 s of delay: 12 slot queues, so specs cross buckets and rings in seconds of fake time. */
const WHEEL = wheelFor(10_000, 1_000);
const POLICY = { timerWheelEnable: true, timerMaxDelaySec: 10 };
const T0 = 1_700_000_000_000;
const TICK = 50;

describe('TimerMessageService', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const clock = { now: T0 };

  async function openStore(dir: string): Promise<MessageStore> {
    const store = newStore(dir);
    await store.start();
    cleanups.push(() => store.shutdown());
    return store;
  }

  function service(
    store: MessageStore,
    dir: string,
  ): { svc: TimerMessageService; cursors: TimerCursorTable } {
    const cursors = new TimerCursorTable(dir);
    const svc = new TimerMessageService({
      store,
      wheel: WHEEL,
      cursors,
      persistIntervalMs: 60_000,
      logger: silentLogger,
      now: () => clock.now,
    });
    svc.load();
    svc.open();
    cleanups.push(() => svc.stop());
    return { svc, cursors };
  }

  /** Hold a message for `delayMs` from the clock; its body is its due time. */
  async function putTimer(store: MessageStore, delayMs: number, queueId = 1): Promise<number> {
    const due = clock.now + delayMs;
    const m = inner('Real', queueId, String(due), {
      TAGS: 'T',
      TIMER_DELAY_MS: String(delayMs),
      UNIQ_KEY: `U${due}`,
    });
    expect(holdIfTimer(m, POLICY, WHEEL, clock.now)).toBeUndefined();
    expect(m.topic).toBe(SystemTopic.TIMER);
    expect((await store.putMessage(m)).status).toBe(PutMessageStatus.PUT_OK);
    return due;
  }

  function delivered(store: MessageStore, queueId = 1): MessageExt[] {
    const out: MessageExt[] = [];
    for (;;) {
      const page = store.getMessage('Real', queueId, out.length, 32, MATCH_ALL).messages;
      if (page.length === 0) return out;
      for (const r of page) out.push(decodeMessageRecord(r));
    }
  }

  /** Advance the fake clock tick by tick to `until`, recording when each message first showed up. */
  async function runUntil(
    store: MessageStore,
    svc: TimerMessageService,
    until: number,
    seen = new Map<string, number>(),
  ): Promise<Map<string, number>> {
    while (clock.now < until) {
      clock.now += TICK;
      await svc.tick();
      for (const m of delivered(store)) if (!seen.has(m.msgId)) seen.set(m.msgId, clock.now);
    }
    return seen;
  }

  it('delivers each message once, never before due, within a tick, in due order, without timer properties', async () => {
    clock.now = T0;
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    const store = await openStore(t.dir);
    const { svc } = service(store, t.dir);
    const dues: number[] = [];
    for (let i = 0; i < 200; i++) dues.push(await putTimer(store, 1_100 + ((i * 7_919) % 8_000)));
    const seen = await runUntil(store, svc, T0 + 10_000);
    const got = delivered(store);
    expect(got).toHaveLength(200);
    const gotDues = got.map((m) => Number(m.body.toString()));
    expect(gotDues).toEqual([...dues].sort((a, b) => a - b));
    for (const m of got) {
      const due = Number(m.body.toString());
      const at = seen.get(m.msgId) as number;
      expect(at).toBeGreaterThanOrEqual(due);
      expect(at - due).toBeLessThan(TICK);
      expect(m.properties).toMatchObject({
        REAL_TOPIC: 'Real',
        REAL_QID: '1',
        UNIQ_KEY: `U${due}`,
        TAGS: 'T',
      });
      expect(m.properties.TIMER_DELAY_MS).toBeUndefined();
      expect(m.properties.TIMER_OUT_MS).toBeUndefined();
    }
    expect(svc.delivered).toBe(200);
    expect(svc.pending()).toBe(0);
  });

  it('reads only buckets due within the lookahead', async () => {
    clock.now = T0 - (T0 % 1_000); // a bucket start
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    const store = await openStore(t.dir);
    const { svc } = service(store, t.dir);
    await putTimer(store, 1_500);
    for (let i = 0; i < 50; i++) await putTimer(store, 8_000 + i);
    await svc.tick();
    expect(svc.loaded).toBe(1);
    expect(svc.pending()).toBe(51);
  });

  it('keeps an entry whose put failed and delivers it on a later tick', async () => {
    clock.now = T0;
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    const store = await openStore(t.dir);
    const { svc } = service(store, t.dir);
    const due = await putTimer(store, 2_000);
    const spy = vi
      .spyOn(store, 'putMessage')
      .mockImplementationOnce(() =>
        Promise.resolve({ status: PutMessageStatus.UNKNOWN_ERROR } as Awaited<
          ReturnType<MessageStore['putMessage']>
        >),
      );
    clock.now = due;
    await svc.tick();
    expect(delivered(store)).toHaveLength(0);
    spy.mockRestore();
    await svc.tick();
    expect(delivered(store)).toHaveLength(1);
  });

  it('persists cursors and the wheel position; a restart delivers the rest once and redelivers nothing closed', async () => {
    clock.now = T0 - (T0 % 1_000);
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    let store = await openStore(t.dir);
    let { svc } = service(store, t.dir);
    const early: number[] = [];
    const late: number[] = [];
    for (let i = 0; i < 20; i++) early.push(await putTimer(store, 1_100 + i * 10));
    for (let i = 0; i < 20; i++) late.push(await putTimer(store, 7_100 + i * 10));
    // Deliver the early ones and let their bucket close (5 s grace), then "crash" after a persist.
    await runUntil(store, svc, clock.now + 7_000);
    expect(delivered(store)).toHaveLength(20);
    await svc.persist(true);
    const file = new TimerCursorTable(t.dir);
    file.load();
    expect(file.wheelPos).toBeGreaterThan(bucketOf(WHEEL, early[0] as number));
    await svc.stop();
    await store.shutdown();

    store = await openStore(t.dir);
    ({ svc } = service(store, t.dir));
    expect(svc.pending()).toBe(20);
    const seen = await runUntil(store, svc, clock.now + 3_000);
    const got = delivered(store);
    expect(got.map((m) => Number(m.body.toString()))).toEqual([...early, ...late]);
    for (const m of got.slice(20)) {
      expect(seen.get(m.msgId)).toBeGreaterThanOrEqual(Number(m.body.toString()));
    }
  });

  it('after a crash mid-bucket redelivers from the saved cursor: at least once, none lost', async () => {
    clock.now = T0 - (T0 % 1_000);
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    let store = await openStore(t.dir);
    let { svc } = service(store, t.dir);
    const dues: number[] = [];
    for (let i = 0; i < 10; i++) dues.push(await putTimer(store, 3_000 + i * 50));
    await svc.persist(true); // cursor before every entry
    await runUntil(store, svc, (dues[4] as number) + 1);
    const before = delivered(store).length;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(10);
    // No clean stop: the service is dropped, the store closed, cursors as last saved.
    await store.shutdown();
    store = await openStore(t.dir);
    ({ svc } = service(store, t.dir));
    await runUntil(store, svc, (dues[9] as number) + 100);
    const bodies = delivered(store).map((m) => Number(m.body.toString()));
    expect(new Set(bodies)).toEqual(new Set(dues));
    // The saved cursor was before every entry: those delivered before the crash come twice.
    expect(bodies).toHaveLength(before + 10);
  });

  it('catches up after a downtime longer than the whole ring', async () => {
    clock.now = T0;
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    let store = await openStore(t.dir);
    let { svc } = service(store, t.dir);
    for (let i = 0; i < 30; i++) await putTimer(store, 2_000 + i * 250);
    await svc.persist(true);
    await svc.stop();
    await store.shutdown();
    clock.now += 5 * WHEEL.slots * WHEEL.slotMs;
    store = await openStore(t.dir);
    ({ svc } = service(store, t.dir));
    await runUntil(store, svc, clock.now + 2 * TICK);
    expect(delivered(store)).toHaveLength(30);
  });

  it('without its file finds the held entries again a full ring back', async () => {
    clock.now = T0;
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    let store = await openStore(t.dir);
    let { svc, cursors } = service(store, t.dir);
    for (let i = 0; i < 5; i++) await putTimer(store, 3_000 + i * 1_000);
    await svc.persist(true);
    await svc.stop();
    await store.shutdown();
    rmSync(cursors.path);
    rmSync(`${cursors.path}.bak`, { force: true });
    expect(existsSync(cursors.path)).toBe(false);
    store = await openStore(t.dir);
    ({ svc, cursors } = service(store, t.dir));
    await runUntil(store, svc, clock.now + 9_000);
    expect(delivered(store)).toHaveLength(5);
  });
});
