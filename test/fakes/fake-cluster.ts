import {
  encodeHostAddress,
  encodeMessageRecord,
  encodeProperties,
  type Properties,
} from '@rocketts/protocol';
import { FakeBroker } from './fake-broker';
import { fakeClusterInfo, fakeRoute, type FakeRouteOptions } from './fake-routes';

/** A fake name server plus fake brokers serving one topic. */
export interface FakeCluster {
  namesrv: FakeBroker;
  brokers: FakeBroker[];
  topic: string;
  close(): Promise<void>;
}

let topicCounter = 0;

/** A topic name unique within the process. */
export function fakeTopic(prefix = 'FakeTopic'): string {
  topicCounter += 1;
  return `${prefix}_${process.pid}_${topicCounter}_${Date.now() % 100000}`;
}

/** Brokers named broker-a, broker-b, … (so route order is creation order), all routed for `topic`. */
export async function startFakeCluster(
  brokerCount: number,
  routeOptions: FakeRouteOptions = {},
  topic = fakeTopic(),
): Promise<FakeCluster> {
  const namesrv = await FakeBroker.start({ brokerName: 'namesrv' });
  const brokers: FakeBroker[] = [];
  for (let i = 0; i < brokerCount; i++)
    brokers.push(await FakeBroker.start({ brokerName: `broker-${String.fromCharCode(97 + i)}` }));
  namesrv.setRoute(topic, fakeRoute(brokers, routeOptions)).setClusterInfo(fakeClusterInfo(brokers));
  return {
    namesrv,
    brokers,
    topic,
    close: async () => {
      await Promise.all([namesrv, ...brokers].map((f) => f.close()));
    },
  };
}

export interface StoredMessageInit {
  topic: string;
  queueId?: number;
  queueOffset?: number;
  physicalOffset?: number;
  body?: Buffer | string;
  properties?: Properties;
  sysFlag?: number;
  storeTimestamp?: number;
  /** "ip:port" written as STOREHOST (decides the offset message id). */
  storeAddr?: string;
  reconsumeTimes?: number;
}

/** One stored-message record (§7.1), as PULL / QUERY / VIEW bodies carry them. */
export function storedRecord(init: StoredMessageInit): Buffer {
  const [host = '127.0.0.1', port = '10911'] = (init.storeAddr ?? '127.0.0.1:10911').split(':');
  return encodeMessageRecord({
    queueId: init.queueId ?? 0,
    flag: 0,
    queueOffset: init.queueOffset ?? 0,
    physicalOffset: init.physicalOffset ?? 0,
    sysFlag: init.sysFlag ?? 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: encodeHostAddress('127.0.0.1', 50000),
    storeTimestamp: init.storeTimestamp ?? 1_700_000_000_100,
    storeHost: encodeHostAddress(host, Number(port)),
    reconsumeTimes: init.reconsumeTimes ?? 0,
    preparedTransactionOffset: 0,
    body: typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? Buffer.from('body')),
    topic: init.topic,
    properties: encodeProperties(init.properties ?? {}),
  });
}
