import {
  encodeConsumerIdList,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  UpdateConsumerOffsetRequestHeader,
} from '@rocketts/protocol';
import { afterEach } from 'vitest';
import { silentLogger } from '../../libs/client/src/logger';
import type { MessageListener } from '../../libs/client/src/consumer/push/message-listener';
import { PushConsumer } from '../../libs/client/src/consumer/push/push-consumer';
import type { PushConsumerOptions } from '../../libs/client/src/consumer/push/push-consumer-options';
import { retryTopicOf } from '../../libs/client/src/consumer/push/retry-topic';
import { fakeRoute, respond, type FakeBroker } from './fake-broker';
import { startFakeCluster, type FakeCluster } from './fake-cluster';
import { StoredQueues } from './stored-queues';

export const PUSH_GROUP = 'CG';

/** A fake cluster serving a topic and %RETRY%CG, with a PushConsumer of group CG on it (not started). */
export interface PushSetup {
  c: FakeCluster;
  broker: FakeBroker;
  queues: StoredQueues;
  consumer: PushConsumer;
  topic: string;
  /** Client ids the fake broker lists for the group (ours by default). */
  members: string[];
  /** Offsets the fake broker stores (UPDATE_CONSUMER_OFFSET) and answers (QUERY_CONSUMER_OFFSET), "topic@queueId". */
  offsets: Map<string, number>;
  /** Answer QUERY_NOT_FOUND for queues without a stored offset (a new group); otherwise 0. */
  newGroup: boolean;
  /** commitOffset of every UPDATE_CONSUMER_OFFSET for a queue of the topic, in order. */
  committed(queueId?: number): number[];
}

/** Fixtures for push consumer specs; everything is closed after each test of the calling file. */
export function pushFixture(): {
  setup(
    listener: MessageListener,
    options?: Partial<PushConsumerOptions>,
    queueNums?: number,
  ): Promise<PushSetup>;
} {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    async setup(listener, options = {}, queueNums = 1) {
      const c = await startFakeCluster(1, { queueNums });
      cleanups.push(() => c.close());
      const broker = c.brokers[0] as FakeBroker;
      c.namesrv.setRoute(retryTopicOf(PUSH_GROUP), fakeRoute(c.brokers, { queueNums: 1 }));
      const consumer = new PushConsumer({
        namesrvAddr: c.namesrv.addr,
        consumerGroup: PUSH_GROUP,
        logger: silentLogger,
        persistConsumerOffsetInterval: 100,
        ...options,
      });
      const s: PushSetup = {
        c,
        broker,
        queues: new StoredQueues(broker),
        consumer,
        topic: c.topic,
        members: [consumer.clientId],
        offsets: new Map(),
        newGroup: false,
        committed: (queueId = 0) =>
          broker
            .requestsOf(RequestCode.UPDATE_CONSUMER_OFFSET)
            .map((r) => UpdateConsumerOffsetRequestHeader.decode(r.extFields))
            .filter((h) => h.topic === c.topic && h.queueId === queueId)
            .map((h) => h.commitOffset),
      };
      broker.on(RequestCode.GET_CONSUMER_LIST_BY_GROUP, () =>
        respond(ResponseCode.SUCCESS, undefined, encodeConsumerIdList(s.members)),
      );
      broker.on(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
        const h = UpdateConsumerOffsetRequestHeader.decode(req.extFields);
        s.offsets.set(`${h.topic}@${h.queueId}`, h.commitOffset);
        return respond(ResponseCode.SUCCESS);
      });
      broker.on(RequestCode.QUERY_CONSUMER_OFFSET, (req) => {
        const h = QueryConsumerOffsetRequestHeader.decode(req.extFields);
        const stored = s.offsets.get(`${h.topic}@${h.queueId}`);
        if (stored === undefined && s.newGroup) return respond(ResponseCode.QUERY_NOT_FOUND);
        return respond(ResponseCode.SUCCESS, OffsetResponseHeader.encode({ offset: stored ?? 0 }));
      });
      consumer.subscribe(c.topic, '*');
      consumer.registerMessageListener(listener);
      cleanups.push(() => consumer.shutdown());
      return s;
    },
  };
}
