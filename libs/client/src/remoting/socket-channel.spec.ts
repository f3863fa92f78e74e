import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequest, RemotingConnectError, RemotingTimeoutError } from '@rocketts/protocol';
import { silentLogger } from '../logger';
import { SocketChannel } from './socket-channel';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A connected pair: our channel on one side, a raw socket (the peer) on the other. */
async function pair(maxPendingWriteBytes?: number): Promise<{ channel: SocketChannel; peer: Socket }> {
  let peer: Socket | undefined;
  const server = createServer((s) => (peer = s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => socket.once('connect', r));
  while (!peer) await new Promise((r) => setTimeout(r, 5));
  const channel = new SocketChannel(socket, {
    logger: silentLogger,
    onRequest: () => undefined,
    maxPendingWriteBytes,
  });
  return { channel, peer };
}

describe('SocketChannel', () => {
  it('closes the connection of a peer that stops reading instead of queueing without bound', async () => {
    const { channel, peer } = await pair(1024 * 1024);
    peer.pause();
    const closed = new Promise<string>((r) => channel.onClose(r));
    const body = Buffer.alloc(256 * 1024);
    for (let i = 0; i < 200 && channel.isActive(); i++) {
      channel.send(createRequest(10, undefined, body));
      await new Promise((r) => setImmediate(r));
    }
    expect(await closed).toMatch(/peer is not reading/);
    peer.destroy();
  });

  it('reports when a frame is written, also when the connection closes before it could be', async () => {
    const { channel, peer } = await pair();
    const frame = (onWritten: () => void) => {
      const cmd = createRequest(10);
      cmd.bodyParts = [Buffer.alloc(64 * 1024, 1), Buffer.alloc(64 * 1024, 2)];
      cmd.onWritten = onWritten;
      return cmd;
    };
    let received = 0;
    peer.on('data', (d: Buffer) => (received += d.length));
    let written = 0;
    channel.send(frame(() => written++));
    channel.send(frame(() => written++));
    await vi.waitFor(() => expect(written).toBe(2));
    await vi.waitFor(() => expect(received).toBeGreaterThanOrEqual(2 * 128 * 1024));

    // A peer that does not read: frames stay queued in the socket until the connection goes.
    peer.pause();
    let queued = 0;
    let released = 0;
    while (queued - released < 4 && queued < 2000) {
      channel.send(frame(() => released++));
      queued++;
      await new Promise((r) => setImmediate(r));
    }
    expect(released).toBeLessThan(queued);
    channel.close('test');
    await vi.waitFor(() => expect(released).toBe(queued), { timeout: 3000 });
    let late = false;
    channel.send(frame(() => (late = true)));
    expect(late).toBe(true);
    peer.destroy();
  });

  it('rejects pending requests when the connection closes, and times out unanswered ones', async () => {
    const { channel, peer } = await pair();
    const late = channel.request(createRequest(11), 100);
    await expect(late).rejects.toBeInstanceOf(RemotingTimeoutError);
    const pending = channel.request(createRequest(11), 5000);
    peer.destroy();
    await expect(pending).rejects.toBeInstanceOf(RemotingConnectError);
    expect(channel.isActive()).toBe(false);
  });
});
