import {
  isResponseCode,
  ResponseCode,
  stringifyJavaJson,
  type MessageQueue,
  type TopicRouteData,
} from '@rocketts/protocol';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import type { Logger } from '../logger';
import type { NameServerClient } from './namesrv-client';
import {
  capRouteQueues,
  MASTER_ID,
  topicRouteToPublishInfo,
  topicRouteToSubscribeQueues,
  type TopicPublishInfo,
} from './topic-publish-info';

/** What the client knows about one topic, derived once per route change. */
export interface TopicRouteEntry {
  readonly topic: string;
  readonly route: TopicRouteData;
  readonly publishInfo: TopicPublishInfo;
  /** Readable queues, sorted as MessageQueue.compareTo. */
  readonly subscribeQueues: readonly MessageQueue[];
  /** The name server had no route: this one is the auto-create topic's route standing in for it. */
  readonly fromDefaultTopic: boolean;
}

/** Where to look when the name server has no route for a topic a producer sends to (TBW102). */
export interface DefaultTopicFallback {
  topic: string;
  /** Queues per broker to assume (DefaultMQProducer.defaultTopicQueueNums). */
  queueNums: number;
}

export interface TopicRouteCacheOptions {
  logger: Logger;
  /** Period of the background refresh of every cached topic. */
  pollIntervalMs: number;
}

/**
 * Topic → route, publish queues and subscribe queues, plus broker name → addresses
 * (MQClientInstance's topicRouteTable, topicPublishInfoTable and brokerAddrTable). Routes are fetched on
 * first use, on demand, and every `pollIntervalMs` while started; concurrent lookups of one topic share
 * one request. A failed background refresh keeps the previous route (as updateTopicRouteInfoFromNameServer).
 */
export class TopicRouteCache {
  private readonly entries = new Map<string, TopicRouteEntry>();
  private readonly fingerprints = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<TopicRouteEntry>>();
  private brokerAddrs = new Map<string, Map<number, string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly namesrv: NameServerClient,
    private readonly options: TopicRouteCacheOptions,
  ) {}

  /** The cached entry, or a fresh one from the name server. */
  async get(topic: string, fallback?: DefaultTopicFallback): Promise<TopicRouteEntry> {
    return this.entries.get(topic) ?? this.refresh(topic, fallback);
  }

  /** A cached entry whose publish queues are usable, else a fresh lookup (as tryToFindTopicPublishInfo). */
  async getForPublish(topic: string, fallback?: DefaultTopicFallback): Promise<TopicRouteEntry> {
    const cached = this.entries.get(topic);
    return cached && cached.publishInfo.ok ? cached : this.refresh(topic, fallback);
  }

  peek(topic: string): TopicRouteEntry | undefined {
    return this.entries.get(topic);
  }

  topics(): string[] {
    return [...this.entries.keys()];
  }

  /** Fetch the route of `topic` now; shares a lookup already under way. */
  refresh(topic: string, fallback?: DefaultTopicFallback): Promise<TopicRouteEntry> {
    let p = this.inflight.get(topic);
    if (!p) {
      p = this.fetch(topic, fallback).finally(() => this.inflight.delete(topic));
      this.inflight.set(topic, p);
    }
    return p;
  }

  /**
   * `find()` now, or after reading the route of `topic` again once (the broker may be new to this
   * client); BROKER_NOT_FOUND naming `what` when it is still unknown.
   */
  async resolveAddr(
    topic: string,
    brokerName: string,
    find: () => string | undefined,
    what: string,
    fallback?: DefaultTopicFallback,
  ): Promise<string> {
    let addr = find();
    if (!addr) {
      await this.refresh(topic, fallback);
      addr = find();
    }
    if (!addr)
      throw new MQClientError(
        MQClientErrorCode.BROKER_NOT_FOUND,
        `broker ${brokerName} has no known ${what}`,
      );
    return addr;
  }

  findBrokerAddr(brokerName: string, brokerId: number = MASTER_ID): string | undefined {
    return this.brokerAddrs.get(brokerName)?.get(brokerId);
  }

  findMasterAddr(brokerName: string): string | undefined {
    return this.findBrokerAddr(brokerName, MASTER_ID);
  }

  /** Master, else the slave with the lowest id (as MQClientInstance.findBrokerAddressInAdmin). */
  findAnyAddr(brokerName: string): string | undefined {
    const addrs = this.brokerAddrs.get(brokerName);
    if (!addrs) return undefined;
    const master = addrs.get(MASTER_ID);
    if (master) return master;
    const ids = [...addrs.keys()].sort((a, b) => a - b);
    return ids.length > 0 ? addrs.get(ids[0] as number) : undefined;
  }

  /** Master addresses of every broker in a cached route. */
  masterAddrs(): string[] {
    const out: string[] = [];
    for (const addrs of this.brokerAddrs.values()) {
      const m = addrs.get(MASTER_ID);
      if (m) out.push(m);
    }
    return out;
  }

  /** Refresh every cached topic every `pollIntervalMs` (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refreshAll(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of the background refresh (MQClientInstance.updateTopicRouteInfoFromNameServer). */
  async refreshAll(): Promise<void> {
    await Promise.all(
      this.topics().map((topic) =>
        this.refresh(topic).catch((err: unknown) => {
          // A topic still served by the auto-create route has no route of its own yet: expected.
          const expected =
            this.entries.get(topic)?.fromDefaultTopic && isResponseCode(err, ResponseCode.TOPIC_NOT_EXIST);
          const fields = { topic, error: err };
          if (expected) this.options.logger.debug('topic still has no route of its own', fields);
          else this.options.logger.warn('topic route refresh failed, keeping the previous route', fields);
        }),
      ),
    );
  }

  private async fetch(topic: string, fallback: DefaultTopicFallback | undefined): Promise<TopicRouteEntry> {
    let route: TopicRouteData;
    let fromDefaultTopic = false;
    try {
      route = await this.namesrv.getTopicRouteInfo(topic);
    } catch (err) {
      const cached = this.entries.get(topic);
      if (!fallback || !isResponseCode(err, ResponseCode.TOPIC_NOT_EXIST)) throw err;
      if (cached?.fromDefaultTopic) return cached;
      try {
        route = capRouteQueues(await this.namesrv.getTopicRouteInfo(fallback.topic), fallback.queueNums);
      } catch (defaultErr) {
        this.options.logger.debug('no route for the auto-create topic either', {
          topic: fallback.topic,
          error: defaultErr,
        });
        throw err;
      }
      fromDefaultTopic = true;
      this.options.logger.info('topic has no route yet, using the auto-create topic route', {
        topic,
        defaultTopic: fallback.topic,
      });
    }
    return this.store(topic, route, fromDefaultTopic);
  }

  private store(topic: string, route: TopicRouteData, fromDefaultTopic: boolean): TopicRouteEntry {
    const print = `${fromDefaultTopic}|${routeFingerprint(route)}`;
    const cached = this.entries.get(topic);
    if (cached && this.fingerprints.get(topic) === print) return cached;
    const entry: TopicRouteEntry = {
      topic,
      route,
      publishInfo: topicRouteToPublishInfo(topic, route),
      subscribeQueues: topicRouteToSubscribeQueues(topic, route),
      fromDefaultTopic,
    };
    this.entries.set(topic, entry);
    this.fingerprints.set(topic, print);
    if (cached) this.options.logger.info('topic route changed', { topic });
    this.rebuildBrokerAddrs();
    return entry;
  }

  /** Union of the brokers of all cached routes, so brokers no route mentions any more are forgotten. */
  private rebuildBrokerAddrs(): void {
    const next = new Map<string, Map<number, string>>();
    for (const { route } of this.entries.values()) {
      for (const bd of route.brokerDatas) next.set(bd.brokerName, new Map(bd.brokerAddrs));
    }
    this.brokerAddrs = next;
  }
}

/** Order-insensitive text of a route, to tell a changed route from the same one (topicRouteDataIsChange). */
export function routeFingerprint(route: TopicRouteData): string {
  const byName = <T extends { brokerName: string }>(a: T, b: T): number =>
    a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0;
  return stringifyJavaJson({
    orderTopicConf: route.orderTopicConf,
    queueDatas: [...route.queueDatas].sort(byName),
    brokerDatas: [...route.brokerDatas].sort(byName),
  });
}
