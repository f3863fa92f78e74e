import type { Admin } from '@rocketts/client';
import { UsageError } from '../args';
import { withAdmin } from './clients';
import { CommandError } from './command-error';
import { formatTable } from './format';
import { defineVerb, NAMESRV_OPTION } from './verb';

const UNKNOWN = '-';

/** The first of the space-separated TPS figures a Java broker reports ("10.5 9.8 10.1"), to two decimals. */
function tps(value: string | undefined): string {
  const first = Number(value?.trim().split(/\s+/)[0]);
  return value !== undefined && Number.isFinite(first) ? first.toFixed(2) : UNKNOWN;
}

/** Messages since midnight: a Java broker reports a running total and the total at midnight. */
function today(info: Record<string, string>, now: string, morning: string): string {
  const n = Number(info[now]);
  if (info[now] === undefined || !Number.isFinite(n)) return UNKNOWN;
  const m = Number(info[morning] ?? 0);
  return String(Number.isFinite(m) ? n - m : n);
}

interface BrokerRow {
  cluster: string;
  brokerName: string;
  brokerId: number;
  addr: string;
}

async function runtimeRow(admin: Admin, b: BrokerRow, warn: (text: string) => void): Promise<string[]> {
  const base = [b.cluster, b.brokerName, String(b.brokerId), b.addr];
  let info: Record<string, string>;
  try {
    info = await admin.brokerRuntimeInfo(b.addr);
  } catch (err) {
    warn(`broker ${b.brokerName} (${b.addr}): runtime info unavailable: ${(err as Error).message}\n`);
    return [...base, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN];
  }
  return [
    ...base,
    info.brokerVersionDesc ?? UNKNOWN,
    tps(info.putTps),
    tps(info.getTransferedTps),
    today(info, 'msgPutTotalTodayNow', 'msgPutTotalTodayMorning'),
    today(info, 'msgGetTotalTodayNow', 'msgGetTotalTodayMorning'),
  ];
}

/**
 * As ClusterListSubCommand: one line per broker address of every cluster, with the broker's version,
 * put/get TPS (when the broker reports them) and messages put/got today from GET_BROKER_RUNTIME_INFO.
 */
export const clusterList = defineVerb({
  name: 'clusterList',
  description: 'List all of clusters',
  options: [NAMESRV_OPTION],
  async run(args, io) {
    const rows = await withAdmin(args, async (admin) => {
      const info = await admin.clusterInfo();
      const brokers: BrokerRow[] = [];
      for (const cluster of [...info.clusterAddrTable.keys()].sort()) {
        for (const brokerName of [...(info.clusterAddrTable.get(cluster) ?? [])].sort()) {
          const addrs = info.brokerAddrTable.get(brokerName)?.brokerAddrs ?? new Map<number, string>();
          for (const brokerId of [...addrs.keys()].sort((a, b) => a - b))
            brokers.push({ cluster, brokerName, brokerId, addr: addrs.get(brokerId) ?? UNKNOWN });
        }
      }
      return Promise.all(brokers.map((b) => runtimeRow(admin, b, io.warn)));
    });
    io.out(
      formatTable(
        [
          '#Cluster Name',
          '#Broker Name',
          '#BID',
          '#Addr',
          '#Version',
          '#InTPS',
          '#OutTPS',
          '#InTotalToday',
          '#OutTotalToday',
        ],
        rows,
      ),
    );
  },
});

/** `key: value` lines, keys sorted (BrokerStatusSubCommand.printBrokerRuntimeStats). */
function statusLines(info: Record<string, string>, prefix: string): string {
  return Object.keys(info)
    .sort()
    .map((k) => `${prefix}${k.padEnd(32)}: ${info[k]}\n`)
    .join('');
}

/** As BrokerStatusSubCommand: the runtime KV table of one broker (-b), or of every broker of a cluster (-c). */
export const brokerStatus = defineVerb({
  name: 'brokerStatus',
  description: 'Fetch broker runtime status data',
  synopsis: '-n <namesrvAddr> (-b <brokerAddr> | -c <clusterName>)',
  options: [
    NAMESRV_OPTION,
    { short: 'b', long: 'brokerAddr', arg: 'brokerAddr', description: 'broker address (host:port)' },
    { short: 'c', long: 'clusterName', arg: 'clusterName', description: 'every broker of this cluster' },
  ],
  async run(args, io) {
    const brokerAddr = args.string('brokerAddr');
    const clusterName = args.string('clusterName');
    if ((brokerAddr === undefined) === (clusterName === undefined))
      throw new UsageError('give exactly one of -b <brokerAddr> and -c <clusterName>');
    await withAdmin(args, async (admin) => {
      if (brokerAddr !== undefined) {
        io.out(statusLines(await admin.brokerStatus(brokerAddr), ''));
        return;
      }
      const info = await admin.clusterInfo();
      const names = info.clusterAddrTable.get(clusterName as string);
      if (!names) throw new CommandError(`cluster ${clusterName} is not known to the name server`);
      for (const name of [...names].sort()) {
        const addrs = info.brokerAddrTable.get(name)?.brokerAddrs ?? new Map<number, string>();
        for (const id of [...addrs.keys()].sort((a, b) => a - b)) {
          const addr = addrs.get(id) as string;
          io.out(statusLines(await admin.brokerStatus(addr), `${addr.padEnd(24)} `));
        }
      }
    });
  },
});
