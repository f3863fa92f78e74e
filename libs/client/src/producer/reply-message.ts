import {
  decodeProperties,
  inflateBody,
  InvalidArgumentError,
  MessageProperty,
  MessageSysFlag,
  REPLY_MESSAGE_FLAG,
  ReplyMessageRequestHeader,
  replyTopicOf,
  type Properties,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { Message } from './message';

/** A reply as the requester receives it (the MessageExt ClientRemotingProcessor.receiveReplyMessage builds). */
export interface ReplyMessage {
  /** The reply topic, "<cluster>_REPLY_TOPIC". */
  topic: string;
  /** Inflated when the replier compressed it. */
  body: Buffer;
  properties: Properties;
  correlationId: string;
  flag: number;
  queueId: number;
  bornTimestamp: number;
  /** When the broker received the reply, ms. */
  storeTimestamp: number;
  /** "ip:port" of the replier's connection. */
  bornHost: string;
  /** "ip:port" of the broker that pushed it. */
  storeHost: string;
  reconsumeTimes: number;
}

/** What `createReply` needs of the request: its properties (a pulled MessageExt or a ReplyMessage). */
export interface RequestMessageLike {
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * The reply to `request` (MessageUtil.createReplyMessage): topic "<cluster>_REPLY_TOPIC" of the cluster that
 * stored the request (its CLUSTER property), MSG_TYPE "reply", and CORRELATION_ID, REPLY_TO_CLIENT and TTL
 * copied from the request. Send it with Producer.sendReply (or send: replies are recognised by MSG_TYPE).
 */
export function createReply(request: RequestMessageLike, body: Buffer | string): Message {
  const props = typeof request === 'object' && request !== null ? request.properties : undefined;
  if (!props) throw new InvalidArgumentError('request', 'must be a received request message');
  const cluster = props[MessageProperty.CLUSTER];
  if (!cluster)
    throw new InvalidArgumentError(
      'request',
      `has no ${MessageProperty.CLUSTER} property: not a stored message`,
    );
  const correlationId = props[MessageProperty.CORRELATION_ID];
  const replyTo = props[MessageProperty.REPLY_TO_CLIENT];
  if (!correlationId || !replyTo) {
    throw new InvalidArgumentError(
      'request',
      `has no ${MessageProperty.CORRELATION_ID} / ${MessageProperty.REPLY_TO_CLIENT}: not sent with Producer.request`,
    );
  }
  const properties: Record<string, string> = {
    [MessageProperty.MSG_TYPE]: REPLY_MESSAGE_FLAG,
    [MessageProperty.CORRELATION_ID]: correlationId,
    [MessageProperty.REPLY_TO_CLIENT]: replyTo,
  };
  const ttl = props[MessageProperty.TTL];
  if (ttl !== undefined) properties[MessageProperty.TTL] = ttl;
  return { topic: replyTopicOf(cluster), body, properties };
}

/** The request properties Producer.request adds (DefaultMQProducerImpl.prepareSendRequest). */
export function withRequestProperties(
  msg: Message,
  correlationId: string,
  replyToClient: string,
  timeoutMs: number,
): Message {
  if (typeof msg !== 'object' || msg === null) throw new InvalidArgumentError('message', 'must be an object');
  return {
    ...msg,
    properties: {
      ...msg.properties,
      [MessageProperty.CORRELATION_ID]: correlationId,
      [MessageProperty.REPLY_TO_CLIENT]: replyToClient,
      [MessageProperty.TTL]: String(timeoutMs),
    },
  };
}

/** A message a replier may send: MSG_TYPE "reply" with the correlation id and the requester. */
export function checkReplyMessage(msg: Message): void {
  const props = typeof msg === 'object' && msg !== null ? msg.properties : undefined;
  if (props?.[MessageProperty.MSG_TYPE] !== REPLY_MESSAGE_FLAG) {
    throw new InvalidArgumentError(
      'message',
      `is not a reply (MSG_TYPE must be "${REPLY_MESSAGE_FLAG}"); use createReply`,
    );
  }
  if (!props[MessageProperty.CORRELATION_ID] || !props[MessageProperty.REPLY_TO_CLIENT]) {
    throw new InvalidArgumentError(
      'message',
      `a reply needs ${MessageProperty.CORRELATION_ID} and ${MessageProperty.REPLY_TO_CLIENT}; use createReply`,
    );
  }
}

/** The reply of a PUSH_REPLY_MESSAGE_TO_CLIENT request (ClientRemotingProcessor.receiveReplyMessage). */
export function decodePushedReply(cmd: RemotingCommand, receivedAt: number = Date.now()): ReplyMessage {
  const h = ReplyMessageRequestHeader.decode(cmd.extFields);
  const raw = cmd.body ?? Buffer.alloc(0);
  const body = (h.sysFlag & MessageSysFlag.COMPRESSED) !== 0 ? inflateBody(raw, h.sysFlag) : raw;
  const properties = h.properties ? decodeProperties(h.properties) : {};
  properties[MessageProperty.ARRIVE_TIME] = String(receivedAt);
  return {
    topic: h.topic,
    body,
    properties,
    correlationId: properties[MessageProperty.CORRELATION_ID] ?? '',
    flag: h.flag,
    queueId: h.queueId,
    bornTimestamp: h.bornTimestamp,
    storeTimestamp: h.storeTimestamp,
    bornHost: stripSlash(h.bornHost),
    storeHost: stripSlash(h.storeHost),
    reconsumeTimes: h.reconsumeTimes ?? 0,
  };
}

/** Java brokers send InetSocketAddress.toString(): "/ip:port". */
const stripSlash = (host: string): string => (host.startsWith('/') ? host.slice(1) : host);
