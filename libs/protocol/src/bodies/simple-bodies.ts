import { stringifyJavaJson } from '../json/java-json';
import { arr, optObj, parseBody, str } from './body-reader';

/** TopicList: `{"topicList":["A","B"],"brokerAddr":"…"}`. */
export function encodeTopicList(topics: Iterable<string>, brokerAddr?: string): Buffer {
  return Buffer.from(stringifyJavaJson({ topicList: [...topics], brokerAddr }), 'utf8');
}

export function decodeTopicList(body: Buffer | undefined): string[] {
  return arr(parseBody(body, 'TopicList').topicList, 'topicList').map((t) => str(t, 'topic'));
}

/** KVTable: `{"table":{"k":"v"}}` (runtime info, KV namespaces). */
export function encodeKvTable(table: Record<string, string>): Buffer {
  return Buffer.from(stringifyJavaJson({ table }), 'utf8');
}

export function decodeKvTable(body: Buffer | undefined): Record<string, string> {
  const t = optObj(parseBody(body, 'KVTable').table, 'KVTable.table');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(t)) out[k] = str(v, `KVTable.${k}`);
  return out;
}

/** ConsumerListBody (GET_CONSUMER_LIST_BY_GROUP): `{"consumerIdList":[…]}`. */
export function encodeConsumerIdList(ids: Iterable<string>): Buffer {
  return Buffer.from(stringifyJavaJson({ consumerIdList: [...ids] }), 'utf8');
}

export function decodeConsumerIdList(body: Buffer | undefined): string[] {
  return arr(parseBody(body, 'ConsumerListBody').consumerIdList, 'consumerIdList').map((t) =>
    str(t, 'client id'),
  );
}
