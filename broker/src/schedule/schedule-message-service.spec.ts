import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@rocketts/client';
import {
  decodeMessageRecord,
  encodeHostAddress,
  javaHashCode,
  MessageSysFlag,
  readLong,
  type MessageExt,
} from '@rocketts/protocol';
import { inner, storeConfig } from '../../../test/helpers/store';
import { tmpStoreDir } from '../../../test/helpers/tmp';
import { MessageStore } from '../store/message-store';
import { MATCH_ALL } from '../store/message-filter';
import { DelayLevelTable } from './delay-levels';
import { DelayOffsetTable } from './delay-offset-table';
import { scheduleDeliverTime, scheduleIfDelayed } from './delay-put-hook';
import { ScheduleMessageService } from './schedule-message-service';

const levels = DelayLevelTable.parse('1s 2s');

describe('ScheduleMessageService', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(diskUsed = (): number => 0.5): Promise<{
    store: MessageStore;
    service: ScheduleMessageService;
    offsets: DelayOffsetTable;
  }> {
    const t = tmpStoreDir();
    cleanups.push(t.cleanup);
    const store = new MessageStore({
      config: storeConfig(t.dir),
      logger: silentLogger,
      diskUsed,
      scheduleDeliverTime: scheduleDeliverTime(levels),
    });
    await store.start();
    cleanups.push(() => store.shutdown());
    const offsets = new DelayOffsetTable(t.dir);
    const service = new ScheduleMessageService({
      store,
      levels,
      offsets,
      persistIntervalMs: 60_000,
      logger: silentLogger,
    });
    cleanups.push(() => service.stop());
    return { store, service, offsets };
  }

  async function putDelayed(store: MessageStore, body: string, level: number, tags = 'TagD'): Promise<void> {
    const m = {
      ...inner('Real', 2, body, { TAGS: tags, KEYS: 'k1', DELAY: String(level), UNIQ_KEY: `U-${body}` }),
      flag: 7,
      sysFlag: MessageSysFlag.MULTI_TAGS,
      bornTimestamp: 1_700_000_000_000,
      bornHost: encodeHostAddress('10.1.2.3', 4567),
      reconsumeTimes: 2,
    };
    scheduleIfDelayed(m, level, levels);
    expect((await store.putMessage(m)).status).toBe('PUT_OK');
  }

  const delivered = (store: MessageStore): MessageExt[] =>
    store.getMessage('Real', 2, 0, 32, MATCH_ALL).messages.map((r) => decodeMessageRecord(r));

  async function until(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('re-stores a due message to REAL_TOPIC/REAL_QID as a copy without DELAY, then moves the cursor', async () => {
    const { store, service, offsets } = await setup();
    const t0 = Date.now();
    await putDelayed(store, 'one', 1);
    service.start();
    await until(() => delivered(store).length === 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const [copy] = delivered(store) as [MessageExt];
    const unit = store.queues.find('SCHEDULE_TOPIC_XXXX', 0)?.readUnits(0, 1) as Buffer;
    const original = decodeMessageRecord(store.lookMessageByOffset(readLong(unit, 0)) as Buffer);
    expect(copy.topic).toBe('Real');
    expect(copy.queueId).toBe(2);
    expect(copy.body.toString()).toBe('one');
    expect(copy.flag).toBe(7);
    expect(copy.sysFlag & MessageSysFlag.MULTI_TAGS).toBe(MessageSysFlag.MULTI_TAGS);
    expect(copy.bornTimestamp).toBe(1_700_000_000_000);
    expect(copy.bornHost).toBe('10.1.2.3:4567');
    expect(copy.reconsumeTimes).toBe(2);
    expect(copy.commitLogOffset).not.toBe(original.commitLogOffset);
    expect(copy.properties).toMatchObject({
      TAGS: 'TagD',
      KEYS: 'k1',
      UNIQ_KEY: 'U-one',
      REAL_TOPIC: 'Real',
      REAL_QID: '2',
    });
    expect(copy.properties.DELAY).toBeUndefined();
    expect(original.properties.DELAY).toBe('1');
    // Consume-queue tagsCode of the copy is its tag's hash again, so tag subscriptions match it.
    const copyUnit = store.queues.find('Real', 2)?.readUnits(0, 1) as Buffer;
    expect(readLong(copyUnit, 12)).toBe(javaHashCode('TagD'));
    expect(offsets.get(1)).toBe(1);
    expect(service.delivered).toBe(1);
    expect(service.runtimeInfo()).toMatchObject({ scheduleMessageOffset_1: '1,1' });
  });

  it('delivers each level in order and holds what is not due yet', async () => {
    const { store, service, offsets } = await setup();
    await putDelayed(store, 'late', 2);
    await putDelayed(store, 'early-a', 1);
    await putDelayed(store, 'early-b', 1);
    service.start();
    await until(() => delivered(store).length === 2);
    expect(delivered(store).map((m) => m.body.toString())).toEqual(['early-a', 'early-b']);
    expect(offsets.get(2)).toBe(0);
    expect(service.progress()).toEqual([
      { level: 1, offset: 2, maxOffset: 2 },
      { level: 2, offset: 0, maxOffset: 1 },
    ]);
    await until(() => delivered(store).length === 3);
    expect(delivered(store).map((m) => m.body.toString())).toEqual(['early-a', 'early-b', 'late']);
  });

  it('keeps the cursor while puts fail and delivers once they succeed, exactly once', async () => {
    let used = 0.5;
    const { store, service, offsets } = await setup(() => used);
    await putDelayed(store, 'blocked', 1);
    used = 0.95;
    store.checkDiskSpace();
    service.start();
    await new Promise((r) => setTimeout(r, 1600));
    expect(delivered(store)).toHaveLength(0);
    expect(offsets.get(1)).toBe(0);
    used = 0.4;
    store.checkDiskSpace();
    await until(() => delivered(store).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered(store)).toHaveLength(1);
    expect(offsets.get(1)).toBe(1);
  });
});
