import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@rocketts/protocol';
import { resolveSchema, type ConfigOf, type Schema } from './config-schema';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Consume-queue unit: commit-log offset (8) + size (4) + tagsCode (8). */
const CQ_UNIT = 20;

/** Message store (MessageStoreConfig.java names). */
export const STORE_SCHEMA = {
  storePathRootDir: { type: 'string', default: join(homedir(), 'store'), doc: 'root of all store files' },
  storePathCommitLog: { type: 'string', default: '', doc: 'commit-log directory; empty = <root>/commitlog' },
  mappedFileSizeCommitLog: {
    type: 'int',
    default: 1 * GiB,
    min: 64 * 1024,
    max: 2 * GiB - 1,
    doc: 'bytes per commit-log segment',
  },
  mappedFileSizeConsumeQueue: {
    type: 'int',
    default: 300_000 * CQ_UNIT,
    min: 100 * CQ_UNIT,
    doc: 'bytes per consume-queue file, a multiple of 20',
  },
  flushDiskType: {
    type: 'enum',
    default: 'ASYNC_FLUSH',
    values: ['ASYNC_FLUSH', 'SYNC_FLUSH'],
    doc: 'ack after write() or after fdatasync',
  },
  syncFlushTimeout: {
    type: 'int',
    default: 5000,
    min: 1,
    doc: 'ms a SYNC_FLUSH send waits for its fdatasync',
  },
  flushIntervalCommitLog: {
    type: 'int',
    default: 500,
    min: 1,
    doc: 'ms between background fdatasyncs in ASYNC_FLUSH',
  },
  flushIntervalConsumeQueue: {
    type: 'int',
    default: 1000,
    min: 1,
    doc: 'ms between consume-queue and index flushes',
  },
  maxMessageSize: {
    type: 'int',
    default: 4 * MiB,
    min: 1024,
    max: 64 * MiB,
    doc: 'largest body accepted, bytes',
  },
  messageIndexEnable: { type: 'bool', default: true, doc: 'index KEYS and UNIQ_KEY for QUERY_MESSAGE' },
  maxHashSlotNum: {
    type: 'int',
    default: 500_000,
    min: 16,
    doc: 'hash slots per index file (RocketMQ: 5,000,000)',
  },
  maxIndexNum: {
    type: 'int',
    default: 2_000_000,
    min: 16,
    doc: 'entries per index file (RocketMQ: 20,000,000)',
  },
  deleteWhen: {
    type: 'string',
    default: '04',
    pattern: /^\d{1,2}(;\d{1,2})*$/,
    doc: 'hours (";"-separated) when expired files are deleted',
  },
  fileReservedTime: {
    type: 'int',
    default: 72,
    min: 0,
    doc: 'hours a commit-log segment is kept after its last write',
  },
  diskMaxUsedSpaceRatio: {
    type: 'int',
    default: 75,
    min: 10,
    max: 95,
    doc: 'percent of disk use that triggers early deletion of expired files',
  },
  diskSpaceCleanForciblyRatio: {
    type: 'float',
    default: 0.85,
    min: 0.1,
    max: 1,
    doc: 'disk use fraction that deletes old files even if not expired',
  },
  diskSpaceWarningLevelRatio: {
    type: 'float',
    default: 0.9,
    min: 0.1,
    max: 1,
    doc: 'disk use fraction above which writes are refused',
  },
  cleanResourceInterval: {
    type: 'int',
    default: 10_000,
    min: 100,
    doc: 'ms between retention and disk-space checks',
  },
  maxTransferCountOnMessageInMemory: { type: 'int', default: 32, min: 1, doc: 'messages per pull response' },
  maxTransferBytesOnMessageInMemory: {
    type: 'int',
    default: 256 * 1024,
    min: 1024,
    doc: 'bytes per pull response',
  },
  maxFilterMessageSize: {
    type: 'int',
    default: 16_000,
    min: 20,
    doc: 'consume-queue bytes one pull may scan while filtering',
  },
  readCacheSize: {
    type: 'int',
    default: 256 * MiB,
    min: 8 * MiB,
    doc: 'bytes of recent commit log kept in memory for pulls (Node has no mmap)',
  },
  defaultQueryMaxNum: { type: 'int', default: 32, min: 1, doc: 'messages a unique-key query returns' },
} as const satisfies Schema;

export type StoreConfig = ConfigOf<typeof STORE_SCHEMA> & { readonly commitLogDir: string };

export function resolveStoreConfig(input: Record<string, unknown>): StoreConfig {
  const c = resolveSchema(STORE_SCHEMA, input);
  if (c.mappedFileSizeConsumeQueue % CQ_UNIT !== 0) {
    throw new ConfigError(
      'mappedFileSizeConsumeQueue',
      `${c.mappedFileSizeConsumeQueue} is not a multiple of ${CQ_UNIT}`,
    );
  }
  if (c.maxMessageSize + 64 * 1024 > c.mappedFileSizeCommitLog) {
    throw new ConfigError(
      'mappedFileSizeCommitLog',
      `must exceed maxMessageSize (${c.maxMessageSize}) by at least 64 KiB`,
    );
  }
  if (c.diskSpaceCleanForciblyRatio > c.diskSpaceWarningLevelRatio) {
    throw new ConfigError('diskSpaceCleanForciblyRatio', 'must not exceed diskSpaceWarningLevelRatio');
  }
  return Object.freeze({ ...c, commitLogDir: c.storePathCommitLog || join(c.storePathRootDir, 'commitlog') });
}
