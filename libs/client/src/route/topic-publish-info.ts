import { isReadable, isWriteable, type MessageQueue, type TopicRouteData } from '@rocketts/protocol';

/** brokerId of a master in BrokerData.brokerAddrs (MixAll.MASTER_ID). */
export const MASTER_ID = 0;

/**
 * The queues a producer may send to, and the round-robin position over them (TopicPublishInfo.java).
 * The position starts at a random index so producers that start together spread their load.
 */
export class TopicPublishInfo {
  private sendWhichQueue: number;

  constructor(
    readonly topic: string,
    /** Publish queues in route order: brokers by name, queue ids ascending (§6.1). */
    readonly messageQueues: readonly MessageQueue[],
    /** True when the route carries orderTopicConf: queues then come from it, not from queueDatas. */
    readonly orderTopic: boolean,
  ) {
    this.sendWhichQueue = Math.floor(Math.random() * 0x7fffffff);
  }

  get ok(): boolean {
    return this.messageQueues.length > 0;
  }

  /**
   * Next queue round-robin, skipping queues of `lastBrokerName` (the broker that failed the previous
   * attempt) when another broker has one (TopicPublishInfo.selectOneMessageQueue(lastBrokerName)).
   */
  selectOneMessageQueue(lastBrokerName?: string): MessageQueue | undefined {
    const n = this.messageQueues.length;
    if (n === 0) return undefined;
    if (lastBrokerName !== undefined) {
      for (let i = 0; i < n; i++) {
        const mq = this.messageQueues[this.nextIndex() % n] as MessageQueue;
        if (mq.brokerName !== lastBrokerName) return mq;
      }
    }
    return this.messageQueues[this.nextIndex() % n];
  }

  /**
   * The first queue that `accept` takes, scanning round-robin from the next position; undefined when it
   * takes none (TopicPublishInfo.selectOneMessageQueue(QueueFilter...), 5.x: one step per call).
   */
  selectOneMessageQueueWhere(accept: (mq: MessageQueue) => boolean): MessageQueue | undefined {
    const n = this.messageQueues.length;
    const start = this.nextIndex();
    for (let i = 0; i < n; i++) {
      const mq = this.messageQueues[(start + i) % n] as MessageQueue;
      if (accept(mq)) return mq;
    }
    return undefined;
  }

  private nextIndex(): number {
    this.sendWhichQueue = (this.sendWhichQueue + 1) & 0x7fffffff;
    return this.sendWhichQueue;
  }
}

/**
 * Publish queues of a route (as MQClientInstance.topicRouteData2TopicPublishInfo): from orderTopicConf
 * ("brokerName:queueNums;…") when present, else for each QueueData sorted by brokerName that is writable
 * and whose broker has a master, queues 0…writeQueueNums−1.
 */
export function topicRouteToPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const queues: MessageQueue[] = [];
  if (route.orderTopicConf) {
    for (const entry of route.orderTopicConf.split(';')) {
      const [brokerName, nums] = entry.split(':');
      const n = Number(nums);
      if (!brokerName || !Number.isInteger(n)) continue;
      for (let queueId = 0; queueId < n; queueId++) queues.push({ topic, brokerName, queueId });
    }
    return new TopicPublishInfo(topic, queues, true);
  }
  const sorted = [...route.queueDatas].sort((a, b) => compareStrings(a.brokerName, b.brokerName));
  for (const qd of sorted) {
    if (!isWriteable(qd.perm)) continue;
    const broker = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (!broker || !broker.brokerAddrs.has(MASTER_ID)) continue;
    for (let queueId = 0; queueId < qd.writeQueueNums; queueId++)
      queues.push({ topic, brokerName: qd.brokerName, queueId });
  }
  return new TopicPublishInfo(topic, queues, false);
}

/**
 * Subscribe queues of a route (as MQClientInstance.topicRouteData2TopicSubscribeInfo): for each readable
 * QueueData, queues 0…readQueueNums−1, whether or not the broker has a master; sorted like
 * MessageQueue.compareTo (brokerName, then queueId).
 */
export function topicRouteToSubscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!isReadable(qd.perm)) continue;
    for (let queueId = 0; queueId < qd.readQueueNums; queueId++)
      queues.push({ topic, brokerName: qd.brokerName, queueId });
  }
  return queues.sort((a, b) => compareStrings(a.brokerName, b.brokerName) || a.queueId - b.queueId);
}

/** Java String.compareTo order (UTF-16 code units), which JS `<` also uses. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A copy of `route` whose queues are capped at `queueNums` (as MQClientInstance.updateTopicRouteInfoFromNameServer
 * with isDefault): used when a topic has no route yet and the auto-create topic's route stands in for it.
 */
export function capRouteQueues(route: TopicRouteData, queueNums: number): TopicRouteData {
  return {
    ...route,
    queueDatas: route.queueDatas.map((qd) => {
      const n = Math.min(queueNums, qd.readQueueNums);
      return { ...qd, readQueueNums: n, writeQueueNums: n };
    }),
  };
}
