import { createLogger, type Logger } from '@rocketts/client';
import { ConfigError } from '@rocketts/protocol';
import { BrokerController } from '../broker-controller';
import { BROKER_CONF_SCHEMAS, NAMESRV_SCHEMA, readPropertiesFile, resolveBrokerConfig } from '../config';
import { NamesrvController, resolveNamesrvConfig } from '../namesrv';
import { stringFlag, UsageError, type ParsedArgs } from './args';

/** Flags that are not config keys. */
const OWN_FLAGS = new Set(['c', 'config', 'n', 'namesrvAddr', 'p', 'printConfigItem', 'port', 'h', 'help']);

/**
 * Config from `-c file`, then any `--key=value` naming a config key, then the short flags.
 * Unknown keys in the file are warnings; unknown flags are usage errors.
 */
function collectConfig(args: ParsedArgs, schemas: object[], logger: Logger): Record<string, string> {
  const file = stringFlag(args, 'c', 'config');
  const input: Record<string, string> = file ? readPropertiesFile(file) : {};
  for (const [k, v] of args.flags) {
    if (OWN_FLAGS.has(k)) continue;
    if (!schemas.some((s) => k in s)) throw new UsageError(`unknown option --${k}`);
    if (v === true) throw new UsageError(`option --${k} needs a value`);
    input[k] = v;
  }
  const port = stringFlag(args, 'port');
  if (port !== undefined) input.listenPort = port;
  logger.debug('configuration collected', { file, keys: Object.keys(input) });
  return input;
}

/**
 * SIGTERM/SIGINT stop cleanly and exit 0 (a second signal exits at once). Installed before the
 * server starts, so a signal that arrives while it boots (or right after "boot success") is not
 * lost: the stop runs as soon as the server is up.
 */
function handleSignals(logger: Logger): { ready(stop: () => Promise<void>): void } {
  let stopFn: (() => Promise<void>) | undefined;
  let requested: string | undefined;
  const run = (signal: string): void => {
    logger.info('signal received, shutting down', { signal });
    (stopFn as () => Promise<void>)().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error('shutdown failed', { error: err });
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: string): void => {
    if (requested) process.exit(1);
    requested = signal;
    if (stopFn) run(signal);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return {
    ready(stop) {
      stopFn = stop;
      if (requested) run(requested);
    },
  };
}

export async function namesrvCommand(args: ParsedArgs): Promise<void> {
  const logger = createLogger('namesrv');
  const input = collectConfig(args, [NAMESRV_SCHEMA], logger);
  const config = resolveNamesrvConfig(input, { unknownKeys: 'warn', logger });
  if (args.flags.has('p') || args.flags.has('printConfigItem')) {
    for (const [k, v] of Object.entries(config)) process.stdout.write(`${k}=${String(v)}\n`);
    return;
  }
  const signals = handleSignals(logger);
  const ns = new NamesrvController(config, { logger });
  const info = await ns.start();
  signals.ready(() => ns.shutdown());
  process.stdout.write(
    `The Name Server boot success. serializeType=JSON port=${info.port}${info.metricsPort === undefined ? '' : `, metrics on port ${info.metricsPort}`}\n`,
  );
}

export async function brokerCommand(args: ParsedArgs): Promise<void> {
  const logger = createLogger('broker');
  const input = collectConfig(args, [...BROKER_CONF_SCHEMAS], logger);
  const n = stringFlag(args, 'n', 'namesrvAddr');
  if (n !== undefined) input.namesrvAddr = n;
  const config = resolveBrokerConfig(input, { unknownKeys: 'warn', logger });
  if (args.flags.has('p') || args.flags.has('printConfigItem')) {
    for (const [k, v] of Object.entries({ ...config.broker, ...config.store, ...config.schedule }))
      process.stdout.write(`${k}=${String(v)}\n`);
    return;
  }
  const signals = handleSignals(logger);
  const broker = new BrokerController(config, logger);
  const info = await broker.start();
  signals.ready(() => broker.shutdown());
  process.stdout.write(
    `The broker[${config.broker.brokerName}, ${info.addr}] boot success. serializeType=JSON and name server is ${config.broker.namesrvAddr || 'none'}${info.metricsPort === undefined ? '' : `, metrics on port ${info.metricsPort}`}\n`,
  );
}

export function describeConfigError(err: unknown): string | undefined {
  return err instanceof ConfigError ? `invalid configuration: ${err.message}` : undefined;
}
