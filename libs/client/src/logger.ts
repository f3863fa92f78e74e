/**
 * Structured logs: one JSON object per line on stderr, `{"time","level","component","msg",…fields}`.
 * The level comes from ROCKETTS_LOG_LEVEL (debug, info, warn, error, silent); default info.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
}

export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  const envLevel = process.env.ROCKETTS_LOG_LEVEL as LogLevel | undefined;
  const level = options.level ?? (envLevel && envLevel in RANK ? envLevel : 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const min = RANK[level];
  const log =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (RANK[lvl] < min) return;
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: lvl,
          component,
          msg,
          ...serializeFields(fields),
        }),
      );
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (sub) => createLogger(`${component}.${sub}`, { level, write }),
  };
}

function serializeFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] =
      v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: unknown }).code } : v;
  }
  return out;
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = createLogger('silent', { level: 'silent' });
