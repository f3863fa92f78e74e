import {
  createRequest,
  createResponse,
  encodeResetOffsetBody,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
  type MessageQueue,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';

/** `timestamp` meaning "the end of each queue" (Broker2Client.resetOffset: getMaxOffsetInQueue). */
const TIMESTAMP_MAX_OFFSET = -1;

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (222): move a group's offsets on one topic to a point in time.
 *
 * For each readable queue the target is the first offset stored at or after `timestamp` (the lower
 * bound of SEARCH_OFFSET_BY_TIMESTAMP), or the max offset for timestamp −1. With `isForce` the target is
 * taken as is; without it an offset only moves backwards (as Broker2Client.resetOffset:
 * `isForce || target < committed`). A 5.x header naming `queueId` (and optionally `offset`) resets that
 * one queue, as AdminBrokerProcessor.resetOffsetInner.
 *
 * Unlike a 4.x broker, which only tells the clients and leaves the stored offsets to them, this broker
 * writes the new offsets itself (as 5.x useServerSideResetOffset), then sends every online member of the
 * group a one-way RESET_CONSUMER_CLIENT_OFFSET (220) carrying the same ResetOffsetBody. So a reset works
 * while no consumer is online: the group resumes from the new offsets. A member that commits an older
 * offset before it has applied the notification overwrites the reset for that queue; clients must apply
 * 220 before their next commit.
 */
export class ResetOffsetProcessor {
  static readonly codes = [RequestCode.INVOKE_BROKER_TO_RESET_OFFSET];

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    const h = ResetOffsetRequestHeader.decode(cmd.extFields);
    const { ctx } = this;
    const tc = ctx.topics.get(h.topic);
    if (!tc)
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        `[reset-offset] reset offset failed, no topic in this broker. topic=${h.topic}`,
      );
    const committed = ctx.offsets.offsetsOf(h.group, h.topic);
    if (!ctx.groups.get(h.group) && !ctx.consumers.get(h.group) && committed.size === 0)
      return createResponse(
        cmd,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `the consumer group <${h.group}> does not exist on this broker`,
      );
    const single = h.queueId !== undefined && h.queueId >= 0;
    if (single && (h.queueId as number) >= tc.readQueueNums)
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        `queueId[${h.queueId}] is illegal, topic:[${h.topic}] readQueueNums:[${tc.readQueueNums}]`,
      );
    const exact = single && h.offset !== undefined && h.offset >= 0 ? h.offset : undefined;
    if (exact !== undefined) {
      const min = ctx.store.getMinOffsetInQueue(h.topic, h.queueId as number);
      const max = ctx.store.getMaxOffsetInQueue(h.topic, h.queueId as number);
      if (exact < min || exact > max)
        return createResponse(
          cmd,
          ResponseCode.SYSTEM_ERROR,
          `Target offset ${exact} not in consume queue range [${min}-${max}]`,
        );
    }
    const queueIds = single ? [h.queueId as number] : [...Array(tc.readQueueNums).keys()];
    const table: [MessageQueue, number][] = [];
    for (const queueId of queueIds) {
      const target = exact ?? this.offsetAt(h.topic, queueId, h.timestamp);
      const current = committed.get(queueId) ?? -1;
      // Without force an offset only moves back; a queue with no offset yet, or an exact offset, takes the target.
      const force = h.isForce || exact !== undefined || current < 0;
      const next = force || target < current ? target : current;
      table.push([{ topic: h.topic, brokerName: ctx.config.brokerName, queueId }, next]);
    }
    for (const [mq, offset] of table) ctx.offsets.commit(h.group, h.topic, mq.queueId, offset);
    const body = encodeResetOffsetBody(table);
    const notified = this.notifyClients(h, body);
    ctx.logger.info('consumer offsets reset', {
      topic: h.topic,
      group: h.group,
      timestamp: h.timestamp,
      isForce: h.isForce,
      queues: table.length,
      notified,
    });
    return createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, body);
  };

  private offsetAt(topic: string, queueId: number, timestamp: number): number {
    const { store } = this.ctx;
    if (timestamp === TIMESTAMP_MAX_OFFSET) return store.getMaxOffsetInQueue(topic, queueId);
    return Math.max(0, store.getOffsetInQueueByTime(topic, queueId, timestamp, 'lower'));
  }

  /** One-way RESET_CONSUMER_CLIENT_OFFSET to every live member (Broker2Client.resetOffset); returns how many. */
  private notifyClients(h: ResetOffsetRequestHeader, body: Buffer): number {
    const g = this.ctx.consumers.get(h.group);
    if (!g) return 0;
    const header = ResetOffsetRequestHeader.encode({
      topic: h.topic,
      group: h.group,
      timestamp: h.timestamp,
      isForce: h.isForce,
    });
    let sent = 0;
    for (const c of g.channels.values()) {
      if (!c.channel.isActive()) continue;
      // JSON header: every client (ali-ons included) reads it.
      c.channel.sendOneway(createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, header, body));
      sent++;
    }
    return sent;
  }
}
