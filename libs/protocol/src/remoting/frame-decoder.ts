import { FrameTooLargeError } from '../errors/frame-too-large-error';
import { ProtocolError } from '../errors/protocol-error';
import type { RemotingCommand } from './command';
import { DEFAULT_MAX_FRAME_LENGTH, decodeFramePayload } from './frame-codec';

/**
 * Streaming frame decoder: bytes in any chunking → commands. A partial frame is kept as a list of
 * chunks and joined once when complete, so a large body arriving in many chunks is copied once.
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
        this.needed = frameSizeAt(this.join(), 0, this.maxFrameLength);
      if (this.needed < 0 || this.buffered < this.needed) return out;
      chunk = this.join();
      this.chunks = [];
      this.buffered = 0;
      this.needed = -1;
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

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] as Buffer;
  }
}

/** Whole size (length word included) of the frame whose length word is at `pos`, checked against the cap. */
export function frameSizeAt(buf: Buffer, pos: number, maxFrameLength: number): number {
  const length = buf.readInt32BE(pos);
  if (length < 4) throw new ProtocolError(`frame length ${length} is smaller than the 4-byte header word`);
  if (length + 4 > maxFrameLength) throw new FrameTooLargeError(length + 4, maxFrameLength);
  return length + 4;
}
