import { FrameTooLargeError } from '../errors/frame-too-large-error';
import { ProtocolError } from '../errors/protocol-error';
import type { RemotingCommand } from './command';
import { DEFAULT_MAX_FRAME_LENGTH, decodeFramePayload } from './frame-codec';

/**
 * Streaming frame decoder: bytes in any chunking → commands. A partial frame is kept as a list of
 * chunks; once all its bytes are there they are copied into a buffer of the frame's size, and the
 * last chunk's bytes past it stay where they are (the start of the next frame), so each byte of a
 * frame spanning chunks is copied once and bytes of frames inside one chunk not at all.
 * After it throws, the stream is out of sync and the owner must close the connection (as Netty's
 * LengthFieldBasedFrameDecoder does).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Total size (length field included) of the frame being gathered, once its length is known. */
  private needed = -1;

  constructor(private readonly maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH) {}

  push(chunk: Buffer): RemotingCommand[] {
    const out: RemotingCommand[] = [];
    if (this.buffered > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.needed < 0 && this.buffered >= 4)
        this.needed = frameSizeAt(this.lengthWord(), 0, this.maxFrameLength);
      if (this.needed < 0 || this.buffered < this.needed) return out;
      const frame = Buffer.allocUnsafe(this.needed);
      let at = 0;
      for (const c of this.chunks) at += c.copy(frame, at, 0, Math.min(c.length, frame.length - at));
      // Only the last chunk can reach past the frame: everything before it was short of `needed`.
      chunk = chunk.subarray(chunk.length - (this.buffered - this.needed));
      this.chunks = [];
      this.buffered = 0;
      this.needed = -1;
      out.push(decodeFramePayload(frame.subarray(4)));
    }
    let pos = 0;
    while (chunk.length - pos >= 4) {
      const size = frameSizeAt(chunk, pos, this.maxFrameLength);
      if (chunk.length - pos < size) {
        this.needed = size;
        break;
      }
      out.push(decodeFramePayload(chunk.subarray(pos + 4, pos + size)));
      pos += size;
    }
    if (pos < chunk.length) {
      this.chunks = [pos === 0 ? chunk : chunk.subarray(pos)];
      this.buffered = chunk.length - pos;
    }
    return out;
  }

  /** Bytes received that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The first four buffered bytes in one buffer (they may arrive split across chunks). */
  private lengthWord(): Buffer {
    const first = this.chunks[0] as Buffer;
    return first.length >= 4 ? first : Buffer.concat(this.chunks, this.buffered).subarray(0, 4);
  }
}

/** Whole size (length word included) of the frame whose length word is at `pos`, checked against the cap. */
export function frameSizeAt(buf: Buffer, pos: number, maxFrameLength: number): number {
  const length = buf.readInt32BE(pos);
  if (length < 4) throw new ProtocolError(`frame length ${length} is smaller than the 4-byte header word`);
  if (length + 4 > maxFrameLength) throw new FrameTooLargeError(length + 4, maxFrameLength);
  return length + 4;
}
