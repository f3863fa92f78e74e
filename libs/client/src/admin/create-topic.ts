import {
  CreateTopicRequestHeader,
  InvalidArgumentError,
  Perm,
  RequestCode,
  SystemTopic,
  TopicFilterType,
  type TopicFilterTypeValue,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { MQClientError, MQClientErrorCode } from '../errors/mq-client-error';
import {
  booleanOption,
  nonEmptyString,
  nonNegativeInt,
  positiveInt,
  rejectUnknownKeys,
} from '../options/validate';
import { checkTopic } from '../producer/validators';
import { clusterMasters } from './brokers';

export interface CreateTopicOptions {
  topic: string;
  readQueueNums?: number;
  writeQueueNums?: number;
  /** Permission bits (Perm): 6 = read + write. */
  perm?: number;
  /** Create on every master of this cluster… */
  clusterName?: string;
  /** …or on this one broker. */
  brokerAddr?: string;
  /** Ordered topic: also records "brokerName:writeQueueNums;…" as the topic's orderTopicConf on the name servers. */
  order?: boolean;
  topicFilterType?: TopicFilterTypeValue;
}

export const DEFAULT_CREATE_TOPIC_QUEUE_NUMS = 8; // as UpdateTopicSubCommand
/** KV namespace the name server reads orderTopicConf from (NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG). */
export const ORDER_TOPIC_CONFIG_NAMESPACE = 'ORDER_TOPIC_CONFIG';
const MAX_PERM = 15; // PRIORITY | READ | WRITE | INHERIT

const CREATE_TOPIC_KEYS: Readonly<Record<keyof CreateTopicOptions, true>> = {
  topic: true,
  readQueueNums: true,
  writeQueueNums: true,
  perm: true,
  clusterName: true,
  brokerAddr: true,
  order: true,
  topicFilterType: true,
};

/**
 * UPDATE_AND_CREATE_TOPIC to every master of a cluster (found with GET_BROKER_CLUSTER_INFO) or to one broker,
 * as mqadmin updateTopic (UpdateTopicSubCommand). Returns the broker addresses updated.
 */
export async function createTopic(instance: ClientInstance, input: CreateTopicOptions): Promise<string[]> {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('options', 'must be an object');
  rejectUnknownKeys('createTopic', input, CREATE_TOPIC_KEYS);
  const topic = checkTopic(input.topic);
  const writeQueueNums = positiveInt(
    input.writeQueueNums ?? DEFAULT_CREATE_TOPIC_QUEUE_NUMS,
    'writeQueueNums',
  );
  const readQueueNums = positiveInt(input.readQueueNums ?? DEFAULT_CREATE_TOPIC_QUEUE_NUMS, 'readQueueNums');
  const perm = nonNegativeInt(input.perm ?? Perm.READ | Perm.WRITE, 'perm');
  if (perm > MAX_PERM) throw new InvalidArgumentError('perm', `must be at most ${MAX_PERM}`);
  const order = booleanOption(input.order, 'order', false);
  const filter = input.topicFilterType ?? TopicFilterType.SINGLE_TAG;
  if (filter !== TopicFilterType.SINGLE_TAG && filter !== TopicFilterType.MULTI_TAG) {
    throw new InvalidArgumentError('topicFilterType', "must be 'SINGLE_TAG' or 'MULTI_TAG'");
  }
  if ((input.clusterName === undefined) === (input.brokerAddr === undefined)) {
    throw new InvalidArgumentError('clusterName', 'give exactly one of clusterName and brokerAddr');
  }
  const targets =
    input.clusterName !== undefined
      ? await clusterMasters(instance, nonEmptyString(input.clusterName, 'clusterName'))
      : [{ brokerName: undefined, addr: nonEmptyString(input.brokerAddr, 'brokerAddr') }];
  const header = CreateTopicRequestHeader.encode({
    topic,
    defaultTopic: SystemTopic.AUTO_CREATE,
    readQueueNums,
    writeQueueNums,
    perm,
    topicFilterType: filter,
    topicSysFlag: 0,
    order,
  });
  await Promise.all(
    targets.map((t) =>
      instance.invoke(t.addr, instance.request(RequestCode.UPDATE_AND_CREATE_TOPIC, header)),
    ),
  );
  if (order) {
    const names = targets.map((t) => t.brokerName).filter((n): n is string => n !== undefined);
    if (input.clusterName !== undefined) await putOrderConf(instance, topic, names, writeQueueNums, false);
    else
      await putOrderConf(
        instance,
        topic,
        [await brokerNameOf(instance, targets[0]?.addr as string)],
        writeQueueNums,
        true,
      );
  }
  return targets.map((t) => t.addr);
}

async function brokerNameOf(instance: ClientInstance, addr: string): Promise<string> {
  const info = await instance.namesrv.getBrokerClusterInfo();
  for (const [name, bd] of info.brokerAddrTable) {
    if ([...bd.brokerAddrs.values()].includes(addr)) return name;
  }
  throw new MQClientError(
    MQClientErrorCode.BROKER_NOT_FOUND,
    `broker ${addr} is not registered with the name server`,
  );
}

/**
 * orderTopicConf as DefaultMQAdminExt.createOrUpdateOrderConf: for a cluster the entries replace the old
 * value; for one broker its entry is merged into the existing one.
 */
async function putOrderConf(
  instance: ClientInstance,
  topic: string,
  brokerNames: string[],
  queueNums: number,
  merge: boolean,
): Promise<void> {
  const entries = new Map<string, string>();
  if (merge) {
    const old = await instance.namesrv.getKvConfig(ORDER_TOPIC_CONFIG_NAMESPACE, topic);
    for (const e of old ? old.split(';') : []) {
      const [name, n] = e.split(':');
      if (name && n) entries.set(name, n);
    }
  }
  for (const name of brokerNames) entries.set(name, String(queueNums));
  const value = [...entries].map(([name, n]) => `${name}:${n}`).join(';');
  await instance.namesrv.putKvConfig(ORDER_TOPIC_CONFIG_NAMESPACE, topic, value);
}
