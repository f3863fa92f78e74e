/** Frame `flag` bits (RemotingCommand): bit 0 response, bit 1 one-way. */
export const RemotingFlag = {
  RESPONSE: 0x1,
  ONEWAY: 0x2,
} as const;

/** High byte of the header-length word. */
export const SerializeType = {
  JSON: 0,
  ROCKETMQ: 1,
} as const;
export type SerializeTypeValue = (typeof SerializeType)[keyof typeof SerializeType];

/** SYSFLAG of a stored message (MessageSysFlag.java). */
export const MessageSysFlag = {
  COMPRESSED: 0x1,
  MULTI_TAGS: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  TRANSACTION_MASK: 0xc,
  BORNHOST_V6: 0x10,
  STOREHOST_V6: 0x20,
  NEED_UNWRAP: 0x40,
  INNER_BATCH: 0x80,
  COMPRESSION_TYPE_MASK: 0x700, // 5.x: 0x100 LZ4, 0x200 ZSTD, 0x300 ZLIB; 0 ≡ zlib
  COMPRESSION_ZLIB: 0x300,
} as const;

export function transactionType(sysFlag: number): number {
  return sysFlag & MessageSysFlag.TRANSACTION_MASK;
}

export function withTransactionType(sysFlag: number, type: number): number {
  return (sysFlag & ~MessageSysFlag.TRANSACTION_MASK) | type;
}

/** PULL_MESSAGE sysFlag (PullSysFlag.java). */
export const PullSysFlag = {
  COMMIT_OFFSET: 0x1,
  SUSPEND: 0x2,
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  LITE_PULL: 0x10,
} as const;

export function buildPullSysFlag(
  commit: boolean,
  suspend: boolean,
  subscription: boolean,
  classFilter: boolean,
): number {
  return (
    (commit ? PullSysFlag.COMMIT_OFFSET : 0) |
    (suspend ? PullSysFlag.SUSPEND : 0) |
    (subscription ? PullSysFlag.SUBSCRIPTION : 0) |
    (classFilter ? PullSysFlag.CLASS_FILTER : 0)
  );
}

/** Topic / broker permission bits (PermName.java). */
export const Perm = {
  PRIORITY: 8,
  READ: 4,
  WRITE: 2,
  INHERIT: 1,
} as const;

export const isReadable = (perm: number): boolean => (perm & Perm.READ) === Perm.READ;
export const isWriteable = (perm: number): boolean => (perm & Perm.WRITE) === Perm.WRITE;
export const isInherited = (perm: number): boolean => (perm & Perm.INHERIT) === Perm.INHERIT;

export function permToString(perm: number): string {
  return `${isReadable(perm) ? 'R' : '-'}${isWriteable(perm) ? 'W' : '-'}${isInherited(perm) ? 'X' : '-'}`;
}

export const TopicFilterType = {
  SINGLE_TAG: 'SINGLE_TAG',
  MULTI_TAG: 'MULTI_TAG',
} as const;
export type TopicFilterTypeValue = (typeof TopicFilterType)[keyof typeof TopicFilterType];
