import {
  encodeHostAddress,
  encodeProperties,
  findProperty,
  javaHashCode,
  MessageProperty,
} from '@rocketts/protocol';
import type { MessageInner } from '../../broker/src/store/commit-log/commit-log';
import { resolveStoreConfig, type StoreConfig } from '../../broker/src/config/store-config';
import { MessageStore } from '../../broker/src/store/message-store';
import { silentLogger } from '@rocketts/client';

const BORN = encodeHostAddress('127.0.0.1', 40000);
const STORE = encodeHostAddress('127.0.0.1', 10911);

export function storeConfig(dir: string, overrides: Record<string, unknown> = {}): StoreConfig {
  return resolveStoreConfig({
    storePathRootDir: dir,
    mappedFileSizeCommitLog: 1024 * 1024 + 128 * 1024,
    mappedFileSizeConsumeQueue: 2000,
    maxMessageSize: 1024 * 1024,
    maxHashSlotNum: 1000,
    maxIndexNum: 4000,
    flushIntervalConsumeQueue: 100,
    cleanResourceInterval: 60_000,
    ...overrides,
  });
}

export function newStore(
  dir: string,
  overrides: Record<string, unknown> = {},
  diskUsed?: () => number,
): MessageStore {
  return new MessageStore({
    config: storeConfig(dir, overrides),
    logger: silentLogger,
    ...(diskUsed ? { diskUsed } : {}),
  });
}

export function inner(
  topic: string,
  queueId: number,
  body: string | Buffer,
  props: Record<string, string> = {},
): MessageInner {
  const properties = encodeProperties(props);
  const tags = findProperty(properties, MessageProperty.TAGS);
  return {
    topic,
    queueId,
    flag: 0,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    properties,
    tagsCode: tags ? javaHashCode(tags) : 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: BORN,
    storeHost: STORE,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    waitStoreMsgOK: true,
    keys: props[MessageProperty.KEYS],
    uniqKey: props[MessageProperty.UNIQ_KEY],
  };
}
