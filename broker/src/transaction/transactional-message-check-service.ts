import type { Logger, RemotingChannel } from '@rocketts/client';
import {
  CheckTransactionStateRequestHeader,
  createRequest,
  MessageProperty,
  POS_QUEUE_ID,
  POS_SYS_FLAG,
  POS_TOTAL_SIZE,
  POS_MAGIC,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  MessageSysFlag,
  POS_BORN_HOST,
  RequestCode,
  SystemTopic,
} from '@rocketts/protocol';
import type { ProducerManager } from '../client-manager/producer-manager';
import type { TransactionConfig } from '../config/transaction-config';
import type { ConsumerOffsetManager } from '../offsets/consumer-offset-manager';
import type { MessageStore } from '../store/message-store';
import { PutMessageStatus } from '../store/statuses';
import { decideCheck, parseCheckTimes, type CheckRules } from './check-decision';
import { HALF_QUEUE_ID } from './half-message';
import {
  OP_QUEUE_ID,
  TRANS_SYS_GROUP,
  type HalfMessage,
  type TransactionalMessageBridge,
} from './transactional-message-bridge';

/** One round walks the half queue at most this long (TransactionalMessageServiceImpl.MAX_PROCESS_TIME_LIMIT). */
const MAX_ROUND_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface CheckServiceOptions {
  bridge: TransactionalMessageBridge;
  store: MessageStore;
  offsets: ConsumerOffsetManager;
  producers: ProducerManager;
  config: TransactionConfig;
  /** Store retention (fileReservedTime), hours: older half messages are given up. */
  fileReservedTimeHours: number;
  brokerName: string;
  logger: Logger;
}

/** What one round did (tests, logs). */
export interface CheckRound {
  examined: number;
  checked: number;
  renewed: number;
  discarded: number;
  /** Next half-queue offset to examine, as stored. */
  halfOffset: number;
  /** Ended transactions forgotten after the walk (TransactionalMessageBridge.prune). */
  forgotten: number;
}

/**
 * The check-back service (TransactionalMessageCheckService + TransactionalMessageServiceImpl.check):
 * every transactionCheckInterval it walks RMQ_SYS_TRANS_HALF_TOPIC queue 0 from the progress stored
 * as CID_RMQ_SYS_TRANS's offset, skips ended transactions, gives up after transactionCheckMax checks,
 * and for a due one appends a copy (TRANSACTION_CHECK_TIMES + 1) and sends CHECK_TRANSACTION_STATE about
 * the copy to one live producer of its group. Progress only moves past an entry once its copy is
 * stored and flushed, so a crash repeats a check (harmless: ends are idempotent) but never skips one.
 */
export class TransactionalMessageCheckService {
  checksSent = 0;
  discarded = 0;
  /** END_TRANSACTION outcomes stored since start. */
  committed = 0;
  rolledBack = 0;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private running = false;
  private readonly rr = new Map<string, number>();
  private readonly rules: CheckRules;

  constructor(private readonly o: CheckServiceOptions) {
    this.rules = {
      transactionTimeOutMs: o.config.transactionTimeOut,
      transactionCheckMax: o.config.transactionCheckMax,
      fileReservedTimeMs: o.fileReservedTimeHours * HOUR_MS,
    };
  }

  get bridge(): TransactionalMessageBridge {
    return this.o.bridge;
  }

  recordEnd(commit: boolean, stored: boolean): void {
    if (!stored) return;
    if (commit) this.committed++;
    else this.rolledBack++;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  /** Which transactions ended, from the op records; call once the store and the offsets are loaded. */
  rebuildEnded(now = Date.now()): void {
    this.o.bridge.rebuild(this.progress(), now, this.o.config.transactionEndedGraceTime);
  }

  /** Half-queue entries not yet examined by the service (ended ones included until it passes them). */
  pendingHalfMessages(): number {
    const { max } = this.o.bridge.halfQueueRange();
    return Math.max(0, max - this.progress());
  }

  runtimeInfo(): Record<string, string> {
    return {
      transactionHalfPending: String(this.pendingHalfMessages()),
      transactionChecksSent: String(this.checksSent),
      transactionCheckDiscarded: String(this.discarded),
      transactionCommitted: String(this.committed),
      transactionRolledBack: String(this.rolledBack),
      transactionEndedRemembered: String(this.o.bridge.endedCount),
    };
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      const r = this.check().catch((err: Error) =>
        this.o.logger.error('transaction check round failed', { error: err }),
      );
      this.round = r;
      void r.finally(() => this.schedule());
    }, this.o.config.transactionCheckInterval);
    this.timer.unref();
  }

  private progress(): number {
    const stored = this.o.offsets.query(TRANS_SYS_GROUP, SystemTopic.TRANS_HALF, HALF_QUEUE_ID);
    const { min, max } = this.o.bridge.halfQueueRange();
    return stored < 0 ? min : Math.min(Math.max(stored, min), max);
  }

  /** One walk of the half queue; exposed for tests. */
  async check(now = Date.now()): Promise<CheckRound> {
    const start = now;
    const out: CheckRound = {
      examined: 0,
      checked: 0,
      renewed: 0,
      discarded: 0,
      halfOffset: 0,
      forgotten: 0,
    };
    const { max } = this.o.bridge.halfQueueRange();
    let i = this.progress();
    walk: while (i < max && Date.now() - start < MAX_ROUND_MS) {
      const half = this.o.bridge.halfAtQueueOffset(i);
      if (!half || this.o.bridge.isEnded(half.key)) {
        i++;
        continue;
      }
      out.examined++;
      const props = half.ext.properties;
      const checkTimes = parseCheckTimes(props[MessageProperty.TRANSACTION_CHECK_TIMES]);
      const action = decideCheck(
        {
          bornTimestamp: half.ext.bornTimestamp,
          storeTimestamp: half.ext.storeTimestamp,
          checkTimes,
          immunityText: props[MessageProperty.CHECK_IMMUNITY_TIME_IN_SECONDS],
        },
        Date.now(),
        start,
        this.rules,
      );
      switch (action) {
        case 'stop':
          break walk;
        case 'discard':
          if (!(await this.discard(half))) break walk;
          out.discarded++;
          break;
        case 'renew':
          if (!(await this.putCopy(half, {}))) break walk;
          out.renewed++;
          break;
        case 'check': {
          const group = props[MessageProperty.PGROUP] ?? '';
          const channel = this.pickChannel(group);
          // No producer of the group online: keep it for a later round without counting a check.
          const copy = await this.putCopy(
            half,
            channel ? { [MessageProperty.TRANSACTION_CHECK_TIMES]: String(checkTimes + 1) } : {},
          );
          if (!copy) break walk;
          if (!channel) {
            out.renewed++;
            break;
          }
          channel.sendOneway(this.checkRequest(half, copy));
          this.checksSent++;
          out.checked++;
          break;
        }
      }
      i++;
    }
    out.halfOffset = i;
    await this.saveProgress(i);
    out.forgotten = this.o.bridge.prune(i, Date.now(), this.o.config.transactionEndedGraceTime);
    return out;
  }

  /** Copies must be on disk before the progress that skips their originals is (ScheduleMessageService does the same). */
  private async saveProgress(halfOffset: number): Promise<void> {
    await this.o.store.flushCommitLog();
    this.o.offsets.commit(TRANS_SYS_GROUP, SystemTopic.TRANS_HALF, HALF_QUEUE_ID, halfOffset);
    this.o.offsets.commit(
      TRANS_SYS_GROUP,
      SystemTopic.TRANS_OP_HALF,
      OP_QUEUE_ID,
      this.o.bridge.opQueueMaxOffset(),
    );
    await this.o.offsets.persist();
  }

  private async putCopy(
    half: HalfMessage,
    changes: Record<string, string>,
  ): Promise<{ commitLogOffset: number; queueOffset: number; msgId: string } | undefined> {
    const r = await this.o.store.putMessage(this.o.bridge.halfCopy(half, changes));
    if (r.status !== PutMessageStatus.PUT_OK) {
      this.o.logger.warn('appending a half message copy failed; the round stops here', {
        status: r.status,
        remark: r.remark,
      });
      return undefined;
    }
    return { commitLogOffset: r.wroteOffset, queueOffset: r.queueOffset, msgId: r.msgIds[0] ?? '' };
  }

  private async discard(half: HalfMessage): Promise<boolean> {
    const r = await this.o.store.putMessage(this.o.bridge.discardedCopy(half));
    if (r.status !== PutMessageStatus.PUT_OK) return false;
    this.discarded++;
    this.o.logger.warn('half message checked too often or too old; moved to TRANS_CHECK_MAX_TIME_TOPIC', {
      transactionId: half.key,
      producerGroup: half.ext.properties[MessageProperty.PGROUP],
      checkTimes: half.ext.properties[MessageProperty.TRANSACTION_CHECK_TIMES],
      halfOffset: half.ext.queueOffset,
    });
    return true;
  }

  /** One active channel of the group, round-robin (Broker2Client / ProducerManager.getAvailableChannel). */
  private pickChannel(group: string): RemotingChannel | undefined {
    const live = this.o.producers.channels(group).filter((c) => c.channel.isActive());
    if (live.length === 0) return undefined;
    const n = this.rr.get(group) ?? 0;
    this.rr.set(group, n + 1);
    return live[n % live.length]?.channel;
  }

  /** CHECK_TRANSACTION_STATE about the copy (§5, §10.3): body is the message under its real topic and queue. */
  private checkRequest(
    half: HalfMessage,
    copy: { commitLogOffset: number; queueOffset: number; msgId: string },
  ): ReturnType<typeof createRequest> {
    const props = half.ext.properties;
    const uniq = props[MessageProperty.UNIQ_KEY] ?? half.key;
    const stored = this.o.store.lookMessageByOffset(copy.commitLogOffset) ?? half.record;
    const header = CheckTransactionStateRequestHeader.encode({
      topic: SystemTopic.TRANS_HALF,
      tranStateTableOffset: copy.queueOffset,
      commitLogOffset: copy.commitLogOffset,
      msgId: uniq,
      transactionId: props[MessageProperty.TRANSACTION_ID] ?? uniq,
      offsetMsgId: copy.msgId,
      bname: this.o.brokerName,
    });
    const body = withAddress(
      stored,
      props[MessageProperty.REAL_TOPIC] ?? SystemTopic.TRANS_HALF,
      Number(props[MessageProperty.REAL_QID] ?? 0),
    );
    return createRequest(RequestCode.CHECK_TRANSACTION_STATE, header, body);
  }
}

/**
 * A stored record rewritten under another topic and queue id (topic length and TOTALSIZE recomputed,
 * magic V1), as Broker2Client.checkProducerTransactionState sends it: everything else byte for byte.
 */
export function withAddress(record: Buffer, topic: string, queueId: number): Buffer {
  const sysFlag = record.readInt32BE(POS_SYS_FLAG);
  const bornLen = (sysFlag & MessageSysFlag.BORNHOST_V6) !== 0 ? 20 : 8;
  const storeLen = (sysFlag & MessageSysFlag.STOREHOST_V6) !== 0 ? 20 : 8;
  // BORNHOST, STORETIMESTAMP (8), STOREHOST, RECONSUMETIMES (4), PREPARED TRANSACTION OFFSET (8).
  const bodyLenPos = POS_BORN_HOST + bornLen + 8 + storeLen + 4 + 8;
  const topicLenPos = bodyLenPos + 4 + record.readInt32BE(bodyLenPos);
  const v2 = record.readInt32BE(POS_MAGIC) === MESSAGE_MAGIC_V2;
  const oldTopicLen = v2 ? record.readUInt16BE(topicLenPos) : record.readUInt8(topicLenPos);
  const afterTopic = topicLenPos + (v2 ? 2 : 1) + oldTopicLen;
  const topicBytes = Buffer.from(topic, 'utf8');
  const out = Buffer.concat([
    record.subarray(0, topicLenPos),
    Buffer.from([topicBytes.length]),
    topicBytes,
    record.subarray(afterTopic, record.readInt32BE(POS_TOTAL_SIZE)),
  ]);
  out.writeInt32BE(out.length, POS_TOTAL_SIZE);
  out.writeInt32BE(MESSAGE_MAGIC_V1, POS_MAGIC);
  out.writeInt32BE(queueId, POS_QUEUE_ID);
  return out;
}
