import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { continueJavaHashCode, javaHashCode, MessageSysFlag } from '@rocketts/protocol';
import type { DispatchRequest } from '../dispatch/dispatch-request';
import { IndexFile } from './index-file';

export interface IndexQueryResult {
  phyOffsets: number[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/** |hashCode|, with Integer.MIN_VALUE mapped to 0 (IndexService.indexKeyHashMethod). */
export function indexKeyHash(topic: string, key: string): number {
  // javaHashCode(`${topic}#${key}`) without building (and flattening) the joined string per message.
  const h = Math.abs(continueJavaHashCode(continueJavaHashCode(javaHashCode(topic), '#'), key));
  return h < 0 || h > 0x7fffffff ? 0 : h;
}

/**
 * Message keys → commit-log offsets across a series of index files named by creation time
 * (IndexService.java). Each message is indexed under its UNIQ_KEY and every KEYS token.
 */
export class IndexService {
  private files: IndexFile[] = [];
  private counter = 0;
  /** Commit-log offset of the last indexed message, or -1. */
  private lastOffset = -1;

  get lastIndexedOffset(): number {
    return this.lastOffset;
  }

  constructor(
    private readonly dir: string,
    private readonly slotNum: number,
    private readonly indexNum: number,
    readonly enabled: boolean,
    /** A full file's final write-back failed (the file stays as the last flush left it). */
    private readonly onSealError: (err: Error) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Open the files. After a crash the newest file may be inconsistent (slots written without their
   * entries), so it is emptied and the returned offset says where re-indexing must start.
   */
  load(abnormal: boolean): number {
    const names = readdirSync(this.dir)
      .filter((n) => /^\d{17,}(-\d+)?$/.test(n))
      .sort();
    this.files = names.map(
      (n, i) => new IndexFile(join(this.dir, n), this.slotNum, this.indexNum, i === names.length - 1, false),
    );
    const last = this.files[this.files.length - 1];
    if (!last) return 0;
    const h = last.header;
    if (!abnormal) {
      this.lastOffset = h.indexCount > 1 ? h.endPhyOffset : -1;
      return h.indexCount > 1 ? h.endPhyOffset + 1 : h.beginPhyOffset;
    }
    last.destroy();
    this.files.pop();
    const prev = this.files[this.files.length - 1];
    if (prev) this.lastOffset = prev.header.endPhyOffset;
    return prev ? prev.header.endPhyOffset + 1 : h.beginPhyOffset;
  }

  build(req: DispatchRequest): void {
    if (!this.enabled) return;
    if ((req.sysFlag & MessageSysFlag.TRANSACTION_MASK) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) return;
    if (req.commitLogOffset <= this.lastOffset) return;
    if (req.uniqKey) this.put(indexKeyHash(req.topic, req.uniqKey), req);
    if (req.keys) {
      for (const k of req.keys.split(' ')) if (k.length > 0) this.put(indexKeyHash(req.topic, k), req);
    }
  }

  query(topic: string, key: string, maxNum: number, begin: number, end: number): IndexQueryResult {
    const hash = indexKeyHash(topic, key);
    const phyOffsets: number[] = [];
    for (let i = this.files.length - 1; i >= 0 && phyOffsets.length < maxNum; i--) {
      phyOffsets.push(...(this.files[i] as IndexFile).query(hash, maxNum - phyOffsets.length, begin, end));
    }
    const last = this.files[this.files.length - 1]?.header;
    return {
      phyOffsets,
      indexLastUpdateTimestamp: last?.endTimestamp ?? 0,
      indexLastUpdatePhyoffset: last?.endPhyOffset ?? 0,
    };
  }

  /**
   * Drop the newest files while they index anything at or beyond `commitLogOffset` (the commit log
   * was truncated there); returns the offset from which the rest must be re-indexed.
   */
  dropFrom(commitLogOffset: number): number {
    while (this.lastOffset >= commitLogOffset) {
      const f = this.files.pop();
      if (!f) break;
      const begin = f.header.beginPhyOffset;
      f.destroy();
      const prev = this.files[this.files.length - 1];
      this.lastOffset = prev ? prev.header.endPhyOffset : -1;
      if (!prev) return begin;
    }
    return this.lastOffset + 1;
  }

  async flush(): Promise<void> {
    const last = this.files[this.files.length - 1];
    if (last) await last.flush();
  }

  /** Delete files that only point below `minCommitLogOffset`; never the file being written. */
  deleteExpired(minCommitLogOffset: number): number {
    let n = 0;
    while (this.files.length > 1 && (this.files[0] as IndexFile).header.endPhyOffset < minCommitLogOffset) {
      this.files.shift()?.destroy();
      n++;
    }
    return n;
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  private put(hash: number, req: DispatchRequest): void {
    let f = this.files[this.files.length - 1];
    if (!f || !f.put(hash, req.commitLogOffset, req.storeTimestamp)) {
      if (f) f.seal().catch((err: Error) => this.onSealError(err));
      f = this.newFile();
      f.put(hash, req.commitLogOffset, req.storeTimestamp);
    }
    this.lastOffset = req.commitLogOffset;
  }

  private newFile(): IndexFile {
    const d = new Date();
    const p = (n: number, w = 2): string => String(n).padStart(w, '0');
    const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
    const name = `${stamp}-${String(this.counter++).padStart(6, '0')}`;
    const f = new IndexFile(join(this.dir, name), this.slotNum, this.indexNum, true, true);
    this.files.push(f);
    return f;
  }
}
