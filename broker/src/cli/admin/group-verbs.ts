import type { GroupTarget, SubGroupInput } from '@rocketts/client';
import type { SubscriptionGroupConfig } from '@rocketts/protocol';
import { UsageError } from '../args';
import { withAdmin } from './clients';
import { defineVerb, NAMESRV_OPTION, type OptionSpec, type VerbArgs } from './verb';

const TARGET_OPTIONS: readonly OptionSpec[] = [
  { short: 'b', long: 'brokerAddr', arg: 'brokerAddr', description: 'this broker (host:port)' },
  { short: 'c', long: 'clusterName', arg: 'clusterName', description: 'every master of this cluster' },
];

function targetOf(args: VerbArgs): GroupTarget {
  const brokerAddr = args.string('brokerAddr');
  const clusterName = args.string('clusterName');
  if ((brokerAddr === undefined) === (clusterName === undefined))
    throw new UsageError('give exactly one of -c <clusterName> and -b <brokerAddr>');
  return brokerAddr !== undefined ? { brokerAddr } : { clusterName: clusterName as string };
}

/** SubscriptionGroupConfig.toString (Guava's toStringHelper), as mqadmin prints it after the update. */
function configString(c: SubscriptionGroupConfig): string {
  const fields = Object.entries(c).map(([k, v]) => `${k}=${String(v)}`);
  return `SubscriptionGroupConfig{${fields.join(', ')}}\n`;
}

/**
 * As UpdateSubGroupSubCommand: write a whole group config to one broker or every master of a cluster.
 * As there, options not given take the defaults, with consumeFromMinEnable and consumeBroadcastEnable
 * false — not the group's current values.
 */
export const updateSubGroup = defineVerb({
  name: 'updateSubGroup',
  description: 'Update or create subscription group',
  synopsis:
    '-n <namesrvAddr> (-c <clusterName> | -b <brokerAddr>) -g <groupName> [-r <retryMaxTimes>] [-q <retryQueueNums>] [-s <consumeEnable>] [-o <consumeMessageOrderly>] [-m <consumeFromMinEnable>] [-d <consumeBroadcastEnable>]',
  options: [
    NAMESRV_OPTION,
    ...TARGET_OPTIONS,
    { short: 'g', long: 'groupName', arg: 'groupName', description: 'consumer group name', required: true },
    { short: 's', long: 'consumeEnable', arg: 'consumeEnable', description: 'consume enable: true or false' },
    { short: 'm', long: 'consumeFromMinEnable', arg: 'consumeFromMinEnable', description: 'from min offset' },
    { short: 'd', long: 'consumeBroadcastEnable', arg: 'consumeBroadcastEnable', description: 'broadcast' },
    {
      short: 'o',
      long: 'consumeMessageOrderly',
      arg: 'consumeMessageOrderly',
      description: 'consume orderly',
    },
    {
      short: 'q',
      long: 'retryQueueNums',
      arg: 'retryQueueNums',
      description: 'retry queue nums (default 1)',
    },
    { short: 'r', long: 'retryMaxTimes', arg: 'retryMaxTimes', description: 'retry max times (default 16)' },
    {
      short: 'i',
      long: 'brokerId',
      arg: 'brokerId',
      description: 'consume from which broker id (default 0)',
    },
    {
      short: 'w',
      long: 'whichBrokerWhenConsumeSlowly',
      arg: 'brokerId',
      description: 'which broker id when consume slowly (default 1)',
    },
    {
      short: 'a',
      long: 'notifyConsumerIdsChanged',
      arg: 'notify',
      description: 'notify members when the group changes (default true)',
    },
  ],
  async run(args, io) {
    const target = targetOf(args);
    const input: SubGroupInput = {
      groupName: args.required('groupName'),
      consumeFromMinEnable: args.bool('consumeFromMinEnable', false),
      consumeBroadcastEnable: args.bool('consumeBroadcastEnable', false),
    };
    const bools = ['consumeEnable', 'consumeMessageOrderly'] as const;
    for (const k of bools) if (args.has(k)) input[k] = args.bool(k, false);
    if (args.has('notifyConsumerIdsChanged'))
      input.notifyConsumerIdsChangedEnable = args.bool('notifyConsumerIdsChanged', true);
    const ints = ['retryQueueNums', 'retryMaxTimes', 'brokerId', 'whichBrokerWhenConsumeSlowly'] as const;
    for (const k of ints) {
      const v = args.int(k);
      if (v !== undefined) input[k] = v;
    }
    const r = await withAdmin(args, (admin) => admin.updateSubGroup(input, target));
    for (const addr of r.brokerAddrs) io.out(`create subscription group to ${addr} success.\n`);
    io.out(configString(r.config));
  },
});

/**
 * As DeleteSubscriptionGroupCommand: delete the group from one broker or every master of a cluster (for a
 * cluster also its %RETRY% and %DLQ% topics); -r true also removes its offsets.
 */
export const deleteSubGroup = defineVerb({
  name: 'deleteSubGroup',
  description: 'Delete subscription group from broker',
  synopsis: '-n <namesrvAddr> (-c <clusterName> | -b <brokerAddr>) -g <groupName> [-r <removeOffset>]',
  options: [
    NAMESRV_OPTION,
    ...TARGET_OPTIONS,
    {
      short: 'g',
      long: 'groupName',
      arg: 'groupName',
      description: 'subscription group name',
      required: true,
    },
    {
      short: 'r',
      long: 'removeOffset',
      arg: 'removeOffset',
      description: 'also remove its offsets: true or false',
    },
  ],
  async run(args, io) {
    const target = targetOf(args);
    const group = args.required('groupName');
    const cleanOffset = args.bool('removeOffset', false);
    const addrs = await withAdmin(args, (admin) => admin.deleteSubGroup(group, target, cleanOffset));
    for (const addr of addrs)
      io.out(
        'clusterName' in target
          ? `delete subscription group [${group}] from broker [${addr}] in cluster [${target.clusterName}] success.\n`
          : `delete subscription group [${group}] from broker [${addr}] success.\n`,
      );
  },
});
