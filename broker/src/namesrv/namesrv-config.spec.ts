import { homedir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@rocketts/client';
import { ConfigError } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { NamesrvRuntimeConfig, resolveNamesrvConfig } from './namesrv-config';

describe('resolveNamesrvConfig', () => {
  it('merges the defaults and puts the KV file under ~/namesrv as Java does', () => {
    const c = resolveNamesrvConfig({});
    expect(c).toMatchObject({
      listenPort: 9876,
      brokerExpiredMillis: 120_000,
      enableAllTopicList: true,
      orderMessageEnable: false,
    });
    expect(c.kvConfigPath).toBe(join(homedir(), 'namesrv', 'kvConfig.json'));
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('accepts values as text, as a properties file gives them', () => {
    expect(
      resolveNamesrvConfig({ listenPort: '0', orderMessageEnable: 'true', kvConfigPath: '/data/kv.json' }),
    ).toMatchObject({
      listenPort: 0,
      orderMessageEnable: true,
      kvConfigPath: '/data/kv.json',
    });
  });

  it('rejects an unknown key by default, naming it; warns and ignores it when asked', () => {
    expect(() => resolveNamesrvConfig({ listenPrt: 1 })).toThrow(ConfigError);
    expect(() => resolveNamesrvConfig({ listenPrt: 1 })).toThrow(/listenPrt/);
    const lines: string[] = [];
    const logger = createLogger('test', { write: (l) => lines.push(l) });
    expect(resolveNamesrvConfig({ listenPrt: 1 }, { unknownKeys: 'warn', logger }).listenPort).toBe(9876);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'warn', key: 'listenPrt' });
  });

  it('rejects a bad value, naming the key', () => {
    expect(() => resolveNamesrvConfig({ brokerExpiredMillis: 5 })).toThrow(/brokerExpiredMillis/);
  });
});

describe('NamesrvRuntimeConfig', () => {
  it('tells listeners which keys an update changed', () => {
    const rc = new NamesrvRuntimeConfig(resolveNamesrvConfig({ kvConfigPath: '/data/kv.json' }));
    const seen: string[][] = [];
    rc.onChange((_c, changed) => seen.push([...changed]));
    expect(rc.update({ scanNotActiveBrokerInterval: '1000', enableAllTopicList: 'true' })).toEqual({
      status: 'UPDATED',
      keys: ['scanNotActiveBrokerInterval'],
    });
    expect(seen).toEqual([['scanNotActiveBrokerInterval']]);
    expect(rc.current.scanNotActiveBrokerInterval).toBe(1000);
  });
});
