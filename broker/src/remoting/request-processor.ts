import type { RemotingChannel } from '@rocketts/client';
import type { RemotingCommand } from '@rocketts/protocol';

/**
 * Handles one request family. Returns the response, or null when no response is due now: a parked
 * long-poll answers later through the channel, a one-way request never does.
 */
export interface RequestProcessor {
  process(
    cmd: RemotingCommand,
    channel: RemotingChannel,
  ): RemotingCommand | null | Promise<RemotingCommand | null>;
}

/** Code → processor, filled by the composition root; the server looks requests up here. */
export class ProcessorTable {
  private readonly table = new Map<number, RequestProcessor>();

  register(codes: readonly number[], processor: RequestProcessor): this {
    for (const code of codes) {
      if (this.table.has(code)) throw new Error(`request code ${code} registered twice`);
      this.table.set(code, processor);
    }
    return this;
  }

  get(code: number): RequestProcessor | undefined {
    return this.table.get(code);
  }

  codes(): number[] {
    return [...this.table.keys()];
  }
}
