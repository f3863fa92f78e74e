import type { RemotingChannel } from '@rocketts/client';
import { isOneway, RemotingFlag, type RemotingCommand } from '@rocketts/protocol';

/** Send `response` to `request` later (parked pulls, stored sends): its opaque, the response bit; nothing for one-way requests. */
export function respond(channel: RemotingChannel, request: RemotingCommand, response: RemotingCommand): void {
  if (isOneway(request)) {
    response.onWritten?.();
    return;
  }
  response.opaque = request.opaque;
  response.flag |= RemotingFlag.RESPONSE;
  channel.send(response);
}
