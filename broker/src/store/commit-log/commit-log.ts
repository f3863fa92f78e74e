import {
  BLANK_MAGIC,
  createOffsetMsgId,
  hexLong,
  measureMessageRecord,
  MessageSysFlag,
  writeMessageRecord,
  type MessageRecordInput,
  type RecordSize,
} from '@rocketts/protocol';
import type { DispatchRequest } from '../dispatch/dispatch-request';
import type { MappedFile } from '../mapped-file/mapped-file';
import { MappedFileQueue } from '../mapped-file/mapped-file-queue';
import { PutMessageStatus, type PutMessageStatusValue } from '../statuses';
import type { AppendResult, MessageInner } from './append-types';
import { AsyncFlusher } from './async-flusher';
import { EncodedTopics } from './encoded-topics';
import { GroupCommitService } from './group-commit';
import type { StagingLender } from './staging-lender';
import { CRC_PLACEHOLDER, SEAL_WRITES_BODY_CRC, sealRecords, withoutCrcEntry } from './record-crc';

export type { AppendResult, MessageInner } from './append-types';

export interface CommitLogOptions {
  dir: string;
  fileSize: number;
  maxMessageSize: number;
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  syncFlushTimeoutMs: number;
  flushIntervalMs: number;
  /** Called after bytes reach the kernel, in commit-log order: feeds consume queues and the index. */
  onAppended: (requests: DispatchRequest[]) => void;
  onFatal: (err: Error) => void;
  /** Bytes just handed to the kernel at `position` of `file` (the read cache keeps fresh data). */
  onBytesWritten?: (file: MappedFile, position: number, src: Buffer, srcOffset: number, len: number) => void;
  /** Memory to stage records in where they will be read from, so written bytes need no copy there. */
  stagingLender?: StagingLender;
}

/** The end of a segment too small for the next record gets this blank filler: TOTALSIZE + BLANK magic. */
export const END_FILE_MIN_BLANK_LENGTH = 8;
/** Records of one event-loop turn are built here and written with one write() (or one per segment). */
const STAGING_BYTES = 4 * 1024 * 1024; // 4 MiB

export type AppendCallback = (r: AppendResult) => void;

interface Pending {
  endOffset: number;
  wait: boolean;
  results: AppendResult;
  done: AppendCallback;
}

/**
 * The commit log (CommitLog.java): every message of every topic, appended in arrival order to fixed
 * segments. Appends of one event-loop turn are staged in one buffer and written together; then
 * consume queues are dispatched and the sends acknowledged (after a group-commit fdatasync for
 * SYNC_FLUSH). Queue offsets are assigned here, at append time.
 */
export class CommitLog {
  readonly files: MappedFileQueue;
  /** topic → next logical offset of each queue. */
  private readonly queueOffsets = new Map<string, number[]>();
  private readonly topics = new EncodedTopics();
  /** Hex of the store host, the constant head of every offset message id. */
  private hostHex = '';
  private hostHexOf: Buffer | undefined;
  private staging = Buffer.allocUnsafe(STAGING_BYTES);
  /** Where the current run of records is staged: `staging`, or memory from the staging lender. */
  private stageBuf: Buffer = this.staging;
  private stagingLen = 0;
  private stagingFile: MappedFile | undefined;
  private pending: Pending[] = [];
  private dispatches: DispatchRequest[] = [];
  private commitScheduled = false;
  private readonly groupCommit: GroupCommitService | undefined;
  private readonly flusher: AsyncFlusher | undefined;
  private failed: Error | undefined;

  constructor(private readonly options: CommitLogOptions) {
    this.files = new MappedFileQueue(options.dir, options.fileSize);
    if (options.flushDiskType === 'SYNC_FLUSH') {
      this.groupCommit = new GroupCommitService(this.files, options.syncFlushTimeoutMs, (e) => this.fail(e));
    } else {
      this.flusher = new AsyncFlusher(this.files, options.flushIntervalMs, (e) => this.fail(e));
    }
  }

  start(): void {
    this.flusher?.start();
  }

  /** Finish staged writes and fdatasync everything. */
  async shutdown(): Promise<void> {
    this.commit();
    this.flusher?.stop();
    await this.files.flush();
    await this.files.idle();
    this.groupCommit?.stop();
  }

  get minOffset(): number {
    return this.files.minOffset;
  }

  /** Offset of the next byte to be written (what the kernel has, plus nothing staged). */
  get maxOffset(): number {
    return this.files.maxOffset + this.stagingLen;
  }

  get flushedOffset(): number {
    return this.files.flushedOffset;
  }

  /** Set the next logical offset of every queue (from the consume queues, after recovery). */
  setQueueOffset(topic: string, queueId: number, next: number): void {
    this.offsetsOf(topic)[queueId] = next;
  }

  removeTopicOffsets(topic: string): void {
    this.queueOffsets.delete(topic);
  }

  put(msg: MessageInner): Promise<AppendResult> {
    return new Promise((resolve) => this.putAll([msg], resolve));
  }

  /**
   * Append records contiguously, with consecutive queue offsets; one result for all (batch sends),
   * given to `done` once the durability goal is met. A callback rather than a promise: this is the
   * per-message hot path.
   */
  putAll(msgs: readonly MessageInner[], done: AppendCallback): void {
    const first = msgs[0];
    if (!first) return done(result(PutMessageStatus.MESSAGE_ILLEGAL, 'empty batch'));
    if (this.failed) {
      return done(
        result(PutMessageStatus.SERVICE_NOT_AVAILABLE, `store write failed: ${this.failed.message}`),
      );
    }
    // Offsets pass 2^30 (V8's small-integer limit): a literal whose constant fields later hold
    // doubles is cloned on a slow runtime path for good (~0.5 µs each), so they start as NaN (a double).
    const res: AppendResult = {
      status: PutMessageStatus.PUT_OK,
      wroteOffset: NaN,
      wroteBytes: 0,
      queueOffset: NaN,
      storeTimestamp: Date.now(),
      msgIds: [],
    };
    const inputs: { input: MessageRecordInput; size: RecordSize }[] = [];
    for (const msg of msgs) {
      if (msg.body.length > this.options.maxMessageSize) {
        const remark = `body of ${msg.body.length} bytes exceeds maxMessageSize ${this.options.maxMessageSize}`;
        return done(result(PutMessageStatus.MESSAGE_ILLEGAL, remark));
      }
      const input = this.toInput(msg, res.storeTimestamp);
      try {
        inputs.push({ input, size: measureMessageRecord(input) });
      } catch (err) {
        return done(result(PutMessageStatus.MESSAGE_ILLEGAL, (err as Error).message));
      }
    }
    try {
      inputs.forEach(({ input, size }, i) => this.append(msgs[i] as MessageInner, input, size, res));
    } catch (err) {
      this.fail(err as Error);
      return done(
        result(PutMessageStatus.SERVICE_NOT_AVAILABLE, `store write failed: ${(err as Error).message}`),
      );
    }
    this.pending.push({
      endOffset: res.wroteOffset + res.wroteBytes,
      wait: first.waitStoreMsgOK,
      results: res,
      done,
    });
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      // Runs after the current I/O callback, when every request of that read is staged.
      process.nextTick(() => this.commit());
    }
  }

  private offsetsOf(topic: string): number[] {
    let offsets = this.queueOffsets.get(topic);
    if (!offsets) {
      offsets = [];
      this.queueOffsets.set(topic, offsets);
    }
    return offsets;
  }

  /** Bytes [offset, offset + size) of one segment, or undefined if they are not stored. */
  read(offset: number, size: number): Buffer | undefined {
    const f = this.files.findByOffset(offset);
    if (!f || offset + size > f.fileFromOffset + f.wrotePosition) return undefined;
    return f.read(offset - f.fileFromOffset, size);
  }

  private toInput(msg: MessageInner, storeTimestamp: number): MessageRecordInput {
    return {
      queueId: msg.queueId,
      flag: msg.flag,
      queueOffset: NaN, // set by append (see putAll)
      physicalOffset: NaN,
      sysFlag: msg.sysFlag,
      bornTimestamp: msg.bornTimestamp,
      bornHost: msg.bornHost,
      storeTimestamp,
      storeHost: msg.storeHost,
      reconsumeTimes: msg.reconsumeTimes,
      preparedTransactionOffset: msg.preparedTransactionOffset,
      body: msg.body,
      topic: msg.topic,
      topicBytes: this.topics.of(msg.topic),
      properties: withoutCrcEntry(msg.properties),
      propertiesTail: CRC_PLACEHOLDER,
      bodyCrc: SEAL_WRITES_BODY_CRC ? 0 : undefined,
    };
  }

  private append(msg: MessageInner, input: MessageRecordInput, size: RecordSize, res: AppendResult): void {
    let file = this.stagingFile ?? this.files.lastForAppend();
    const free = file.fileSize - file.wrotePosition - this.stagingLen;
    if (size.total + END_FILE_MIN_BLANK_LENGTH > free) {
      const buf = this.reserve(file, END_FILE_MIN_BLANK_LENGTH);
      buf.writeInt32BE(free, this.stagingLen);
      buf.writeInt32BE(BLANK_MAGIC, this.stagingLen + 4);
      this.stagingFile = file;
      this.stagingLen += END_FILE_MIN_BLANK_LENGTH;
      this.writeStaged();
      // The filler is accounted as written: the whole rest of the segment belongs to it.
      file.wrotePosition = file.fileSize;
      file = this.files.lastForAppend();
    }
    this.stagingFile = file;
    const target = this.reserve(file, size.total);
    const staged = target === this.stageBuf;
    const pos = staged ? this.stagingLen : 0;
    const offset = file.fileFromOffset + file.wrotePosition + pos;
    const offsets = this.offsetsOf(msg.topic);
    const txType = msg.sysFlag & MessageSysFlag.TRANSACTION_MASK;
    // Prepared and rolled-back records take no queue offset (CommitLog.DefaultAppendMessageCallback).
    const consumable =
      txType === MessageSysFlag.TRANSACTION_NOT_TYPE || txType === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    const queueOffset = consumable ? (offsets[msg.queueId] ?? 0) : 0;
    input.physicalOffset = offset;
    input.queueOffset = queueOffset;
    writeMessageRecord(target, pos, input, size);
    if (consumable) offsets[msg.queueId] = queueOffset + 1;
    // Staged records are sealed together when the run is written (writeStaged).
    if (staged) this.stagingLen += size.total;
    else {
      const at = file.wrotePosition;
      sealRecords(target, 0, size.total);
      file.append(target, 0, size.total);
      this.options.onBytesWritten?.(file, at, target, 0, size.total);
    }
    if (res.wroteBytes === 0) {
      res.wroteOffset = offset;
      res.queueOffset = queueOffset;
    }
    res.wroteBytes += size.total;
    res.msgIds.push(this.offsetMsgId(msg.storeHost, offset));
    this.dispatches.push({
      topic: msg.topic,
      queueId: msg.queueId,
      commitLogOffset: offset,
      msgSize: size.total,
      tagsCode: msg.tagsCode,
      storeTimestamp: input.storeTimestamp,
      consumeQueueOffset: queueOffset,
      sysFlag: msg.sysFlag,
      keys: msg.keys,
      uniqKey: msg.uniqKey,
      properties: msg.properties,
    });
    if (!staged) this.dispatchWritten();
  }

  /** createOffsetMsgId with the constant host part cached (it is the same for every record here). */
  private offsetMsgId(storeHost: Buffer, offset: number): string {
    if (storeHost.length !== 8) return createOffsetMsgId(storeHost, offset);
    if (this.hostHex === '' || this.hostHexOf !== storeHost) {
      this.hostHex = storeHost.toString('hex').toUpperCase();
      this.hostHexOf = storeHost;
    }
    return this.hostHex + hexLong(offset);
  }

  /**
   * Room for `n` bytes at the end of the current run, or of a new run after writing the current one
   * out: lent memory when the lender has it (not across a read-cache block's end), else the staging
   * buffer, or a dedicated buffer for a huge record.
   */
  private reserve(file: MappedFile, n: number): Buffer {
    if (this.stagingLen > 0) {
      if (this.stagingLen + n <= this.stageBuf.length) return this.stageBuf;
      this.writeStaged();
    } else if (this.stageBuf !== this.staging) {
      // Lent for a record that was never staged (its encoding threw): end that loan first.
      this.options.stagingLender?.settle(0);
    }
    this.stageBuf = this.options.stagingLender?.lend(file, file.wrotePosition, n) ?? this.staging;
    return n <= this.stageBuf.length ? this.stageBuf : Buffer.allocUnsafe(n);
  }

  private writeStaged(): void {
    if (this.stagingLen === 0 || !this.stagingFile) return;
    const file = this.stagingFile;
    const at = file.wrotePosition;
    const len = this.stagingLen;
    const buf = this.stageBuf;
    const lent = buf !== this.staging;
    this.stagingLen = 0;
    this.stageBuf = this.staging;
    try {
      sealRecords(buf, 0, len);
      file.append(buf, 0, len);
    } catch (err) {
      if (lent) this.options.stagingLender?.settle(0);
      throw err;
    }
    if (lent) this.options.stagingLender?.settle(len);
    else this.options.onBytesWritten?.(file, at, buf, 0, len);
    this.dispatchWritten();
  }

  private dispatchWritten(): void {
    if (this.dispatches.length === 0) return;
    const batch = this.dispatches;
    this.dispatches = [];
    this.options.onAppended(batch);
  }

  private commit(): void {
    this.commitScheduled = false;
    try {
      this.writeStaged();
    } catch (err) {
      this.fail(err as Error);
    }
    this.stagingFile = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.failed) {
      for (const p of batch)
        p.done(result(PutMessageStatus.SERVICE_NOT_AVAILABLE, `store write failed: ${this.failed.message}`));
      return;
    }
    const gc = this.groupCommit;
    if (!gc) {
      for (const p of batch) p.done(p.results);
      return;
    }
    const waiting = batch.filter((p) => p.wait);
    for (const p of batch) if (!p.wait) p.done(p.results);
    if (waiting.length === 0) return;
    const end = Math.max(...waiting.map((p) => p.endOffset));
    void gc.waitFlushed(end).then((ok) => {
      for (const p of waiting) {
        if (!ok) p.results.status = PutMessageStatus.FLUSH_DISK_TIMEOUT;
        p.done(p.results);
      }
    });
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.options.onFatal(err);
  }
}

function result(status: PutMessageStatusValue, remark: string): AppendResult {
  return { status, remark, wroteOffset: -1, wroteBytes: 0, queueOffset: -1, storeTimestamp: 0, msgIds: [] };
}
