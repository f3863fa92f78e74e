import { inflateSync } from 'node:zlib';
import { Perm, TopicFilterType, type TopicFilterTypeValue } from '../codes/flags';
import { ProtocolError } from '../errors/protocol-error';
import { stringifyJavaJson } from '../json/java-json';
import { arr, bool, num, obj, optObj, parseBody, str, type Json } from './body-reader';
import { parseJavaJson } from '../json/java-json';

/** TopicConfig (TopicConfig.java); defaults 16/16 queues, perm RW, SINGLE_TAG. */
export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: TopicFilterTypeValue;
  topicSysFlag: number;
  order: boolean;
  attributes?: Record<string, string>;
}

export const DEFAULT_TOPIC_QUEUE_NUMS = 16;

export function topicConfig(name: string, init: Partial<Omit<TopicConfig, 'topicName'>> = {}): TopicConfig {
  return {
    topicName: name,
    readQueueNums: init.readQueueNums ?? DEFAULT_TOPIC_QUEUE_NUMS,
    writeQueueNums: init.writeQueueNums ?? DEFAULT_TOPIC_QUEUE_NUMS,
    perm: init.perm ?? Perm.READ | Perm.WRITE,
    topicFilterType: init.topicFilterType ?? TopicFilterType.SINGLE_TAG,
    topicSysFlag: init.topicSysFlag ?? 0,
    order: init.order ?? false,
    ...(init.attributes ? { attributes: init.attributes } : {}),
  };
}

export function decodeTopicConfig(v: unknown): TopicConfig {
  const t = obj(v, 'TopicConfig');
  const filter = str(t.topicFilterType, 'topicFilterType', TopicFilterType.SINGLE_TAG);
  return topicConfig(str(t.topicName, 'TopicConfig.topicName'), {
    readQueueNums: num(t.readQueueNums, 'readQueueNums', DEFAULT_TOPIC_QUEUE_NUMS),
    writeQueueNums: num(t.writeQueueNums, 'writeQueueNums', DEFAULT_TOPIC_QUEUE_NUMS),
    perm: num(t.perm, 'perm', Perm.READ | Perm.WRITE),
    topicFilterType:
      filter === TopicFilterType.MULTI_TAG ? TopicFilterType.MULTI_TAG : TopicFilterType.SINGLE_TAG,
    topicSysFlag: num(t.topicSysFlag, 'topicSysFlag', 0),
    order: bool(t.order),
    ...(t.attributes && typeof t.attributes === 'object'
      ? { attributes: t.attributes as Record<string, string> }
      : {}),
  });
}

/** DataVersion: the name server compares the whole object to detect topic-config changes. */
export interface DataVersion {
  timestamp: number;
  counter: number;
  stateVersion: number;
}

export function decodeDataVersion(v: unknown): DataVersion {
  const d = optObj(v, 'DataVersion');
  return {
    timestamp: num(d.timestamp, 'DataVersion.timestamp', 0),
    counter: num(d.counter, 'DataVersion.counter', 0),
    stateVersion: num(d.stateVersion, 'DataVersion.stateVersion', 0),
  };
}

export const sameDataVersion = (a: DataVersion | undefined, b: DataVersion | undefined): boolean =>
  !!a && !!b && a.timestamp === b.timestamp && a.counter === b.counter && a.stateVersion === b.stateVersion;

export interface TopicConfigSerializeWrapper {
  topicConfigTable: Record<string, TopicConfig>;
  dataVersion: DataVersion;
}

export function encodeTopicConfigWrapper(w: TopicConfigSerializeWrapper): Buffer {
  return Buffer.from(stringifyJavaJson(w), 'utf8');
}

export function decodeTopicConfigWrapper(v: unknown): TopicConfigSerializeWrapper {
  const w = obj(v, 'TopicConfigSerializeWrapper');
  const table: Record<string, TopicConfig> = {};
  for (const [name, tc] of Object.entries(optObj(w.topicConfigTable, 'topicConfigTable')))
    table[name] = decodeTopicConfig(tc);
  return { topicConfigTable: table, dataVersion: decodeDataVersion(w.dataVersion) };
}

/** RegisterBrokerBody: `{"filterServerList":[],"topicConfigSerializeWrapper":{…}}`. */
export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
}

export function encodeRegisterBrokerBody(b: RegisterBrokerBody): Buffer {
  return Buffer.from(stringifyJavaJson(b), 'utf8');
}

export function decodeRegisterBrokerBody(body: Buffer | undefined, compressed: boolean): RegisterBrokerBody {
  if (compressed) return decodeCompressedRegisterBrokerBody(body);
  const j: Json = parseBody(body, 'RegisterBrokerBody');
  return {
    topicConfigSerializeWrapper: decodeTopicConfigWrapper(j.topicConfigSerializeWrapper ?? {}),
    filterServerList: arr(j.filterServerList, 'filterServerList').map((x) => str(x, 'filter server')),
  };
}

/*
 * Compressed form (RegisterBrokerBody.encode(true)), a zlib stream of:
 *   int len, DataVersion JSON; int topicCount; per topic: int len, "name read write perm filterType [attrs]";
 *   int len, filterServerList JSON; (5.x brokers append static-topic mappings, ignored here).
 */
function decodeCompressedRegisterBrokerBody(body: Buffer | undefined): RegisterBrokerBody {
  if (!body) throw new ProtocolError('RegisterBrokerBody: empty compressed body', 'BODY_INVALID');
  let raw: Buffer;
  try {
    raw = inflateSync(body);
  } catch (err) {
    throw new ProtocolError('RegisterBrokerBody: body does not inflate', 'BODY_INVALID', err);
  }
  let p = 0;
  const chunk = (): string => {
    if (p + 4 > raw.length) throw new ProtocolError('RegisterBrokerBody: truncated', 'BODY_INVALID');
    const len = raw.readInt32BE(p);
    if (len < 0 || p + 4 + len > raw.length)
      throw new ProtocolError('RegisterBrokerBody: truncated', 'BODY_INVALID');
    p += 4 + len;
    return raw.toString('utf8', p - len, p);
  };
  const dataVersion = decodeDataVersion(parseJavaJson(chunk()));
  const count = raw.readInt32BE(p);
  p += 4;
  const table: Record<string, TopicConfig> = {};
  for (let i = 0; i < count; i++) {
    const [name = '', read, write, perm, filter] = chunk().split(' ');
    table[name] = topicConfig(name, {
      readQueueNums: Number(read),
      writeQueueNums: Number(write),
      perm: Number(perm),
      topicFilterType:
        filter === TopicFilterType.MULTI_TAG ? TopicFilterType.MULTI_TAG : TopicFilterType.SINGLE_TAG,
    });
  }
  const filterServerList =
    p < raw.length ? (arr(parseJavaJson(chunk()), 'filterServerList') as string[]) : [];
  return { topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion }, filterServerList };
}
