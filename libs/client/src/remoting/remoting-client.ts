import { connect } from 'node:net';
import {
  parseAddress,
  RemotingConnectError,
  RequestCode,
  requestCodeName,
  ResponseCode,
  createResponse,
  FrameReader,
  isOneway,
  type RemotingCommand,
} from '@rocketts/protocol';
import { createLogger, type Logger } from '../logger';
import { SocketChannel, type RemotingChannel } from './socket-channel';

/** Per-connection read buffer: a pull response (32 × 1 KiB records) arrives in one or two reads. */
const READ_BUFFER_BYTES = 128 * 1024; // 128 KiB

/** Answers a request the server sends on our connection (CHECK_TRANSACTION_STATE, NOTIFY_…). */
export type ClientRequestProcessor = (
  cmd: RemotingCommand,
  channel: RemotingChannel,
) => RemotingCommand | undefined | Promise<RemotingCommand | undefined>;

export interface RemotingClientOptions {
  logger?: Logger;
  /** Time to establish a TCP connection. */
  connectTimeoutMs?: number;
  maxFrameLength?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3000; // as NettyClientConfig.connectTimeoutMillis

/**
 * One connection per address, created on first use and again after it breaks; requests multiplexed
 * on it by opaque (NettyRemotingClient).
 */
export class RemotingClient {
  private readonly channels = new Map<string, Promise<SocketChannel>>();
  /** The same connections once established, for synchronous use. */
  private readonly connected = new Map<string, SocketChannel>();
  private readonly processors = new Map<number, ClientRequestProcessor>();
  private readonly logger: Logger;
  private readonly connectTimeoutMs: number;
  private closed = false;

  constructor(private readonly options: RemotingClientOptions = {}) {
    this.logger = options.logger ?? createLogger('remoting-client');
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  registerProcessor(code: number, processor: ClientRequestProcessor): void {
    this.processors.set(code, processor);
  }

  invoke(addr: string, cmd: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    // An open connection is used at once: no promise hop per request on the hot path.
    const open = this.connected.get(addr);
    if (open && open.isActive()) return open.request(cmd, timeoutMs);
    return this.getChannel(addr).then((channel) => channel.request(cmd, timeoutMs));
  }

  async invokeOneway(addr: string, cmd: RemotingCommand): Promise<void> {
    const channel = await this.getChannel(addr);
    channel.sendOneway(cmd);
  }

  getChannel(addr: string): Promise<SocketChannel> {
    if (this.closed) return Promise.reject(new RemotingConnectError(addr, 'client is shut down'));
    let ch = this.channels.get(addr);
    if (!ch) {
      const created = this.connect(addr);
      const forget = (): void => {
        if (this.channels.get(addr) === created) {
          this.channels.delete(addr);
          this.connected.delete(addr);
        }
      };
      created.then((c) => {
        this.connected.set(addr, c);
        c.onClose(forget);
      }, forget);
      this.channels.set(addr, created);
      ch = created;
    }
    return ch;
  }

  /** Close the connection to `addr`; the next call reconnects. */
  closeChannel(addr: string): void {
    const ch = this.channels.get(addr);
    this.channels.delete(addr);
    this.connected.delete(addr);
    ch?.then((c) => c.close('closed by client')).catch(() => undefined);
  }

  shutdown(): void {
    this.closed = true;
    for (const addr of [...this.channels.keys()]) this.closeChannel(addr);
  }

  private connect(addr: string): Promise<SocketChannel> {
    return new Promise((resolve, reject) => {
      let host: string;
      let port: number;
      try {
        ({ host, port } = parseAddress(addr));
      } catch (err) {
        reject(new RemotingConnectError(addr, (err as Error).message, err));
        return;
      }
      // Reads land in a per-connection scratch buffer, or straight in the buffer of a large frame once
      // its length is known (FrameReader): each byte is allocated and copied once. Node's default
      // allocates 64 KiB per read, and a consumer pulling 300 MiB/s then allocates every byte twice;
      // that external memory drives V8 into full collections.
      const reader = new FrameReader(READ_BUFFER_BYTES, this.options.maxFrameLength);
      let channel: SocketChannel | undefined;
      const socket = connect({
        host,
        port,
        onread: {
          buffer: () => reader.nextBuffer(),
          callback: (n: number): boolean => {
            // 'connect' (which creates the channel) is emitted before the first read.
            if (channel) channel.receiveRead(reader, n);
            else socket.destroy(new Error('data before connect'));
            return true; // keep reading
          },
        },
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RemotingConnectError(addr, `connect timed out after ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new RemotingConnectError(addr, `connect failed: ${err.message}`, err));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        const ch = new SocketChannel(socket, {
          logger: this.logger,
          maxFrameLength: this.options.maxFrameLength,
          onRequest: (cmd, c) => this.onServerRequest(cmd, c),
        });
        channel = ch;
        ch.onClose((reason) => this.logger.debug('connection closed', { addr, reason }));
        resolve(ch);
      });
    });
  }

  private onServerRequest(cmd: RemotingCommand, channel: RemotingChannel): void {
    const processor = this.processors.get(cmd.code);
    if (!processor) {
      if (cmd.code !== RequestCode.NOTIFY_CONSUMER_IDS_CHANGED) {
        this.logger.debug('no processor for server request', {
          code: requestCodeName(cmd.code),
          remote: channel.remoteAddress,
        });
      }
      if (!isOneway(cmd)) {
        channel.send(
          createResponse(
            cmd,
            ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
            ` request type ${cmd.code} not supported`,
          ),
        );
      }
      return;
    }
    Promise.resolve()
      .then(() => processor(cmd, channel))
      .then((resp) => {
        if (resp && !isOneway(cmd)) channel.send(resp);
      })
      .catch((err: Error) => {
        this.logger.warn('server request failed', { code: requestCodeName(cmd.code), error: err });
        if (!isOneway(cmd)) channel.send(createResponse(cmd, ResponseCode.SYSTEM_ERROR, err.message));
      });
  }
}
