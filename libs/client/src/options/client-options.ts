import type { SerializeTypeValue } from '@rocketts/protocol';
import { createLogger, type Logger } from '../logger';
import { defaultInstanceName, localIPv4 } from '../client/client-id';
import { parseNamesrvAddr } from './namesrv-addr';
import {
  loggerOption,
  nonEmptyString,
  optionalString,
  positiveInt,
  serializeTypeOption,
  type SerializeTypeName,
} from './validate';

/** Options every client (producer, consumer, admin) accepts; names follow Java's ClientConfig. */
export interface ClientOptions {
  /** Name servers: "host:port;host:port" or an array; falls back to $NAMESRV_ADDR. */
  namesrvAddr?: string | string[];
  logger?: Logger;
  /** Header encoding of our requests; brokers answer in the same type (4.x) or JSON (5.x). */
  serializeType?: SerializeTypeName;
  /** IPv4 put in the client id and the message unique keys; the first external IPv4 by default. */
  clientIP?: string;
  /** Second part of the client id "ip@instanceName"; "pid#hrtime" by default, unique per client object. */
  instanceName?: string;
  /** Timeout of route, heartbeat, offset and admin requests. */
  requestTimeoutMs?: number;
  /** How often known topic routes are re-read from the name server. */
  pollNameServerIntervalMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 3000; // as ClientConfig.mqClientApiTimeout
export const DEFAULT_POLL_NAME_SERVER_INTERVAL_MS = 30_000; // 30 s, as ClientConfig.pollNameServerInterval

/** Keys of ClientOptions, for the unknown-key check of each client's options. */
export const CLIENT_OPTION_KEYS: Readonly<Record<keyof ClientOptions, true>> = {
  namesrvAddr: true,
  logger: true,
  serializeType: true,
  clientIP: true,
  instanceName: true,
  requestTimeoutMs: true,
  pollNameServerIntervalMs: true,
};

export interface ClientConfig {
  namesrvAddrs: string[];
  logger: Logger;
  serializeType: SerializeTypeValue;
  clientIP: string;
  instanceName: string;
  requestTimeoutMs: number;
  pollNameServerIntervalMs: number;
}

export interface ClientDefaults {
  component: string;
  serializeType: SerializeTypeName;
  requestTimeoutMs: number;
}

export function resolveClientConfig(o: ClientOptions, defaults: ClientDefaults): ClientConfig {
  return {
    namesrvAddrs: parseNamesrvAddr(o.namesrvAddr),
    logger: loggerOption(o.logger, 'logger') ?? createLogger(defaults.component),
    serializeType: serializeTypeOption(o.serializeType, 'serializeType', defaults.serializeType),
    clientIP: optionalString(o.clientIP, 'clientIP') ?? localIPv4(),
    instanceName:
      o.instanceName === undefined ? defaultInstanceName() : nonEmptyString(o.instanceName, 'instanceName'),
    requestTimeoutMs: positiveInt(o.requestTimeoutMs ?? defaults.requestTimeoutMs, 'requestTimeoutMs'),
    pollNameServerIntervalMs: positiveInt(
      o.pollNameServerIntervalMs ?? DEFAULT_POLL_NAME_SERVER_INTERVAL_MS,
      'pollNameServerIntervalMs',
    ),
  };
}
