import type { RemotingCommand } from './command';
import { DEFAULT_MAX_FRAME_LENGTH, decodeFramePayload } from './frame-codec';
import { frameSizeAt } from './frame-decoder';

/** A frame tail at least this long is read straight into the frame's buffer rather than the scratch. */
const DIRECT_READ_MIN = 8 * 1024; // 8 KiB

/**
 * Frame assembly for a socket that reads into memory we choose (Node's `onread` with a buffer
 * function): reads land in a reused scratch buffer, complete frames are copied out of it together,
 * and once a large frame's length is known the rest of it is read straight into that frame's own
 * buffer. Every byte is then allocated once and copied once — a consumer pulling 300 MiB/s otherwise
 * allocates each byte twice (per read, then joined per frame), and that external memory drives V8
 * into full collections. Pure: the caller does the reads.
 *
 * The cycle is `nextBuffer()` → read n bytes into it → `onRead(n)`. Decoded commands own their
 * memory; the scratch may be overwritten as soon as `onRead` returns. After a throw (bad length or
 * header) the stream is out of sync and the connection must be closed.
 */
export class FrameReader {
  private readonly scratch: Buffer;
  /** The frame being assembled (length word included) and how many of its bytes are in. */
  private frame: Buffer | undefined;
  private have = 0;
  /** Bytes of a length word split across reads. */
  private readonly head = Buffer.alloc(4);
  private headLen = 0;
  /** What nextBuffer() returned last: the scratch or the tail of `frame`. */
  private target: Buffer;

  constructor(
    scratchBytes: number,
    private readonly maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH,
  ) {
    this.scratch = Buffer.allocUnsafe(scratchBytes);
    this.target = this.scratch;
  }

  /** Where the next read should put its bytes. */
  nextBuffer(): Buffer {
    const frame = this.frame;
    this.target =
      frame !== undefined && frame.length - this.have >= DIRECT_READ_MIN
        ? frame.subarray(this.have)
        : this.scratch;
    return this.target;
  }

  /** `n` bytes were read into the buffer nextBuffer() returned last. */
  onRead(n: number): RemotingCommand[] {
    const out: RemotingCommand[] = [];
    if (this.target === this.scratch) {
      this.copyIn(this.scratch, 0, n, out);
    } else {
      this.have += n;
      this.finishIfComplete(out);
    }
    return out;
  }

  /** Bytes from a buffer the caller will reuse: whatever is kept is copied. */
  push(bytes: Buffer): RemotingCommand[] {
    const out: RemotingCommand[] = [];
    this.copyIn(bytes, 0, bytes.length, out);
    return out;
  }

  /** Bytes received that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.frame !== undefined ? this.have : this.headLen;
  }

  private copyIn(src: Buffer, pos: number, end: number, out: RemotingCommand[]): void {
    if (this.headLen > 0) {
      const n = Math.min(4 - this.headLen, end - pos);
      src.copy(this.head, this.headLen, pos, pos + n);
      this.headLen += n;
      pos += n;
      if (this.headLen < 4) return;
      this.headLen = 0;
      this.startFrame(this.head, 0, 4);
    }
    if (this.frame !== undefined) {
      const n = Math.min(this.frame.length - this.have, end - pos);
      src.copy(this.frame, this.have, pos, pos + n);
      this.have += n;
      pos += n;
      if (!this.finishIfComplete(out)) return;
    }
    // Complete frames are copied out as one run: small frames share one allocation.
    let runEnd = pos;
    const sizes: number[] = [];
    while (end - runEnd >= 4) {
      const size = frameSizeAt(src, runEnd, this.maxFrameLength);
      if (end - runEnd < size) break;
      sizes.push(size);
      runEnd += size;
    }
    if (runEnd > pos) {
      const run = Buffer.allocUnsafe(runEnd - pos);
      src.copy(run, 0, pos, runEnd);
      let at = 0;
      for (const size of sizes) {
        out.push(decodeFramePayload(run.subarray(at + 4, at + size)));
        at += size;
      }
      pos = runEnd;
    }
    if (end - pos >= 4) this.startFrame(src, pos, end - pos);
    else if (end > pos) {
      src.copy(this.head, 0, pos, end);
      this.headLen = end - pos;
    }
  }

  /** Allocate the frame whose first `len` bytes (at least its length word) are at `pos` of `src`. */
  private startFrame(src: Buffer, pos: number, len: number): void {
    const size = frameSizeAt(src, pos, this.maxFrameLength);
    this.frame = Buffer.allocUnsafe(size);
    src.copy(this.frame, 0, pos, pos + len);
    this.have = len;
  }

  private finishIfComplete(out: RemotingCommand[]): boolean {
    const frame = this.frame as Buffer;
    if (this.have < frame.length) return false;
    this.frame = undefined;
    this.have = 0;
    out.push(decodeFramePayload(frame.subarray(4)));
    return true;
  }
}
