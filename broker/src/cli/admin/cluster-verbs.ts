import type { Admin } from '@rocketts/client';
import { withAdmin } from './clients';
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
