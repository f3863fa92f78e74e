import { homedir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '@rocketts/client';
import { ConfigError } from '@rocketts/protocol';
import { NAMESRV_SCHEMA, type NamesrvConfig } from '../config/broker-config';
import { rejectUnknownKeys, resolveSchema, unknownKeys } from '../config/config-schema';

/** As NamesrvConfig.kvConfigPath: `${user.home}/namesrv/kvConfig.json`. */
export function defaultKvConfigPath(): string {
  return join(homedir(), 'namesrv', 'kvConfig.json');
}

export interface ResolveNamesrvConfigOptions {
  /** 'reject' (API default) throws ConfigError naming the key; 'warn' (config files) logs and ignores it. */
  unknownKeys?: 'reject' | 'warn';
  logger?: Logger;
}

/** Defaults merged and checked once; an empty kvConfigPath becomes the Java default. */
export function resolveNamesrvConfig(
  input: Record<string, unknown>,
  options: ResolveNamesrvConfigOptions = {},
): NamesrvConfig {
  if ((options.unknownKeys ?? 'reject') === 'reject') rejectUnknownKeys(input, NAMESRV_SCHEMA);
  else {
    const logger = options.logger ?? createLogger('namesrv.config');
    for (const key of unknownKeys(input, NAMESRV_SCHEMA)) logger.warn('unknown config key ignored', { key });
  }
  return withDefaultPaths(resolveSchema(NAMESRV_SCHEMA, input));
}

export function withDefaultPaths(config: NamesrvConfig): NamesrvConfig {
  return config.kvConfigPath === ''
    ? Object.freeze({ ...config, kvConfigPath: defaultKvConfigPath() })
    : config;
}

/*
 * UPDATE_NAMESRV_CONFIG rules. Java refuses kvConfigPath and configStorePath (NO_PERMISSION): a remote
 * peer must not choose where the name server writes files. We refuse every key that names a file or
 * directory, known or not, before anything else is looked at.
 */
const PATH_KEY = /(path|dir|file|home)$/i;
/** Keys read at start only: changing them remotely would make GET_NAMESRV_CONFIG lie. */
const START_ONLY_KEYS: ReadonlySet<string> = new Set(['listenPort', 'bindAddress', 'metricsPort']);

export type ConfigUpdateOutcome =
  | { status: 'UPDATED'; keys: string[] }
  | { status: 'PATH_KEY_REFUSED'; key: string }
  /** `message` names the key: "config key 'x': …" as ConfigError writes it. */
  | { status: 'INVALID'; key: string; message: string };

/**
 * The live name-server config (as Configuration in Java): processors read `current` on every request,
 * so an accepted update applies to the next one. Updates are all-or-nothing.
 */
export class NamesrvRuntimeConfig {
  private config: NamesrvConfig;
  private readonly listeners: ((config: NamesrvConfig, changed: readonly string[]) => void)[] = [];

  constructor(initial: NamesrvConfig) {
    this.config = withDefaultPaths(initial);
  }

  get current(): NamesrvConfig {
    return this.config;
  }

  onChange(listener: (config: NamesrvConfig, changed: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Apply `key=value` pairs from a properties body (values as text, as Java sends them). */
  update(changes: Record<string, string>): ConfigUpdateOutcome {
    const keys = Object.keys(changes);
    const pathKey = keys.find((k) => PATH_KEY.test(k));
    if (pathKey !== undefined) return { status: 'PATH_KEY_REFUSED', key: pathKey };
    const unknown = keys.find((k) => !(k in NAMESRV_SCHEMA));
    if (unknown !== undefined) return invalid(new ConfigError(unknown, 'unknown configuration key'));
    const startOnly = keys.find((k) => START_ONLY_KEYS.has(k));
    if (startOnly !== undefined)
      return invalid(new ConfigError(startOnly, 'read at start only; change it in the config file'));
    let next: NamesrvConfig;
    try {
      next = resolveSchema(NAMESRV_SCHEMA, { ...this.config, ...changes });
    } catch (err) {
      if (err instanceof ConfigError) return invalid(err);
      throw err;
    }
    const changed = keys.filter(
      (k) => next[k as keyof NamesrvConfig] !== this.config[k as keyof NamesrvConfig],
    );
    this.config = next;
    if (changed.length > 0) for (const l of this.listeners) l(next, changed);
    return { status: 'UPDATED', keys: changed };
  }
}

function invalid(err: ConfigError): ConfigUpdateOutcome {
  return { status: 'INVALID', key: err.key, message: err.message };
}

/** As Configuration.getAllConfigsFormatString / MixAll.properties2String: one "key=value\n" per key. */
export function formatNamesrvConfig(config: NamesrvConfig): string {
  return Object.keys(NAMESRV_SCHEMA)
    .map((k) => `${k}=${String(config[k as keyof NamesrvConfig])}\n`)
    .join('');
}
