import { decodeMessageQueueKey, num, obj, optObj, parseBody, type MessageQueue } from '@rocketts/protocol';

/** TopicOffset of one queue (TopicStatsTable.offsetTable value). */
export interface TopicQueueStatus {
  messageQueue: MessageQueue;
  minOffset: number;
  maxOffset: number;
  /** Store time (ms) of the last message, 0 when the queue is empty. */
  lastUpdateTimestamp: number;
}

/**
 * TopicStatsTable body: `{"offsetTable":{{"brokerName":…,"queueId":…,"topic":…}:{"lastUpdateTimestamp":…,
 * "maxOffset":…,"minOffset":…}}}`. fastjson writes the MessageQueue key as an object; parseJavaJson turns
 * such a key into its canonical JSON text, which is parsed back here (a quoted JSON-text key works too).
 */
export function decodeTopicStatsTable(body: Buffer | undefined): TopicQueueStatus[] {
  const table = optObj(parseBody(body, 'TopicStatsTable').offsetTable, 'TopicStatsTable.offsetTable');
  const out: TopicQueueStatus[] = [];
  for (const [key, value] of Object.entries(table)) {
    const v = obj(value, 'TopicOffset');
    out.push({
      messageQueue: decodeMessageQueueKey(key),
      minOffset: num(v.minOffset, 'TopicOffset.minOffset', 0),
      maxOffset: num(v.maxOffset, 'TopicOffset.maxOffset', 0),
      lastUpdateTimestamp: num(v.lastUpdateTimestamp, 'TopicOffset.lastUpdateTimestamp', 0),
    });
  }
  return out;
}
