import { Perm, topicConfig, type DataVersion, type TopicConfig } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryChannel } from '../../../test/fakes/memory-channel';
import { RouteInfoManager, type BrokerRegistration } from './route-info-manager';

const EXPIRY_MS = 120_000;
const A_MASTER = '10.0.0.1:10911';
const A_SLAVE = '10.0.0.2:10911';
const B_MASTER = '10.0.0.3:10911';

const stubChannel = (remoteAddress?: string): MemoryChannel => new MemoryChannel(remoteAddress);

function version(counter: number): DataVersion {
  return { timestamp: 1_700_000_000_000, counter, stateVersion: 0 };
}

function registration(
  over: Partial<BrokerRegistration> & { topics?: TopicConfig[]; dv?: DataVersion } = {},
): BrokerRegistration {
  const {
    topics = [topicConfig('TopicTest', { readQueueNums: 4, writeQueueNums: 4 })],
    dv = version(1),
    ...rest
  } = over;
  return {
    clusterName: 'DefaultCluster',
    brokerAddr: A_MASTER,
    brokerName: 'broker-a',
    brokerId: 0,
    haServerAddr: '10.0.0.1:10912',
    topicConfigWrapper: {
      topicConfigTable: Object.fromEntries(topics.map((t) => [t.topicName, t])),
      dataVersion: dv,
    },
    filterServerList: [],
    channel: stubChannel(),
    ...rest,
  };
}

function manager(clock = { now: 1_000_000 }): RouteInfoManager {
  return new RouteInfoManager({ brokerExpiredMillis: EXPIRY_MS, now: () => clock.now });
}

describe('RouteInfoManager.registerBroker (§3.2)', () => {
  it('records cluster, broker and queue data of a master', () => {
    const rim = manager();
    const result = rim.registerBroker(registration());
    expect(result).toEqual({ newBroker: true, topicsApplied: true });
    const route = rim.pickupTopicRouteData('TopicTest');
    expect(route?.brokerDatas).toEqual([
      { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: new Map([[0, A_MASTER]]) },
    ]);
    expect(route?.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
    ]);
    expect(rim.getClusterInfo().clusterAddrTable).toEqual(new Map([['DefaultCluster', ['broker-a']]]));
    expect(rim.counts()).toEqual({ clusters: 1, brokerNames: 1, brokers: 1, topics: 1 });
  });

  it('answers a slave with its live master, and ignores the topic configs a slave sends', () => {
    const rim = manager();
    const slave = registration({
      brokerAddr: A_SLAVE,
      brokerId: 1,
      haServerAddr: '10.0.0.2:10912',
      topics: [topicConfig('SlaveOnly')],
    });
    expect(rim.registerBroker(slave)).toEqual({ newBroker: true, topicsApplied: false });
    expect(rim.pickupTopicRouteData('SlaveOnly')).toBeUndefined();

    rim.registerBroker(registration());
    expect(rim.registerBroker(slave)).toEqual({
      newBroker: false,
      topicsApplied: false,
      masterAddr: A_MASTER,
      haServerAddr: '10.0.0.1:10912',
    });
    expect(rim.pickupTopicRouteData('TopicTest')?.brokerDatas[0]?.brokerAddrs).toEqual(
      new Map([
        [0, A_MASTER],
        [1, A_SLAVE],
      ]),
    );
  });

  it('keeps one id per address when a slave is promoted to master', () => {
    const rim = manager();
    rim.registerBroker(registration({ brokerAddr: A_SLAVE, brokerId: 1 }));
    rim.registerBroker(registration({ brokerAddr: A_SLAVE, brokerId: 0 }));
    expect(rim.getClusterInfo().brokerAddrTable.get('broker-a')?.brokerAddrs).toEqual(
      new Map([[0, A_SLAVE]]),
    );
  });

  it('applies topic configs only when the DataVersion changed', () => {
    const rim = manager();
    rim.registerBroker(registration({ dv: version(1) }));
    const more = [topicConfig('TopicTest', { readQueueNums: 4, writeQueueNums: 4 }), topicConfig('Second')];
    expect(rim.registerBroker(registration({ dv: version(1), topics: more })).topicsApplied).toBe(false);
    expect(rim.pickupTopicRouteData('Second')).toBeUndefined();
    expect(rim.isBrokerTopicConfigChanged(A_MASTER, version(1))).toBe(false);
    expect(rim.isBrokerTopicConfigChanged(A_MASTER, version(2))).toBe(true);

    expect(rim.registerBroker(registration({ dv: version(2), topics: more })).topicsApplied).toBe(true);
    expect(rim.pickupTopicRouteData('Second')?.queueDatas[0]?.readQueueNums).toBe(16);
    expect(rim.queryBrokerDataVersion(A_MASTER)).toEqual(version(2));
  });

  it('publishes the filter servers of the brokers serving the topic', () => {
    const rim = manager();
    rim.registerBroker(registration({ filterServerList: ['10.0.0.1:30000'] }));
    expect(rim.pickupTopicRouteData('TopicTest')?.filterServerTable).toEqual({
      [A_MASTER]: ['10.0.0.1:30000'],
    });
    rim.registerBroker(registration({ filterServerList: [] }));
    expect(rim.pickupTopicRouteData('TopicTest')?.filterServerTable).toEqual({});
  });
});

describe('RouteInfoManager liveness', () => {
  it('evicts a broker whose last registration is older than the timeout, and closes its connection', () => {
    const clock = { now: 1_000_000 };
    const rim = manager(clock);
    const channel = stubChannel();
    rim.registerBroker(registration({ channel }));
    expect(rim.scanNotActiveBroker(clock.now + EXPIRY_MS)).toEqual([]);

    const removed = rim.scanNotActiveBroker(clock.now + EXPIRY_MS + 1);
    expect(removed).toEqual([
      { brokerAddr: A_MASTER, brokerName: 'broker-a', brokerNameRemoved: true, topicsRemoved: ['TopicTest'] },
    ]);
    expect(channel.closedReason).toBe('broker registration expired');
    expect(rim.pickupTopicRouteData('TopicTest')).toBeUndefined();
    expect(rim.counts()).toEqual({ clusters: 0, brokerNames: 0, brokers: 0, topics: 0 });
  });

  it('honours a broker’s own heartbeatTimeoutMillis and is kept alive by re-registration or an unchanged QUERY_DATA_VERSION', () => {
    const clock = { now: 1_000_000 };
    const rim = manager(clock);
    rim.registerBroker(registration({ heartbeatTimeoutMillis: 10_000 }));
    clock.now += 9_000;
    rim.registerBroker(registration());
    clock.now += 100_000;
    rim.touchBroker(A_MASTER);
    expect(rim.scanNotActiveBroker(clock.now + EXPIRY_MS)).toEqual([]);
    expect(rim.scanNotActiveBroker(clock.now + EXPIRY_MS + 1)).toHaveLength(1);
  });

  it('keeps the BrokerData and queue data while a slave of the expired master lives', () => {
    const clock = { now: 1_000_000 };
    const rim = manager(clock);
    const shared = stubChannel();
    rim.registerBroker(registration({ channel: shared }));
    clock.now += 60_000;
    rim.registerBroker(registration({ brokerAddr: A_SLAVE, brokerId: 1, channel: shared }));

    const removed = rim.scanNotActiveBroker(1_000_000 + EXPIRY_MS + 1);
    expect(removed).toEqual([
      { brokerAddr: A_MASTER, brokerName: 'broker-a', brokerNameRemoved: false, topicsRemoved: [] },
    ]);
    // The slave still registers on that connection, so it stays open.
    expect(shared.closedReason).toBeUndefined();
    expect(rim.pickupTopicRouteData('TopicTest')?.brokerDatas[0]?.brokerAddrs).toEqual(
      new Map([[1, A_SLAVE]]),
    );
  });

  it('evicts at once the brokers registered on a closed connection, and only those', () => {
    const rim = manager();
    const a = stubChannel('10.0.0.1:40000');
    rim.registerBroker(registration({ channel: a }));
    rim.registerBroker(
      registration({ brokerName: 'broker-b', brokerAddr: B_MASTER, channel: stubChannel('10.0.0.3:40000') }),
    );
    expect(rim.onChannelDestroy(stubChannel('10.0.0.9:1'))).toEqual([]);

    expect(rim.onChannelDestroy(a)).toEqual([
      { brokerAddr: A_MASTER, brokerName: 'broker-a', brokerNameRemoved: true, topicsRemoved: [] },
    ]);
    expect(rim.pickupTopicRouteData('TopicTest')?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-b']);
    expect(rim.getClusterInfo().clusterAddrTable).toEqual(new Map([['DefaultCluster', ['broker-b']]]));
  });

  it('does not evict a broker that re-registered on a new connection when the old one closes', () => {
    const rim = manager();
    const old = stubChannel();
    rim.registerBroker(registration({ channel: old }));
    rim.registerBroker(registration({ channel: stubChannel() }));
    expect(rim.onChannelDestroy(old)).toEqual([]);
    expect(rim.pickupTopicRouteData('TopicTest')).toBeDefined();
  });

  it('unregisters only the id still mapped to the address', () => {
    const rim = manager();
    rim.registerBroker(registration());
    rim.registerBroker(registration({ brokerAddr: A_SLAVE, brokerId: 1 }));
    expect(
      rim.unregisterBroker('DefaultCluster', '10.0.0.99:10911', 'broker-a', 1).brokerName,
    ).toBeUndefined();
    expect(rim.unregisterBroker('DefaultCluster', A_SLAVE, 'broker-a', 1)).toMatchObject({
      brokerName: 'broker-a',
      brokerNameRemoved: false,
    });
    expect(rim.unregisterBroker('DefaultCluster', A_MASTER, 'broker-a', 0)).toEqual({
      brokerAddr: A_MASTER,
      brokerName: 'broker-a',
      brokerNameRemoved: true,
      topicsRemoved: ['TopicTest'],
    });
    expect(rim.counts()).toEqual({ clusters: 0, brokerNames: 0, brokers: 0, topics: 0 });
  });
});

describe('RouteInfoManager admin operations', () => {
  function twoBrokers(): RouteInfoManager {
    const rim = manager();
    rim.registerBroker(
      registration({
        topics: [topicConfig('T1'), topicConfig('T2'), topicConfig('UnitT', { topicSysFlag: 1 })],
      }),
    );
    rim.registerBroker(
      registration({
        clusterName: 'Other',
        brokerName: 'broker-b',
        brokerAddr: B_MASTER,
        topics: [topicConfig('T2'), topicConfig('SubT', { topicSysFlag: 2 })],
      }),
    );
    return rim;
  }

  it('wipes and restores write permission and counts the topics touched', () => {
    const rim = twoBrokers();
    expect(rim.wipeWritePermOfBroker('broker-a')).toBe(3);
    expect(rim.pickupTopicRouteData('T2')?.queueDatas.map((q) => [q.brokerName, q.perm])).toEqual([
      ['broker-a', Perm.READ],
      ['broker-b', Perm.READ | Perm.WRITE],
    ]);
    expect(rim.addWritePermOfBroker('broker-a')).toBe(3);
    expect(rim.pickupTopicRouteData('T1')?.queueDatas[0]?.perm).toBe(Perm.READ | Perm.WRITE);
    expect(rim.wipeWritePermOfBroker('nobody')).toBe(0);
  });

  it('deletes a topic in one cluster or everywhere', () => {
    const rim = twoBrokers();
    rim.deleteTopic('T2', 'Other');
    expect(rim.pickupTopicRouteData('T2')?.queueDatas.map((q) => q.brokerName)).toEqual(['broker-a']);
    rim.deleteTopic('T2', 'DefaultCluster');
    expect(rim.pickupTopicRouteData('T2')).toBeUndefined();
    rim.deleteTopic('T1');
    expect(rim.getAllTopicList()).toEqual(['UnitT', 'SubT']);
  });

  it('lists topics by cluster, system topics and unit topics', () => {
    const rim = twoBrokers();
    expect(rim.getTopicsByCluster('Other')).toEqual(['T2', 'SubT']);
    expect(rim.getTopicsByCluster('missing')).toEqual([]);
    expect(rim.getSystemTopicList()).toEqual({
      topics: ['DefaultCluster', 'broker-a', 'Other', 'broker-b'],
      brokerAddr: A_MASTER,
    });
    expect(rim.getTopicsBySysFlag((f) => (f & 1) !== 0)).toEqual(['UnitT']);
    expect(rim.getTopicsBySysFlag((f) => (f & 2) !== 0)).toEqual(['SubT']);
  });

  it('returns copies: encoding a route cannot race a later registration', () => {
    const rim = twoBrokers();
    const route = rim.pickupTopicRouteData('T1');
    route?.queueDatas.forEach((q) => (q.perm = 0));
    route?.brokerDatas[0]?.brokerAddrs.clear();
    expect(rim.pickupTopicRouteData('T1')?.queueDatas[0]?.perm).toBe(6);
    expect(rim.pickupTopicRouteData('T1')?.brokerDatas[0]?.brokerAddrs.size).toBe(1);
  });
});
