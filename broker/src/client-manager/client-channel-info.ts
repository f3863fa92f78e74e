import type { RemotingChannel } from '@rocketts/client';

/** One client connection as a group member (ClientChannelInfo.java). */
export interface ClientChannelInfo {
  channel: RemotingChannel;
  clientId: string;
  language: string;
  version: number;
  /** ms of the last heartbeat. */
  lastUpdate: number;
}
