import type { BrokerContext } from '../broker-context';
import type { RegistrationResult } from '../registration/name-server-registrar';
import type { HealthReport, Metric } from './http-endpoint';

export function brokerHealth(ctx: BrokerContext, registrations: RegistrationResult[]): HealthReport {
  const blocked = ctx.store.writeBlocker();
  return {
    status: blocked ? 'DOWN' : 'UP',
    broker: ctx.config.brokerName,
    addr: ctx.brokerAddr(),
    writable: !blocked,
    reason: blocked?.remark,
    nameServers: registrations.map((r) => ({ addr: r.nameServer, registered: r.ok })),
  };
}

export function brokerMetrics(ctx: BrokerContext, connections: number, heldPulls: number): Metric[] {
  const s = ctx.stats;
  const info = ctx.store.runtimeInfo();
  const labels = { broker: ctx.config.brokerName, cluster: ctx.config.brokerClusterName };
  const m = (name: string, help: string, type: Metric['type'], value: number): Metric => ({
    name,
    help,
    type,
    value,
    labels,
  });
  return [
    m('rocketts_broker_messages_put_total', 'Messages stored', 'counter', s.messagesPut),
    m('rocketts_broker_bytes_put_total', 'Bytes stored', 'counter', s.bytesPut),
    m('rocketts_broker_messages_pulled_total', 'Messages returned to pulls', 'counter', s.messagesGot),
    m('rocketts_broker_bytes_pulled_total', 'Bytes returned to pulls', 'counter', s.bytesGot),
    m('rocketts_broker_send_failures_total', 'Sends refused or failed', 'counter', s.sendFailures),
    m('rocketts_broker_connections', 'Open client connections', 'gauge', connections),
    m('rocketts_broker_pulls_held', 'Pulls parked by long polling', 'gauge', heldPulls),
    m(
      'rocketts_broker_commitlog_max_offset_bytes',
      'Commit-log write position',
      'gauge',
      Number(info.commitLogMaxOffset),
    ),
    m(
      'rocketts_broker_commitlog_flushed_offset_bytes',
      'Commit-log bytes on disk',
      'gauge',
      Number(info.commitLogFlushedOffset),
    ),
    m(
      'rocketts_broker_dispatch_behind_bytes',
      'Commit-log bytes not yet in consume queues',
      'gauge',
      Number(info.dispatchBehindBytes),
    ),
    m('rocketts_broker_topics', 'Topics served', 'gauge', ctx.topics.all().length),
    m(
      'rocketts_broker_consumer_groups',
      'Consumer groups online',
      'gauge',
      ctx.consumers.groupNames().length,
    ),
    m(
      'rocketts_broker_schedule_delivered_total',
      'Delayed messages delivered to their real topic',
      'counter',
      ctx.schedule.delivered,
    ),
    m(
      'rocketts_broker_transaction_half_pending',
      'Half-queue entries the check-back service has not passed yet',
      'gauge',
      ctx.transactions.pendingHalfMessages(),
    ),
    m(
      'rocketts_broker_transaction_checks_total',
      'CHECK_TRANSACTION_STATE requests sent to producers',
      'counter',
      ctx.transactions.checksSent,
    ),
    m(
      'rocketts_broker_transaction_discarded_total',
      'Half messages given up after transactionCheckMax checks (TRANS_CHECK_MAX_TIME_TOPIC)',
      'counter',
      ctx.transactions.discarded,
    ),
    m(
      'rocketts_broker_timer_delivered_total',
      'Timer messages delivered to their real topic',
      'counter',
      ctx.timer.delivered,
    ),
    m(
      'rocketts_broker_timer_pending',
      'Timer messages held, not yet delivered',
      'gauge',
      ctx.timer.pending(),
    ),
    // Per delay level: entries of SCHEDULE_TOPIC_XXXX not yet delivered (due or not).
    ...ctx.schedule.progress().map((p): Metric => ({
      name: 'rocketts_broker_schedule_backlog',
      help: 'Delayed messages waiting per delay level',
      type: 'gauge',
      value: Math.max(0, p.maxOffset - p.offset),
      labels: { ...labels, level: String(p.level) },
    })),
  ];
}
