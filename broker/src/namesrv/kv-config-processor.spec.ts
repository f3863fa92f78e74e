import { createRequest, decodeKvTable, RequestCode, ResponseCode } from '@rocketts/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KvConfigManager } from './kv-config-manager';
import { KvConfigProcessor } from './kv-config-processor';

describe('KvConfigProcessor', () => {
  let dir: string;
  let kv: KvConfigManager;
  let processor: KvConfigProcessor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rocketts-nskv-'));
    kv = new KvConfigManager(join(dir, 'kvConfig.json'));
    processor = new KvConfigProcessor(kv);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const put = (namespace: string, key: string, value: string) =>
    processor.process(createRequest(RequestCode.PUT_KV_CONFIG, { namespace, key, value }));
  const get = (namespace: string, key: string) =>
    processor.process(createRequest(RequestCode.GET_KV_CONFIG, { namespace, key }));

  it('puts, gets and deletes a value', () => {
    expect(put('ORDER_TOPIC_CONFIG', 'T', 'broker-a:4').code).toBe(ResponseCode.SUCCESS);
    expect(get('ORDER_TOPIC_CONFIG', 'T')).toMatchObject({
      code: ResponseCode.SUCCESS,
      extFields: { value: 'broker-a:4' },
    });

    const del = processor.process(
      createRequest(RequestCode.DELETE_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'T' }),
    );
    expect(del.code).toBe(ResponseCode.SUCCESS);
    const missing = get('ORDER_TOPIC_CONFIG', 'T');
    expect([missing.code, missing.remark]).toEqual([
      ResponseCode.QUERY_NOT_FOUND,
      'No config item, Namespace: ORDER_TOPIC_CONFIG Key: T',
    ]);
  });

  it('deleting a missing key succeeds, as in Java', () => {
    expect(
      processor.process(createRequest(RequestCode.DELETE_KV_CONFIG, { namespace: 'NS', key: 'nope' })).code,
    ).toBe(ResponseCode.SUCCESS);
  });

  it('lists a namespace as a KVTable, QUERY_NOT_FOUND when empty', () => {
    put('NS', 'a', '1');
    put('NS', 'b', '2');
    const list = processor.process(createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NS' }));
    expect(decodeKvTable(list.body)).toEqual({ a: '1', b: '2' });
    const empty = processor.process(
      createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'Empty' }),
    );
    expect([empty.code, empty.remark]).toEqual([
      ResponseCode.QUERY_NOT_FOUND,
      'No config item, Namespace: Empty',
    ]);
  });

  it('requires namespace, key and value', () => {
    expect(() =>
      processor.process(createRequest(RequestCode.PUT_KV_CONFIG, { namespace: 'NS', key: 'k' })),
    ).toThrow(/'value' is missing/);
  });
});
