import { createRequest, type RemotingCommand } from '@rocketts/protocol';
import type { Logger } from '../logger';
import { RemotingClient } from '../remoting';
import type { ClientConfig } from '../options/client-options';
import { NameServerClient } from '../route/namesrv-client';
import { TopicRouteCache } from '../route/topic-route-cache';
import { buildClientId } from './client-id';
import { expectResponse } from './response';

/**
 * The plumbing one producer, consumer or admin owns: connections, name-server access, the route cache
 * and the client id (a slim MQClientInstance; each client object has its own, so shutting one down
 * never affects another).
 */
export class ClientInstance {
  readonly clientId: string;
  readonly remoting: RemotingClient;
  readonly namesrv: NameServerClient;
  readonly routes: TopicRouteCache;
  readonly logger: Logger;

  constructor(readonly config: ClientConfig) {
    this.logger = config.logger;
    this.clientId = buildClientId(config.clientIP, config.instanceName);
    this.remoting = new RemotingClient({ logger: config.logger.child('remoting') });
    this.namesrv = new NameServerClient(this.remoting, config.namesrvAddrs, {
      timeoutMs: config.requestTimeoutMs,
      serializeType: config.serializeType,
      logger: config.logger.child('namesrv'),
    });
    this.routes = new TopicRouteCache(this.namesrv, {
      logger: config.logger.child('route'),
      pollIntervalMs: config.pollNameServerIntervalMs,
    });
  }

  /** A request in this client's serialize type. */
  request(code: number, extFields?: Record<string, string>, body?: Buffer): RemotingCommand {
    return createRequest(code, extFields, body, this.config.serializeType);
  }

  /** Send a request to a broker; a response code outside `accepted` is thrown as a ResponseError. */
  async invoke(
    addr: string,
    cmd: RemotingCommand,
    timeoutMs: number = this.config.requestTimeoutMs,
    accepted?: readonly number[],
  ): Promise<RemotingCommand> {
    const resp = await this.remoting.invoke(addr, cmd, timeoutMs);
    return expectResponse(resp, addr, cmd.code, accepted);
  }

  /** Start background route refresh. */
  startPolling(): void {
    this.routes.start();
  }

  /** Stop timers and close every connection. */
  shutdown(): void {
    this.routes.stop();
    this.remoting.shutdown();
  }
}
