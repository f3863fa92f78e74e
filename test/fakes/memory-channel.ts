import type { RemotingChannel } from '@rocketts/client';
import type { RemotingCommand } from '@rocketts/protocol';

/**
 * An in-memory RemotingChannel for processor specs: records what is sent to it, answers requests
 * with `respond` (or rejects), and can be closed like a real connection.
 */
export class MemoryChannel implements RemotingChannel {
  private static nextId = 1;
  readonly id = MemoryChannel.nextId++;
  readonly sent: RemotingCommand[] = [];
  readonly oneways: RemotingCommand[] = [];
  /** Why the channel was closed, once it is. */
  closedReason: string | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    readonly remoteAddress = '127.0.0.1:50000',
    private readonly respond?: (cmd: RemotingCommand) => RemotingCommand,
  ) {}

  send(cmd: RemotingCommand): void {
    this.sent.push(cmd);
  }

  sendOneway(cmd: RemotingCommand): void {
    this.oneways.push(cmd);
  }

  request(cmd: RemotingCommand): Promise<RemotingCommand> {
    return this.respond
      ? Promise.resolve(this.respond(cmd))
      : Promise.reject(new Error('MemoryChannel: no responder'));
  }

  isActive(): boolean {
    return this.closedReason === undefined;
  }

  close(reason = 'closed'): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }
}
