import {
  DeleteSubscriptionGroupRequestHeader,
  DLQ_GROUP_TOPIC_PREFIX,
  encodeSubscriptionGroupConfig,
  InvalidArgumentError,
  RequestCode,
  RETRY_GROUP_TOPIC_PREFIX,
  subscriptionGroupConfig,
  type SubscriptionGroupConfig,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { nonEmptyString, rejectUnknownKeys } from '../options/validate';
import { clusterMasters } from './brokers';
import { deleteTopic } from './delete-topic';

/** Where a group change goes: one broker, or every master of a cluster (as mqadmin's -b / -c). */
export type GroupTarget = { brokerAddr: string } | { clusterName: string };

/** A group config to write: the name, and any fields that differ from SubscriptionGroupConfig's defaults. */
export type SubGroupInput = Partial<SubscriptionGroupConfig> & { groupName: string };

const CONFIG_KEYS: Readonly<Record<keyof SubscriptionGroupConfig, true>> = {
  groupName: true,
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: true,
  consumeMessageOrderly: true,
  retryQueueNums: true,
  retryMaxTimes: true,
  brokerId: true,
  whichBrokerWhenConsumeSlowly: true,
  notifyConsumerIdsChangedEnable: true,
  groupSysFlag: true,
  consumeTimeoutMinute: true,
};

async function targetAddrs(instance: ClientInstance, target: GroupTarget): Promise<string[]> {
  if (typeof target !== 'object' || target === null)
    throw new InvalidArgumentError('target', 'give { brokerAddr } or { clusterName }');
  const t = target as { brokerAddr?: unknown; clusterName?: unknown };
  if ((t.brokerAddr === undefined) === (t.clusterName === undefined))
    throw new InvalidArgumentError('target', 'give exactly one of brokerAddr and clusterName');
  if (t.brokerAddr !== undefined) return [nonEmptyString(t.brokerAddr, 'brokerAddr')];
  return (await clusterMasters(instance, nonEmptyString(t.clusterName, 'clusterName'))).map((b) => b.addr);
}

/**
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP on one broker or every master of a cluster (UpdateSubGroupSubCommand).
 * The broker replaces the whole config: fields not given take SubscriptionGroupConfig's defaults, not
 * the current values. Returns the config written and the brokers updated.
 */
export async function updateSubGroup(
  instance: ClientInstance,
  input: SubGroupInput,
  target: GroupTarget,
): Promise<{ config: SubscriptionGroupConfig; brokerAddrs: string[] }> {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('config', 'must be an object');
  rejectUnknownKeys('updateSubGroup', input, CONFIG_KEYS);
  const config = subscriptionGroupConfig(nonEmptyString(input.groupName, 'groupName'), input);
  const addrs = await targetAddrs(instance, target);
  const body = encodeSubscriptionGroupConfig(config);
  for (const addr of addrs)
    await instance.invoke(
      addr,
      instance.request(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, undefined, body),
    );
  return { config, brokerAddrs: addrs };
}

/**
 * DELETE_SUBSCRIPTIONGROUP on one broker or every master of a cluster (DeleteSubscriptionGroupCommand);
 * `cleanOffset` also drops the group's committed offsets. For a cluster, as mqadmin, the group's
 * %RETRY% and %DLQ% topics are deleted too (their messages are gone with them); a failure there is
 * logged, not thrown. Returns the brokers the group was deleted from.
 */
export async function deleteSubGroup(
  instance: ClientInstance,
  groupName: string,
  target: GroupTarget,
  cleanOffset: boolean,
): Promise<string[]> {
  const group = nonEmptyString(groupName, 'groupName');
  const addrs = await targetAddrs(instance, target);
  const header = DeleteSubscriptionGroupRequestHeader.encode({ groupName: group, cleanOffset });
  for (const addr of addrs)
    await instance.invoke(addr, instance.request(RequestCode.DELETE_SUBSCRIPTIONGROUP, header));
  if ('clusterName' in target) {
    for (const topic of [RETRY_GROUP_TOPIC_PREFIX + group, DLQ_GROUP_TOPIC_PREFIX + group]) {
      await deleteTopic(instance, topic, target.clusterName).catch((err: unknown) =>
        instance.logger.warn('deleting a group topic failed', { topic, error: err as Error }),
      );
    }
  }
  return addrs;
}
