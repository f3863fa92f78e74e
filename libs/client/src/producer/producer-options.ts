import { DEFAULT_COMPRESS_OVER_BYTES, SystemTopic } from '@rocketts/protocol';
import {
  CLIENT_OPTION_KEYS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  resolveClientConfig,
  type ClientConfig,
  type ClientOptions,
} from '../options/client-options';
import {
  booleanOption,
  nonEmptyString,
  nonNegativeInt,
  optionsObject,
  positiveInt,
  rejectUnknownKeys,
} from '../options/validate';
import { checkTopic } from './validators';

export interface ProducerOptions extends ClientOptions {
  /** Required: the group brokers register this producer under (transaction check-backs go to it). */
  producerGroup: string;
  /** Budget of one send, retries included. */
  sendMsgTimeoutMs?: number;
  /** Extra attempts after a failed send, each preferably on another broker. */
  retryTimesWhenSendFailed?: number;
  /** Single bodies of at least this many bytes are zlib-compressed. */
  compressMsgBodyOverHowmuch?: number;
  /** Largest body (or batch body) accepted before anything is sent. */
  maxMessageSize?: number;
  /** Template topic a broker auto-creates unknown topics from. */
  createTopicKey?: string;
  /** Queues per broker assumed for, and requested when auto-creating, an unknown topic. */
  defaultTopicQueueNums?: number;
  /** Period of HEART_BEAT to the masters this producer sends to. */
  heartbeatBrokerIntervalMs?: number;
  /**
   * Avoid a broker for a while after a slow or failed send (MQFaultStrategy, 4.x latency table). On by
   * default, unlike Java: without it a send whose first attempt meets a hung broker spends its whole
   * timeout there, and the next sends keep choosing it.
   */
  sendLatencyFaultEnable?: boolean;
}

export const DEFAULT_SEND_MSG_TIMEOUT_MS = 3000; // as DefaultMQProducer.sendMsgTimeout
export const DEFAULT_RETRY_TIMES_WHEN_SEND_FAILED = 2; // as DefaultMQProducer.retryTimesWhenSendFailed
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024; // 4 MiB, as DefaultMQProducer.maxMessageSize
export const DEFAULT_PRODUCER_TOPIC_QUEUE_NUMS = 4; // as DefaultMQProducer.defaultTopicQueueNums
export const DEFAULT_HEARTBEAT_BROKER_INTERVAL_MS = 30_000; // 30 s, as ClientConfig.heartbeatBrokerInterval
export const DEFAULT_SEND_LATENCY_FAULT_ENABLE = true; // Java's default is false; see sendLatencyFaultEnable

export const PRODUCER_OPTION_KEYS: Readonly<Record<keyof ProducerOptions, true>> = {
  ...CLIENT_OPTION_KEYS,
  producerGroup: true,
  sendMsgTimeoutMs: true,
  retryTimesWhenSendFailed: true,
  compressMsgBodyOverHowmuch: true,
  maxMessageSize: true,
  createTopicKey: true,
  defaultTopicQueueNums: true,
  heartbeatBrokerIntervalMs: true,
  sendLatencyFaultEnable: true,
};

export interface ProducerConfig {
  client: ClientConfig;
  producerGroup: string;
  sendMsgTimeoutMs: number;
  retryTimesWhenSendFailed: number;
  compressMsgBodyOverHowmuch: number;
  maxMessageSize: number;
  createTopicKey: string;
  defaultTopicQueueNums: number;
  heartbeatBrokerIntervalMs: number;
  sendLatencyFaultEnable: boolean;
}

/** Merge defaults once and validate; an unknown key is an InvalidArgumentError naming it. */
export function resolveProducerOptions(input: ProducerOptions): ProducerConfig {
  const o = optionsObject('Producer', input);
  rejectUnknownKeys('Producer', o, PRODUCER_OPTION_KEYS);
  return {
    producerGroup: nonEmptyString(o.producerGroup, 'producerGroup'),
    sendMsgTimeoutMs: positiveInt(o.sendMsgTimeoutMs ?? DEFAULT_SEND_MSG_TIMEOUT_MS, 'sendMsgTimeoutMs'),
    retryTimesWhenSendFailed: nonNegativeInt(
      o.retryTimesWhenSendFailed ?? DEFAULT_RETRY_TIMES_WHEN_SEND_FAILED,
      'retryTimesWhenSendFailed',
    ),
    compressMsgBodyOverHowmuch: positiveInt(
      o.compressMsgBodyOverHowmuch ?? DEFAULT_COMPRESS_OVER_BYTES,
      'compressMsgBodyOverHowmuch',
    ),
    maxMessageSize: positiveInt(o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE, 'maxMessageSize'),
    createTopicKey: checkTopic(o.createTopicKey ?? SystemTopic.AUTO_CREATE, 'createTopicKey'),
    defaultTopicQueueNums: positiveInt(
      o.defaultTopicQueueNums ?? DEFAULT_PRODUCER_TOPIC_QUEUE_NUMS,
      'defaultTopicQueueNums',
    ),
    heartbeatBrokerIntervalMs: positiveInt(
      o.heartbeatBrokerIntervalMs ?? DEFAULT_HEARTBEAT_BROKER_INTERVAL_MS,
      'heartbeatBrokerIntervalMs',
    ),
    sendLatencyFaultEnable: booleanOption(
      o.sendLatencyFaultEnable,
      'sendLatencyFaultEnable',
      DEFAULT_SEND_LATENCY_FAULT_ENABLE,
    ),
    client: resolveClientConfig(o, {
      component: 'producer',
      // JSON.parse and JSON.stringify are native: cheaper in Node than the binary header's per-field codec.
      serializeType: 'JSON',
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    }),
  };
}
