import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  RequestCode,
  ResponseCode,
  UpdateConsumerOffsetRequestHeader,
  type MessageQueue,
} from '@rocketts/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { respond } from '../../../../../test/fakes/fake-broker';
import { startFakeCluster, type FakeCluster } from '../../../../../test/fakes/fake-cluster';
import { tmpStoreDir } from '../../../../../test/helpers/tmp';
import { ClientInstance } from '../../client/client-instance';
import { silentLogger } from '../../logger';
import { resolveClientConfig } from '../../options/client-options';
import { LocalFileOffsetStore, localOffsetsPath } from './local-file-offset-store';
import { NO_OFFSET, ReadOffsetType } from './offset-store';
import { RemoteBrokerOffsetStore } from './remote-broker-offset-store';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const mq = (queueId: number, topic = 'T'): MessageQueue => ({ topic, brokerName: 'broker-a', queueId });

describe('LocalFileOffsetStore', () => {
  const store = (): { path: string; make(): LocalFileOffsetStore } => {
    const dirs = tmpStoreDir('rocketts-offsets-');
    cleanups.push(() => dirs.cleanup());
    const path = localOffsetsPath(dirs.dir, '10.0.0.5@DEFAULT', 'G');
    return { path, make: () => new LocalFileOffsetStore(path, silentLogger) };
  };

  it('writes the Java file layout under <root>/<clientId>/<group>/ and reloads it', async () => {
    const { path, make } = store();
    expect(path).toMatch(/10\.0\.0\.5@DEFAULT\/G\/offsets\.json$/);
    const a = make();
    await a.load();
    expect(await a.readOffset(mq(0), ReadOffsetType.READ_FROM_STORE)).toBe(NO_OFFSET);
    a.updateOffset(mq(0), 7, false);
    a.updateOffset(mq(1), 3, false);
    a.updateOffset(mq(1), 2, true); // increaseOnly keeps 3
    await a.persistAll([mq(0), mq(1)]);
    // fastjson's object-keyed map: the queue itself is the key.
    expect(readFileSync(path, 'utf8')).toContain('{"brokerName":"broker-a","queueId":0,"topic":"T"}:7');
    const b = make();
    await b.load();
    expect(await b.readOffset(mq(0), ReadOffsetType.READ_FROM_MEMORY)).toBe(7);
    expect(await b.readOffset(mq(1), ReadOffsetType.READ_FROM_STORE)).toBe(3);
    expect(await b.readOffset(mq(2), ReadOffsetType.MEMORY_FIRST_THEN_STORE)).toBe(NO_OFFSET);
  });

  it('keeps the previous file as .bak and falls back to it when the file is damaged', async () => {
    const { path, make } = store();
    const a = make();
    a.updateOffset(mq(0), 1, false);
    await a.persist(mq(0));
    a.updateOffset(mq(0), 2, false);
    await a.persist(mq(0));
    expect(existsSync(`${path}.bak`)).toBe(true);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    writeFileSync(path, '{"offsetTable":{{"brokerName"'); // torn write of a non-atomic writer
    const b = make();
    await b.load();
    expect(await b.readOffset(mq(0), ReadOffsetType.READ_FROM_MEMORY)).toBe(1);
  });

  it('runs concurrent writes one at a time; the last value wins', async () => {
    const { make } = store();
    const a = make();
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      a.updateOffset(mq(0), i, false);
      writes.push(a.persistAll([mq(0)]));
    }
    await Promise.all(writes);
    const b = make();
    await b.load();
    expect(await b.readOffset(mq(0), ReadOffsetType.READ_FROM_STORE)).toBe(20);
  });
});

describe('RemoteBrokerOffsetStore', () => {
  async function setup(): Promise<{ c: FakeCluster; store: RemoteBrokerOffsetStore }> {
    const c = await startFakeCluster(1, { queueNums: 4 });
    const instance = new ClientInstance(
      resolveClientConfig(
        { namesrvAddr: c.namesrv.addr, logger: silentLogger },
        { component: 'test', serializeType: 'JSON', requestTimeoutMs: 1000 },
      ),
    );
    cleanups.push(
      () => c.close(),
      () => instance.shutdown(),
    );
    const addr = c.brokers[0]!.addr;
    return { c, store: new RemoteBrokerOffsetStore(instance, 'G', async () => addr, silentLogger) };
  }

  it('reads the broker offset, NO_OFFSET for QUERY_NOT_FOUND, and throws on any other answer', async () => {
    const { c, store } = await setup();
    const b = c.brokers[0]!;
    b.script(
      RequestCode.QUERY_CONSUMER_OFFSET,
      respond(ResponseCode.SUCCESS, { offset: '42' }),
      respond(ResponseCode.QUERY_NOT_FOUND),
      respond(ResponseCode.SYSTEM_ERROR, undefined, undefined, 'disk on fire'),
    );
    expect(await store.readOffset(mq(0), ReadOffsetType.READ_FROM_STORE)).toBe(42);
    expect(await store.readOffset(mq(0), ReadOffsetType.READ_FROM_MEMORY)).toBe(42);
    expect(await store.readOffset(mq(1), ReadOffsetType.READ_FROM_STORE)).toBe(NO_OFFSET);
    await expect(store.readOffset(mq(2), ReadOffsetType.READ_FROM_STORE)).rejects.toMatchObject({
      responseCode: ResponseCode.SYSTEM_ERROR,
    });
    expect(b.requestsOf(RequestCode.QUERY_CONSUMER_OFFSET)).toHaveLength(3);
  });

  it('persists changed offsets of the given queues, forgets the others, and skips unchanged ones', async () => {
    const { c, store } = await setup();
    const b = c.brokers[0]!;
    store.updateOffset(mq(0), 5, false);
    store.updateOffset(mq(1), 9, false);
    await store.persistAll([mq(0)]);
    const sent = () =>
      b
        .requestsOf(RequestCode.UPDATE_CONSUMER_OFFSET)
        .map((r) => UpdateConsumerOffsetRequestHeader.decode(r.extFields));
    expect(sent()).toEqual([{ consumerGroup: 'G', topic: 'T', queueId: 0, commitOffset: 5 }]);
    expect(store.offsetTable().map(([q, o]) => [q.queueId, o])).toEqual([[0, 5]]);
    await store.persistAll([mq(0)]);
    expect(sent()).toHaveLength(1);
    store.updateOffset(mq(0), 6, true);
    await store.persist(mq(0));
    expect(sent().map((h) => h.commitOffset)).toEqual([5, 6]);
  });
});
