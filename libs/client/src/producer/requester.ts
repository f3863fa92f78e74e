import {
  createResponse,
  MessageProperty,
  replyTopicOf,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerHeartbeat } from '../client/broker-heartbeat';
import type { ClientInstance } from '../client/client-instance';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import type { Logger } from '../logger';
import { MASTER_ID } from '../route/topic-publish-info';
import type { TopicRouteEntry } from '../route/topic-route-cache';
import { decodePushedReply, type ReplyMessage } from './reply-message';

interface Pending {
  resolve(reply: ReplyMessage): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

/** A request waiting for its reply. */
export interface AwaitedReply {
  /** Settles with the reply, a RequestTimeoutError, or the error given to `fail`. */
  readonly promise: Promise<ReplyMessage>;
  /** The request could not be sent: reject with this error now. */
  fail(err: unknown): void;
}

/**
 * The requester side of request-reply: the table of requests awaiting a reply by correlation id
 * (RequestFutureHolder), answering PUSH_REPLY_MESSAGE_TO_CLIENT (ClientRemotingProcessor.receiveReplyMessage),
 * and making sure brokers know this client before it asks. Each request has its own timer instead of
 * Java's 1 s scan, so a timeout fires on time.
 */
export class Requester {
  private readonly pending = new Map<string, Pending>();
  /** Topics whose brokers (and their clusters' reply topic brokers) were heartbeated once. */
  private readonly reachable = new Set<string>();
  private readonly logger: Logger;

  constructor(
    private readonly instance: ClientInstance,
    private readonly heartbeat: BrokerHeartbeat,
  ) {
    this.logger = instance.logger;
    instance.remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (cmd) => this.onReply(cmd));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Before the first request to `topic`: heartbeat the masters of its route and of the reply topic of each
   * of its clusters, and wait for the answers. A reply reaches us only through a broker that has this
   * client's id on a connection, and the replier may send it to any broker of the cluster.
   */
  async ensureReachable(entry: TopicRouteEntry): Promise<void> {
    if (this.reachable.has(entry.topic)) return;
    const addrs = new Set<string>();
    const clusters = new Set<string>();
    const addMasters = (e: TopicRouteEntry): void => {
      for (const bd of e.route.brokerDatas) {
        const master = bd.brokerAddrs.get(MASTER_ID);
        if (master) addrs.add(master);
        if (bd.cluster) clusters.add(bd.cluster);
      }
    };
    addMasters(entry);
    for (const cluster of clusters) {
      try {
        addMasters(await this.instance.routes.get(replyTopicOf(cluster)));
      } catch (err) {
        this.logger.debug('no route for the reply topic', { cluster, error: err });
      }
    }
    await this.heartbeat.ensure([...addrs]);
    this.reachable.add(entry.topic);
  }

  /** Register a request before it is sent; it times out after `waitMs` with a RequestTimeoutError. */
  expect(correlationId: string, topic: string, timeoutMs: number, waitMs: number): AwaitedReply {
    let pending!: Pending;
    const promise = new Promise<ReplyMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(correlationId, new RequestTimeoutError(correlationId, topic, timeoutMs)),
        Math.max(0, waitMs),
      );
      pending = { resolve, reject, timer };
    });
    // The caller awaits it only after the send; mark it handled so an early timeout is not "unhandled".
    promise.catch(() => undefined);
    this.pending.set(correlationId, pending);
    return { promise, fail: (err) => this.settle(correlationId, err) };
  }

  /** Reject every waiting request (producer shutdown). */
  rejectAll(err: unknown): void {
    for (const id of [...this.pending.keys()]) this.settle(id, err);
  }

  private settle(correlationId: string, outcome: unknown): void {
    const p = this.pending.get(correlationId);
    if (!p) return;
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    p.reject(outcome);
  }

  private onReply(cmd: RemotingCommand): RemotingCommand {
    let reply: ReplyMessage;
    try {
      reply = decodePushedReply(cmd);
    } catch (err) {
      this.logger.warn('undecodable reply message', { error: err });
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, 'process reply message fail');
    }
    const p = this.pending.get(reply.correlationId);
    if (p) {
      this.pending.delete(reply.correlationId);
      clearTimeout(p.timer);
      p.resolve(reply);
    } else {
      // Late (after its timeout) or meant for another process that shares our client id.
      this.logger.warn('reply matches no waiting request', {
        correlationId: reply.properties[MessageProperty.CORRELATION_ID],
        bornHost: reply.bornHost,
      });
    }
    return createResponse(cmd, ResponseCode.SUCCESS);
  }
}
