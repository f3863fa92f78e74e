import { stringifyJavaJson } from '../json/java-json';
import { arr, bool, num, obj, parseBody, str } from './body-reader';

export const ExpressionType = { TAG: 'TAG', SQL92: 'SQL92' } as const;
export type ExpressionTypeValue = (typeof ExpressionType)[keyof typeof ExpressionType];

export const SUB_ALL = '*';

/** SubscriptionData (SubscriptionData.java); `codeSet` holds Java hashCodes of `tagsSet`. */
export interface SubscriptionData {
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
  classFilterMode: boolean;
}

export interface ConsumerData {
  groupName: string;
  consumeType: string; // CONSUME_PASSIVELY (push) / CONSUME_ACTIVELY (pull)
  messageModel: string; // CLUSTERING / BROADCASTING
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

/** HeartbeatData; note the capital ID in `clientID`. */
export interface HeartbeatData {
  clientID: string;
  producerDataSet: { groupName: string }[];
  consumerDataSet: ConsumerData[];
}

export function encodeHeartbeatData(h: HeartbeatData): Buffer {
  return Buffer.from(stringifyJavaJson(h), 'utf8');
}

/** CheckClientRequestBody: a consumer asks a broker whether it accepts a (SQL92) subscription. */
export interface CheckClientRequestBody {
  clientId: string;
  group: string;
  subscriptionData: SubscriptionData;
}

export function encodeCheckClientRequestBody(b: CheckClientRequestBody): Buffer {
  return Buffer.from(stringifyJavaJson(b), 'utf8');
}

export function decodeHeartbeatData(body: Buffer | undefined): HeartbeatData {
  const j = parseBody(body, 'HeartbeatData');
  return {
    clientID: str(j.clientID, 'HeartbeatData.clientID'),
    producerDataSet: arr(j.producerDataSet, 'producerDataSet').map((p) => ({
      groupName: str(obj(p, 'ProducerData').groupName, 'ProducerData.groupName'),
    })),
    consumerDataSet: arr(j.consumerDataSet, 'consumerDataSet').map((c) => decodeConsumerData(c)),
  };
}

function decodeConsumerData(v: unknown): ConsumerData {
  const c = obj(v, 'ConsumerData');
  return {
    groupName: str(c.groupName, 'ConsumerData.groupName'),
    consumeType: str(c.consumeType, 'consumeType', 'CONSUME_PASSIVELY'),
    messageModel: str(c.messageModel, 'messageModel', 'CLUSTERING'),
    consumeFromWhere: str(c.consumeFromWhere, 'consumeFromWhere', 'CONSUME_FROM_LAST_OFFSET'),
    subscriptionDataSet: arr(c.subscriptionDataSet, 'subscriptionDataSet').map((s) =>
      decodeSubscriptionData(s),
    ),
    unitMode: bool(c.unitMode),
  };
}

export function decodeSubscriptionData(v: unknown): SubscriptionData {
  const s = obj(v, 'SubscriptionData');
  return {
    topic: str(s.topic, 'SubscriptionData.topic'),
    subString: str(s.subString, 'SubscriptionData.subString', SUB_ALL),
    tagsSet: arr(s.tagsSet, 'tagsSet').map((t) => str(t, 'tag')),
    codeSet: arr(s.codeSet, 'codeSet').map((t) => num(t, 'code')),
    subVersion: num(s.subVersion, 'subVersion', 0),
    // ali-ons only sends expressionType for SQL92 subscriptions.
    expressionType: str(s.expressionType, 'expressionType', ExpressionType.TAG),
    classFilterMode: bool(s.classFilterMode),
  };
}
