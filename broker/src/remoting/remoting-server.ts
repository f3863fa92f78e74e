import { createServer, type Server, type Socket } from 'node:net';
import { SocketChannel, type Logger, type RemotingChannel } from '@rocketts/client';
import {
  createResponse,
  ProtocolError,
  requestCodeName,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { ProcessorTable } from './request-processor';
import { respond } from './respond';

export interface RemotingServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  table: ProcessorTable;
  logger: Logger;
  maxFrameLength?: number;
  /** Close a connection with no traffic either way for this long (serverChannelMaxIdleTimeSeconds). */
  idleTimeoutMs?: number;
}

export const DEFAULT_SERVER_IDLE_TIMEOUT_MS = 120_000; // 120 s, as NettyServerConfig

/** TCP listener: one SocketChannel per connection, requests dispatched through the ProcessorTable. */
export class RemotingServer {
  private server: Server | undefined;
  private readonly channels = new Set<SocketChannel>();
  private readonly closeListeners: ((channel: RemotingChannel) => void)[] = [];
  private boundPort = 0;

  constructor(private readonly options: RemotingServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  get connectionCount(): number {
    return this.channels.size;
  }

  onChannelClose(listener: (channel: RemotingChannel) => void): void {
    this.closeListeners.push(listener);
  }

  start(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        const addr = server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.options.port;
        resolve(this.boundPort);
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const ch of this.channels) ch.close('server shutting down');
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const channel = new SocketChannel(socket, {
      logger: this.options.logger,
      maxFrameLength: this.options.maxFrameLength,
      onRequest: (cmd, ch) => this.dispatch(cmd, ch),
    });
    this.channels.add(channel);
    const idle = this.options.idleTimeoutMs ?? DEFAULT_SERVER_IDLE_TIMEOUT_MS;
    if (idle > 0) {
      socket.setTimeout(idle, () => channel.close(`idle for ${idle} ms`));
    }
    channel.onClose((reason) => {
      this.channels.delete(channel);
      this.options.logger.debug('channel closed', { remote: channel.remoteAddress, reason });
      for (const l of this.closeListeners) l(channel);
    });
  }

  private dispatch(cmd: RemotingCommand, channel: RemotingChannel): void {
    const processor = this.options.table.get(cmd.code);
    if (!processor) {
      this.reply(
        cmd,
        channel,
        createResponse(
          cmd,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${cmd.code} not supported`,
        ),
      );
      return;
    }
    let result: RemotingCommand | null | Promise<RemotingCommand | null>;
    try {
      result = processor.process(cmd, channel);
    } catch (err) {
      this.fail(cmd, channel, err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (resp) => this.reply(cmd, channel, resp),
        (err: unknown) => this.fail(cmd, channel, err),
      );
    } else {
      this.reply(cmd, channel, result);
    }
  }

  private reply(cmd: RemotingCommand, channel: RemotingChannel, resp: RemotingCommand | null): void {
    if (resp) respond(channel, cmd, resp);
  }

  /** Java answers an exception with SYSTEM_ERROR and its text; a bad header is the client's fault, logged at debug. */
  private fail(cmd: RemotingCommand, channel: RemotingChannel, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const fields = { code: requestCodeName(cmd.code), remote: channel.remoteAddress, error: e };
    if (e instanceof ProtocolError) this.options.logger.debug('bad request', fields);
    else this.options.logger.error('request failed', fields);
    this.reply(cmd, channel, createResponse(cmd, ResponseCode.SYSTEM_ERROR, e.message));
  }
}
