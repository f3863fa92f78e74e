import { Admin, createLogger, Producer, PullConsumer, type LogLevel, type Logger } from '@rocketts/client';
import type { VerbArgs } from './verb';

/**
 * Client logs are JSON lines on stderr; a command-line tool keeps them to errors unless ROCKETTS_LOG_LEVEL
 * asks for more, so a failed name server shows as one "failed:" line, not a warning per retry.
 */
const DEFAULT_CLI_LOG_LEVEL: LogLevel = 'error';

function cliLogger(): Logger {
  return process.env.ROCKETTS_LOG_LEVEL
    ? createLogger('admin')
    : createLogger('admin', { level: DEFAULT_CLI_LOG_LEVEL });
}

interface Client {
  start(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Start `client`, run `fn`, and always shut the client down, so the process can exit. */
async function using<C extends Client, T>(client: C, fn: (c: C) => Promise<T>): Promise<T> {
  await client.start();
  try {
    return await fn(client);
  } finally {
    await client.shutdown();
  }
}

export function withAdmin<T>(args: VerbArgs, fn: (admin: Admin) => Promise<T>): Promise<T> {
  return using(new Admin({ namesrvAddr: args.required('namesrvAddr'), logger: cliLogger() }), fn);
}

export function withProducer<T>(
  args: VerbArgs,
  producerGroup: string,
  fn: (producer: Producer) => Promise<T>,
): Promise<T> {
  return using(
    new Producer({ namesrvAddr: args.required('namesrvAddr'), producerGroup, logger: cliLogger() }),
    fn,
  );
}

export function withPullConsumer<T>(
  args: VerbArgs,
  consumerGroup: string,
  fn: (consumer: PullConsumer) => Promise<T>,
): Promise<T> {
  return using(
    new PullConsumer({ namesrvAddr: args.required('namesrvAddr'), consumerGroup, logger: cliLogger() }),
    fn,
  );
}
