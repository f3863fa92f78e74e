import {
  createRequest,
  decodeClusterInfo,
  GetKvConfigResponseHeader,
  isResponseCode,
  KvConfigRequestHeader,
  PutKvConfigRequestHeader,
  ResponseCode,
  decodeTopicList,
  decodeTopicRouteData,
  RemotingConnectError,
  RemotingTimeoutError,
  RequestCode,
  TopicRequestHeader,
  type ClusterInfo,
  type RemotingCommand,
  type SerializeTypeValue,
  type TopicRouteData,
} from '@rocketts/protocol';
import type { Logger } from '../logger';
import type { RemotingClient } from '../remoting';
import { expectResponse } from '../client/response';

export interface NameServerClientOptions {
  /** Per-attempt timeout; a failover attempt gets a fresh one. */
  timeoutMs: number;
  serializeType: SerializeTypeValue;
  logger: Logger;
  /** Index of the name server tried first; random when absent (spreads clients over name servers). */
  firstIndex?: number;
}

/**
 * Requests to the name servers. All requests go to one name server (as NettyRemotingClient's
 * namesrvAddrChoosed, picked at random at first); on a connection error or timeout the same request is
 * tried once on each other name server in turn (as ali-ons does), and the one that answered becomes
 * the current one. An error response is an answer: it is not retried elsewhere.
 */
export class NameServerClient {
  private current: number;

  constructor(
    private readonly remoting: RemotingClient,
    private readonly addrs: readonly string[],
    private readonly options: NameServerClientOptions,
  ) {
    this.current = (options.firstIndex ?? Math.floor(Math.random() * addrs.length)) % addrs.length;
  }

  /** The name server the next request goes to first. */
  get currentAddr(): string {
    return this.addrs[this.current] as string;
  }

  get addresses(): readonly string[] {
    return this.addrs;
  }

  /** Send `cmd`, failing over on transport errors. Resolves with the response and the answering address. */
  async invoke(
    cmd: RemotingCommand,
    timeoutMs = this.options.timeoutMs,
  ): Promise<{ resp: RemotingCommand; addr: string }> {
    let lastErr: unknown;
    for (let i = 0; i < this.addrs.length; i++) {
      const index = (this.current + i) % this.addrs.length;
      const addr = this.addrs[index] as string;
      try {
        const resp = await this.remoting.invoke(addr, cmd, timeoutMs);
        this.current = index;
        return { resp, addr };
      } catch (err) {
        if (!(err instanceof RemotingConnectError || err instanceof RemotingTimeoutError)) throw err;
        lastErr = err;
        // A name server that timed out may hold a half-dead connection: start over next time.
        if (err instanceof RemotingTimeoutError) this.remoting.closeChannel(addr);
        this.options.logger.warn('name server request failed, trying the next one', { addr, error: err });
      }
    }
    throw lastErr;
  }

  /** GET_ROUTEINFO_BY_TOPIC; TOPIC_NOT_EXIST is thrown as a ResponseError with that code. */
  async getTopicRouteInfo(topic: string, timeoutMs?: number): Promise<TopicRouteData> {
    const { resp, addr } = await this.invoke(
      this.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, TopicRequestHeader.encode({ topic })),
      timeoutMs,
    );
    expectResponse(resp, addr, RequestCode.GET_ROUTEINFO_BY_TOPIC);
    return decodeTopicRouteData(resp.body);
  }

  /** GET_BROKER_CLUSTER_INFO: broker names per cluster and addresses per broker name. */
  async getBrokerClusterInfo(timeoutMs?: number): Promise<ClusterInfo> {
    const { resp, addr } = await this.invoke(this.request(RequestCode.GET_BROKER_CLUSTER_INFO), timeoutMs);
    expectResponse(resp, addr, RequestCode.GET_BROKER_CLUSTER_INFO);
    return decodeClusterInfo(resp.body);
  }

  /** GET_ALL_TOPIC_LIST_FROM_NAMESERVER. */
  async getAllTopicList(timeoutMs?: number): Promise<string[]> {
    const { resp, addr } = await this.invoke(
      this.request(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
      timeoutMs,
    );
    expectResponse(resp, addr, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    return decodeTopicList(resp.body);
  }

  /** GET_KV_CONFIG; undefined when the key is not set (QUERY_NOT_FOUND). */
  async getKvConfig(namespace: string, key: string, timeoutMs?: number): Promise<string | undefined> {
    const cmd = this.request(RequestCode.GET_KV_CONFIG, KvConfigRequestHeader.encode({ namespace, key }));
    const { resp, addr } = await this.invoke(cmd, timeoutMs);
    try {
      expectResponse(resp, addr, RequestCode.GET_KV_CONFIG);
    } catch (err) {
      if (isResponseCode(err, ResponseCode.QUERY_NOT_FOUND)) return undefined;
      throw err;
    }
    return GetKvConfigResponseHeader.decode(resp.extFields).value;
  }

  /**
   * PUT_KV_CONFIG to every name server (as MQClientAPIImpl.putKVConfigValue): name servers do not share
   * KV config, so each must hold it. Fails if any of them fails.
   */
  async putKvConfig(
    namespace: string,
    key: string,
    value: string,
    timeoutMs = this.options.timeoutMs,
  ): Promise<void> {
    const ext = PutKvConfigRequestHeader.encode({ namespace, key, value });
    await Promise.all(
      this.addrs.map(async (addr) => {
        const resp = await this.remoting.invoke(
          addr,
          this.request(RequestCode.PUT_KV_CONFIG, ext),
          timeoutMs,
        );
        expectResponse(resp, addr, RequestCode.PUT_KV_CONFIG);
      }),
    );
  }

  private request(code: number, extFields?: Record<string, string>): RemotingCommand {
    return createRequest(code, extFields, undefined, this.options.serializeType);
  }
}
