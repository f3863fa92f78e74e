import type { Socket } from 'node:net';
import {
  DEFAULT_MAX_FRAME_LENGTH,
  encodeFrame,
  FrameDecoder,
  type FrameReader,
  isResponse,
  RemotingConnectError,
  RemotingFlag,
  RemotingTimeoutError,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { Logger } from '../logger';
import { IntKeyTable } from '../util/int-key-table';

/**
 * One remoting connection, either side. Requests and responses are multiplexed by `opaque`; either
 * peer may send requests (the broker sends CHECK_TRANSACTION_STATE on the client's connection).
 * Processors and consumers depend on this interface, so they can be tested with an in-memory one.
 */
export interface RemotingChannel {
  readonly id: number;
  /** "ip:port" of the peer. */
  readonly remoteAddress: string;
  /** Write a command (a response, or a one-way request) without waiting for an answer. */
  send(cmd: RemotingCommand): void;
  /** Send a request and wait for its response. */
  request(cmd: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  /** Send a one-way request: the peer must not answer. */
  sendOneway(cmd: RemotingCommand): void;
  isActive(): boolean;
  close(reason?: string): void;
  onClose(listener: (reason: string) => void): void;
}

export type RequestHandler = (cmd: RemotingCommand, channel: RemotingChannel) => void;

interface Pending {
  resolve(cmd: RemotingCommand): void;
  reject(err: Error): void;
  deadline: number;
  code: number;
  timeoutMs: number;
}

/** Writes of one tick are joined: up to this many bytes are copied into one buffer, beyond it writev. */
const COALESCE_LIMIT = 256 * 1024; // 256 KiB
/** Parts at least this large are handed to writev as they are rather than copied. */
const WRITE_AS_IS_BYTES = 16 * 1024; // 16 KiB
/** How often pending requests are checked for their deadline (RocketMQ scans its table every 1 s). */
const TIMEOUT_SCAN_INTERVAL_MS = 50;

let nextChannelId = 1;
let opaqueCounter = 1;

/** Process-wide request ids; never 0, which ali-ons treats as "no id". */
export function nextOpaque(): number {
  opaqueCounter = opaqueCounter >= 0x7ffffff0 ? 1 : opaqueCounter + 1;
  return opaqueCounter;
}

export interface SocketChannelOptions {
  logger: Logger;
  onRequest: RequestHandler;
  maxFrameLength?: number;
  /** Bytes queued for a peer that does not read before the connection is closed. */
  maxPendingWriteBytes?: number;
}

/** A peer that lets this much pile up is not reading; holding more only risks the process's memory. */
export const DEFAULT_MAX_PENDING_WRITE_BYTES = 256 * 1024 * 1024; // 256 MiB

function callAll(callbacks: (() => void)[]): void {
  for (const cb of callbacks) cb();
}

export class SocketChannel implements RemotingChannel {
  readonly id = nextChannelId++;
  readonly remoteAddress: string;
  private readonly decoder: FrameDecoder;
  /** opaque → request awaiting its response (not a Map: see IntKeyTable). */
  private readonly pending = new IntKeyTable<Pending>();
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private outbox: Buffer[] = [];
  private outboxBytes = 0;
  /** onWritten callbacks of the commands in `outbox`. */
  private written: (() => void)[] = [];
  private flushScheduled = false;
  private closed = false;
  private timeoutTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: SocketChannelOptions,
  ) {
    const host = socket.remoteAddress ?? 'unknown';
    const plain = host.startsWith('::ffff:') ? host.slice(7) : host;
    this.remoteAddress = plain.includes(':')
      ? `[${plain}]:${socket.remotePort}`
      : `${plain}:${socket.remotePort}`;
    this.decoder = new FrameDecoder(options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close('connection closed by peer'));
  }

  isActive(): boolean {
    return !this.closed;
  }

  send(cmd: RemotingCommand): void {
    if (this.closed) {
      cmd.onWritten?.();
      return;
    }
    for (const b of encodeFrame(cmd)) {
      this.outbox.push(b);
      this.outboxBytes += b.length;
    }
    if (cmd.onWritten) this.written.push(cmd.onWritten);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  request(cmd: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.closed)
      return Promise.reject(new RemotingConnectError(this.remoteAddress, 'connection is closed'));
    cmd.opaque = nextOpaque();
    cmd.flag &= ~RemotingFlag.ONEWAY;
    return new Promise<RemotingCommand>((resolve, reject) => {
      this.pending.set(cmd.opaque, {
        resolve,
        reject,
        deadline: Date.now() + timeoutMs,
        code: cmd.code,
        timeoutMs,
      });
      this.ensureTimeoutScan();
      this.send(cmd);
    });
  }

  sendOneway(cmd: RemotingCommand): void {
    cmd.opaque = nextOpaque();
    cmd.flag |= RemotingFlag.ONEWAY;
    this.send(cmd);
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener('already closed');
    else this.closeListeners.push(listener);
  }

  close(reason = 'closed locally'): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.flush();
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    const err = new RemotingConnectError(
      this.remoteAddress,
      `connection closed before the response arrived (${reason})`,
    );
    for (const p of this.pending.valueList()) p.reject(err);
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  /** Bytes from a 'data' event. The chunk is kept (partial frames, bodies of decoded commands). */
  receive(chunk: Buffer): void {
    let cmds: RemotingCommand[];
    try {
      cmds = this.decoder.push(chunk);
    } catch (err) {
      return this.closeMalformed(err as Error);
    }
    this.dispatch(cmds);
  }

  /**
   * `n` bytes read by the owner of a socket that reads into memory it chooses (`onread`, no 'data'
   * events) through `reader`; decoded here so a malformed frame closes this connection.
   */
  receiveRead(reader: FrameReader, n: number): void {
    let cmds: RemotingCommand[];
    try {
      cmds = reader.onRead(n);
    } catch (err) {
      return this.closeMalformed(err as Error);
    }
    this.dispatch(cmds);
  }

  private closeMalformed(err: Error): void {
    this.options.logger.warn('malformed frame, closing connection', {
      remote: this.remoteAddress,
      reason: err.message,
    });
    this.close(`malformed frame: ${err.message}`);
  }

  private dispatch(cmds: RemotingCommand[]): void {
    for (const cmd of cmds) {
      if (isResponse(cmd)) {
        const p = this.pending.get(cmd.opaque);
        if (p) {
          this.pending.delete(cmd.opaque);
          p.resolve(cmd);
        }
      } else {
        this.options.onRequest(cmd, this);
      }
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const written = this.written;
    if (written.length > 0) this.written = [];
    if (this.outbox.length === 0 || this.socket.destroyed) {
      this.outbox = [];
      this.outboxBytes = 0;
      callAll(written);
      return;
    }
    const limit = this.options.maxPendingWriteBytes ?? DEFAULT_MAX_PENDING_WRITE_BYTES;
    if (this.socket.writableLength + this.outboxBytes > limit) {
      const queued = this.socket.writableLength + this.outboxBytes;
      this.outbox = [];
      this.outboxBytes = 0;
      callAll(written);
      this.options.logger.warn('peer does not read its responses, closing connection', {
        remote: this.remoteAddress,
        queued,
      });
      this.close(`peer is not reading: ${queued} bytes queued`);
      return;
    }
    const parts = this.outbox;
    const bytes = this.outboxBytes;
    this.outbox = [];
    this.outboxBytes = 0;
    // The stream calls a write's callback once its bytes are in the kernel, or with an error when the
    // socket is destroyed first; either way the buffers are free again. Earlier writes finish first.
    const done = written.length > 0 ? (): void => callAll(written) : undefined;
    if (parts.length === 1) this.socket.write(parts[0] as Buffer, done);
    else if (bytes <= COALESCE_LIMIT && parts.every((p) => p.length < WRITE_AS_IS_BYTES)) {
      this.socket.write(Buffer.concat(parts, bytes), done);
    } else {
      // Small parts (headers, short responses) are joined; large ones (pull bodies) go as they are:
      // one writev either way, and no large copy.
      const chunks: Buffer[] = [];
      let run: Buffer[] = [];
      for (const p of parts) {
        if (p.length < WRITE_AS_IS_BYTES) {
          run.push(p);
          continue;
        }
        if (run.length > 0) chunks.push(run.length === 1 ? (run[0] as Buffer) : Buffer.concat(run));
        run = [];
        chunks.push(p);
      }
      if (run.length > 0) chunks.push(run.length === 1 ? (run[0] as Buffer) : Buffer.concat(run));
      this.socket.cork();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(chunks[i] as Buffer);
      this.socket.write(chunks[last] as Buffer, done);
      this.socket.uncork();
    }
  }

  private ensureTimeoutScan(): void {
    if (this.timeoutTimer) return;
    this.timeoutTimer = setInterval(() => this.scanTimeouts(), TIMEOUT_SCAN_INTERVAL_MS);
    this.timeoutTimer.unref();
  }

  private scanTimeouts(): void {
    if (this.pending.size === 0) {
      clearInterval(this.timeoutTimer);
      this.timeoutTimer = undefined;
      return;
    }
    const now = Date.now();
    this.pending.forEach((p, opaque) => {
      if (p.deadline <= now) {
        this.pending.delete(opaque);
        p.reject(new RemotingTimeoutError(this.remoteAddress, opaque, p.timeoutMs, p.code));
      }
    });
  }
}
