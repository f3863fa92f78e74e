import type { Logger } from '@rocketts/client';
import { decodeMessageRecord, MessageProperty, SystemTopic, type Properties } from '@rocketts/protocol';
import type { MessageInner } from '../store/commit-log/commit-log';
import type { MessageStore } from '../store/message-store';
import { rePut } from '../store/stored-message';

/**
 * The copy to deliver for a held record at commit-log offset `phy` (ScheduleMessageService.messageTimeUp),
 * shared by delay levels and timer messages: REAL_TOPIC / REAL_QID restored, `dropped` properties removed,
 * everything else as stored (UNIQ_KEY kept). undefined when the record is gone (deleted by retention) or has
 * no deliverable address; the entry is then skipped, as RocketMQ does.
 */
export function messageTimeUp(
  store: MessageStore,
  phy: number,
  dropped: readonly string[],
  kind: 'delayed' | 'timer',
  logger: Logger,
): MessageInner | undefined {
  const record = store.lookMessageByOffset(phy);
  if (!record) {
    logger.warn(`${kind} message no longer stored, skipped`, { commitLogOffset: phy });
    return undefined;
  }
  const ext = decodeMessageRecord(record);
  const props: Properties = { ...ext.properties };
  const topic = props[MessageProperty.REAL_TOPIC];
  const queueId = Number(props[MessageProperty.REAL_QID]);
  if (!topic || !Number.isInteger(queueId) || queueId < 0 || topic === SystemTopic.TRANS_HALF) {
    logger.error(`${kind} message has no deliverable REAL_TOPIC/REAL_QID, skipped`, {
      commitLogOffset: phy,
      realTopic: topic,
    });
    return undefined;
  }
  for (const name of dropped) delete props[name];
  return rePut(record, ext, { topic, queueId, properties: props, reconsumeTimes: ext.reconsumeTimes });
}
