import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@rocketts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KvConfigManager } from './kv-config-manager';

describe('KvConfigManager', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rocketts-kv-'));
    path = join(dir, 'namesrv', 'kvConfig.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty without a file and survives a restart', () => {
    const kv = new KvConfigManager(path);
    kv.load();
    expect(kv.get('ORDER_TOPIC_CONFIG', 'T')).toBeUndefined();
    kv.put('ORDER_TOPIC_CONFIG', 'T', 'broker-a:4;broker-b:4');
    kv.put('PROJECT_CONFIG', '10.0.0.1', 'p1');
    kv.put('PROJECT_CONFIG', '10.0.0.2', 'p2');
    expect(kv.delete('PROJECT_CONFIG', '10.0.0.2')).toBe(true);
    expect(kv.delete('PROJECT_CONFIG', 'absent')).toBe(false);

    const restarted = new KvConfigManager(path);
    restarted.load();
    expect(restarted.get('ORDER_TOPIC_CONFIG', 'T')).toBe('broker-a:4;broker-b:4');
    expect(restarted.getKvListByNamespace('PROJECT_CONFIG')).toEqual({ '10.0.0.1': 'p1' });
    expect(restarted.namespaceCount).toBe(2);
  });

  it('writes the Java KVConfigSerializeWrapper layout and leaves no temp file behind', () => {
    const kv = new KvConfigManager(path);
    kv.put('NS', 'k', 'v');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ configTable: { NS: { k: 'v' } } });
    expect(readdirSync(join(dir, 'namesrv'))).toEqual(['kvConfig.json']);
  });

  it('reads a file written by a Java name server', () => {
    writeFileSync(
      join(dir, 'java.json'),
      '{\n\t"configTable":{\n\t\t"ORDER_TOPIC_CONFIG":{"T":"broker-a:8"}\n\t}\n}',
    );
    const kv = new KvConfigManager(join(dir, 'java.json'));
    kv.load();
    expect(kv.get('ORDER_TOPIC_CONFIG', 'T')).toBe('broker-a:8');
  });

  it('drops a namespace with its last key, so listing it finds nothing', () => {
    const kv = new KvConfigManager(path);
    kv.put('NS', 'k', 'v');
    kv.delete('NS', 'k');
    expect(kv.getKvListByNamespace('NS')).toBeUndefined();
    expect(kv.namespaceCount).toBe(0);
  });

  it('refuses to start on a corrupt file, naming kvConfigPath', () => {
    writeFileSync(join(dir, 'bad.json'), '{"configTable":');
    const kv = new KvConfigManager(join(dir, 'bad.json'));
    expect(() => kv.load()).toThrow(ConfigError);
    expect(() => kv.load()).toThrow(/kvConfigPath/);
  });

  it('leaves the table unchanged when the file cannot be written', () => {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const kv = new KvConfigManager(join(dir, 'not-a-dir', 'kvConfig.json'));
    expect(() => kv.put('NS', 'k', 'v')).toThrow();
    expect(kv.get('NS', 'k')).toBeUndefined();
    expect(existsSync(join(dir, 'not-a-dir', 'kvConfig.json'))).toBe(false);
  });
});
