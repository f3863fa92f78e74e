import {
  decodeMessageRecords,
  isResponseCode,
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  RequestCode,
  ResponseCode,
  type MessageExt,
  type TopicRouteData,
} from '@rocketts/protocol';
import type { ClientInstance } from '../client/client-instance';
import { MASTER_ID } from '../route/topic-publish-info';

export interface QueryMessageOptions {
  /** Most messages each broker returns. */
  maxNum?: number;
  /** Store-time window, ms since the epoch. */
  begin?: number;
  end?: number;
}

export interface QueryResult {
  /** Newest index update among the brokers asked (ms). */
  indexLastUpdateTimestamp: number;
  /** Matching messages, oldest first, each stored copy once. */
  messages: MessageExt[];
}

export const DEFAULT_QUERY_MAX_NUM = 32; // as the broker's defaultQueryMaxNum

/**
 * QUERY_MESSAGE to one broker (master, else a slave) of every broker name serving the topic, as
 * MQAdminImpl.queryMessage: the index lookup is by hash, so results are filtered again here (KEYS
 * tokens contain `key`, or UNIQ_KEY equals it), then duplicates (same store host and commit-log offset)
 * dropped. A broker without matches answers QUERY_NOT_FOUND; if every broker fails, the first error is thrown.
 */
export async function queryMessage(
  instance: ClientInstance,
  route: TopicRouteData,
  topic: string,
  key: string,
  uniqKey: boolean,
  options: Required<QueryMessageOptions>,
  timeoutMs: number,
): Promise<QueryResult> {
  const header = QueryMessageRequestHeader.encode({
    topic,
    key,
    maxNum: options.maxNum,
    beginTimestamp: options.begin,
    endTimestamp: options.end,
    _UNIQUE_KEY_QUERY: uniqKey,
  });
  const addrs = route.brokerDatas
    .map((bd) => bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0])
    .filter((a): a is string => a !== undefined);
  const settled = await Promise.allSettled(
    addrs.map(async (addr) => {
      try {
        const resp = await instance.invoke(
          addr,
          instance.request(RequestCode.QUERY_MESSAGE, header),
          timeoutMs,
        );
        const h = QueryMessageResponseHeader.decode(resp.extFields);
        return {
          ts: h.indexLastUpdateTimestamp,
          messages: resp.body ? decodeMessageRecords(resp.body, { inflate: true }) : [],
        };
      } catch (err) {
        if (isResponseCode(err, ResponseCode.QUERY_NOT_FOUND)) return { ts: 0, messages: [] as MessageExt[] };
        throw err;
      }
    }),
  );
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (addrs.length > 0 && failures.length === addrs.length) throw failures[0]?.reason;
  for (const f of failures)
    instance.logger.warn('query message failed on a broker', { topic, key, error: f.reason });
  let indexLastUpdateTimestamp = 0;
  const seen = new Set<string>();
  const messages: MessageExt[] = [];
  for (const s of settled) {
    if (s.status !== 'fulfilled') continue;
    indexLastUpdateTimestamp = Math.max(indexLastUpdateTimestamp, s.value.ts);
    for (const m of s.value.messages) {
      const matches = uniqKey ? m.msgId === key : m.keys.includes(key);
      if (!matches || m.topic !== topic || seen.has(m.offsetMsgId)) continue;
      seen.add(m.offsetMsgId);
      messages.push(m);
    }
  }
  messages.sort((a, b) => a.storeTimestamp - b.storeTimestamp);
  return { indexLastUpdateTimestamp, messages };
}
