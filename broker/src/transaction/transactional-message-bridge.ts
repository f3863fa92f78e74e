import type { Logger } from '@rocketts/client';
import {
  decodeMessageRecord,
  MessageProperty,
  MessageSysFlag,
  Perm,
  readLong,
  SystemTopic,
  tagsCodeOf,
  withTransactionType,
  type MessageExt,
  type Properties,
} from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import { CQ_UNIT_SIZE } from '../store/consume-queue/cq-unit';
import type { MessageStore } from '../store/message-store';
import { rePut } from '../store/stored-message';
import type { TopicConfigManager } from '../topics/topic-config-manager';
import { HALF_QUEUE_ID } from './half-message';
import { encodeOpBody, OP_HALF_END_PROPERTY, OP_REMOVE_TAG, parseOpBody } from './op-body';

/** The op queue pairs with the half queue by queue id (TransactionalMessageBridge.getOpQueue). */
export const OP_QUEUE_ID = HALF_QUEUE_ID;
/** Progress of the check service is stored as offsets of this group (TransactionalMessageUtil.buildConsumerGroup). */
export const TRANS_SYS_GROUP = 'CID_RMQ_SYS_TRANS';
/** Consume-queue units read per step when scanning the op queue at start. */
const UNITS_PER_READ = 256;
/** Properties a committed message loses (EndTransactionProcessor.endMessageTransaction). */
const DROPPED_ON_COMMIT = [
  MessageProperty.TRAN_MSG,
  MessageProperty.REAL_TOPIC,
  MessageProperty.REAL_QID,
] as const;

/** A half message read from the store. */
export interface HalfMessage {
  record: Buffer;
  ext: MessageExt;
  /** Identity of the transaction across the copies the check service appends: the UNIQ_KEY. */
  key: string;
}

/**
 * The transaction's view of the store (TransactionalMessageBridge): reads half messages, builds the
 * committed message, op records, check copies and discarded copies, and remembers which transactions
 * ended. "Ended" is keyed by the half message's UNIQ_KEY, not its offset: the check service appends
 * copies with new offsets, and a producer may answer about any of them, so keying by offset would let
 * a late answer about one copy commit a transaction a second time. The set is rebuilt at start from
 * the op records, which carry the key in `__transactionId__` next to the offsets RocketMQ writes.
 */
export class TransactionalMessageBridge {
  /**
   * Ended transactions in the order they ended, each with the half queue's end offset at that moment
   * (every copy of it lies below) and when it ended (ms). Forgotten by `prune` once the check service
   * has walked past all its copies and the duplicate grace has passed, so memory follows the recent
   * rate, not the broker's whole history.
   */
  private readonly ended = new Map<string, { halfEnd: number; endedAt: number }>();
  /** END_TRANSACTION requests whose put is in flight: a concurrent duplicate must not store twice. */
  private readonly ending = new Set<string>();

  constructor(
    private readonly store: MessageStore,
    private readonly topics: TopicConfigManager,
    private readonly logger: Logger,
  ) {}

  /** Ended transactions still remembered (see `prune`). */
  get endedCount(): number {
    return this.ended.size;
  }

  /**
   * Forget ended transactions whose every copy lies below `halfProgress` (the check service will not
   * examine them again) and that ended at least `graceMs` before `now`: until then a late duplicate
   * END_TRANSACTION about any copy is still recognised and ignored (RocketMQ keeps no such memory).
   * Entries are in end order, so the forgettable ones are a prefix.
   */
  prune(halfProgress: number, now: number, graceMs: number): number {
    let dropped = 0;
    for (const [key, e] of this.ended) {
      if (e.halfEnd > halfProgress || now - e.endedAt < graceMs) break;
      this.ended.delete(key);
      dropped++;
    }
    return dropped;
  }

  /**
   * Fold the op records still stored into the ended set; call once the store has recovered. Records
   * `prune` would drop anyway (the walk, at `halfProgress`, passed every copy; older than the grace)
   * are skipped, so a restart does not load the whole retention period's transactions.
   */
  rebuild(halfProgress: number, now: number, graceMs: number): void {
    const cq = this.store.queues.find(SystemTopic.TRANS_OP_HALF, OP_QUEUE_ID);
    if (!cq) return;
    const skip = { halfProgress, before: now - graceMs, halfEndNow: this.halfQueueRange().max };
    for (let off = cq.minOffset; off < cq.maxOffset;) {
      const units = cq.readUnits(off, UNITS_PER_READ);
      if (units.length === 0) break;
      for (let pos = 0; pos < units.length; pos += CQ_UNIT_SIZE) this.foldOp(readLong(units, pos), now, skip);
      off += units.length / CQ_UNIT_SIZE;
    }
  }

  isEnded(key: string): boolean {
    return this.ended.has(key) || this.ending.has(key);
  }

  /** Claim the end of a transaction; false when it already ended or is ending. */
  beginEnd(key: string): boolean {
    if (this.isEnded(key)) return false;
    this.ending.add(key);
    return true;
  }

  /** Settle a claim: stored → ended for good; failed → the producer (or a check) may try again. */
  finishEnd(key: string, stored: boolean): void {
    this.ending.delete(key);
    if (stored) this.markEnded(key, this.halfQueueRange().max, Date.now());
  }

  private markEnded(key: string, halfEnd: number, endedAt: number): void {
    // Re-inserted at the back: a key stays in end order, so prune's prefix rule holds.
    this.ended.delete(key);
    this.ended.set(key, { halfEnd, endedAt });
  }

  /** The half message at a commit-log offset, or undefined when none is stored there. */
  halfAtCommitLogOffset(commitLogOffset: number): HalfMessage | undefined {
    const record = this.store.lookMessageByOffset(commitLogOffset);
    if (!record) return undefined;
    const ext = decodeMessageRecord(record);
    if (ext.topic !== SystemTopic.TRANS_HALF) return undefined;
    return { record, ext, key: transactionKey(ext) };
  }

  /** The half message at a half-queue offset; undefined when the unit or its record is gone. */
  halfAtQueueOffset(queueOffset: number): HalfMessage | undefined {
    const u = this.store.queues.find(SystemTopic.TRANS_HALF, HALF_QUEUE_ID)?.readUnits(queueOffset, 1);
    if (!u || u.length < CQ_UNIT_SIZE) return undefined;
    return this.halfAtCommitLogOffset(readLong(u, 0));
  }

  /** [min, max) of the half queue. */
  halfQueueRange(): { min: number; max: number } {
    const cq = this.store.queues.find(SystemTopic.TRANS_HALF, HALF_QUEUE_ID);
    return { min: cq?.minOffset ?? 0, max: cq?.maxOffset ?? 0 };
  }

  opQueueMaxOffset(): number {
    return this.store.getMaxOffsetInQueue(SystemTopic.TRANS_OP_HALF, OP_QUEUE_ID);
  }

  /**
   * The consumable message of a committed half (§10.2): REAL_TOPIC / REAL_QID, properties minus
   * TRAN_MSG, REAL_TOPIC, REAL_QID, transaction type COMMIT, PREPARED TRANSACTION OFFSET = the half's
   * commit-log offset. Undefined when the half message names no real address.
   */
  committedMessage(half: HalfMessage): MessageInner | undefined {
    const props: Properties = { ...half.ext.properties };
    const topic = props[MessageProperty.REAL_TOPIC];
    const queueId = Number(props[MessageProperty.REAL_QID]);
    if (!topic || !Number.isInteger(queueId) || queueId < 0) return undefined;
    for (const name of DROPPED_ON_COMMIT) delete props[name];
    const msg = rePut(half.record, half.ext, {
      topic,
      queueId,
      properties: props,
      reconsumeTimes: half.ext.reconsumeTimes,
    });
    msg.sysFlag = withTransactionType(msg.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE);
    msg.preparedTransactionOffset = half.ext.commitLogOffset;
    return msg;
  }

  /** The op record ending the half message at `halfQueueOffset` (TransactionalMessageBridge.putOpMessage). */
  opMessage(half: HalfMessage, storeHost: Buffer): MessageInner {
    this.topics.ensure(SystemTopic.TRANS_OP_HALF, 1, Perm.READ | Perm.WRITE);
    return {
      topic: SystemTopic.TRANS_OP_HALF,
      queueId: OP_QUEUE_ID,
      flag: 0,
      body: encodeOpBody([half.ext.queueOffset]),
      properties:
        `${MessageProperty.TAGS}\u0001${OP_REMOVE_TAG}\u0002` +
        `${MessageProperty.TRANSACTION_ID}\u0001${half.key}\u0002` +
        `${OP_HALF_END_PROPERTY}\u0001${this.halfQueueRange().max}\u0002` +
        `${MessageProperty.WAIT}\u0001false\u0002`,
      tagsCode: tagsCodeOf(OP_REMOVE_TAG),
      sysFlag: MessageSysFlag.TRANSACTION_NOT_TYPE,
      bornTimestamp: Date.now(),
      bornHost: storeHost,
      storeHost,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      waitStoreMsgOK: false,
    };
  }

  /** A copy at the end of the half queue with `changes` to its properties (putBackHalfMsgQueue). */
  halfCopy(half: HalfMessage, changes: Properties): MessageInner {
    return rePut(half.record, half.ext, {
      topic: SystemTopic.TRANS_HALF,
      queueId: HALF_QUEUE_ID,
      properties: { ...half.ext.properties, ...changes },
      reconsumeTimes: half.ext.reconsumeTimes,
    });
  }

  /** The copy kept in TRANS_CHECK_MAX_TIME_TOPIC queue 0 for an abandoned half (DefaultTransactionalMessageCheckListener). */
  discardedCopy(half: HalfMessage): MessageInner {
    this.topics.ensure(SystemTopic.TRANS_CHECK_MAX_TIME, 1, Perm.READ | Perm.WRITE);
    return rePut(half.record, half.ext, {
      topic: SystemTopic.TRANS_CHECK_MAX_TIME,
      queueId: 0,
      properties: { ...half.ext.properties },
      reconsumeTimes: half.ext.reconsumeTimes,
    });
  }

  /**
   * Rebuilt entries count their grace from the restart (answers to checks sent before a crash arrive
   * after it); an op record without OP_HALF_END_PROPERTY covers every copy stored now.
   */
  private foldOp(
    commitLogOffset: number,
    endedAt: number,
    skip: { halfProgress: number; before: number; halfEndNow: number },
  ): void {
    const record = this.store.lookMessageByOffset(commitLogOffset);
    if (!record) return;
    const op = decodeMessageRecord(record);
    if (op.tags !== OP_REMOVE_TAG) return;
    const recorded = op.properties[OP_HALF_END_PROPERTY];
    const halfEnd = recorded === undefined ? skip.halfEndNow : Number(recorded);
    if (recorded !== undefined && halfEnd <= skip.halfProgress && op.storeTimestamp < skip.before) return;
    const key = op.properties[MessageProperty.TRANSACTION_ID];
    if (key) {
      this.markEnded(key, halfEnd, endedAt);
      return;
    }
    // An op record without the key (written by RocketMQ itself): resolve each half it names.
    for (const halfOffset of parseOpBody(op.body)) {
      const half = this.halfAtQueueOffset(halfOffset);
      if (half) this.markEnded(half.key, halfEnd, endedAt);
      else this.logger.debug('op record names a half message no longer stored', { halfOffset });
    }
  }
}

/** UNIQ_KEY of a half message; one without (not sent through this broker) is known by its offset id. */
export function transactionKey(ext: MessageExt): string {
  return (
    ext.properties[MessageProperty.UNIQ_KEY] ??
    ext.properties[MessageProperty.TRANSACTION_ID] ??
    ext.offsetMsgId
  );
}
