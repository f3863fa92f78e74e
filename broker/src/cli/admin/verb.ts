import { NAMESRV_ADDR_ENV } from '@rocketts/client';
import { UsageError, type ParsedArgs } from '../args';

/** One option of a verb, as mqadmin's commons-cli Option: `-t,--topic <topic>`. */
export interface OptionSpec {
  short: string;
  long: string;
  /** Placeholder of the value in the usage text. */
  arg: string;
  description: string;
  required?: boolean;
  /** Environment variable that stands in for a missing required option. */
  env?: string;
}

/** Where a verb writes: stdout for results, stderr for warnings. */
export interface VerbOutput {
  out(text: string): void;
  warn(text: string): void;
}

export interface AdminVerb {
  name: string;
  /** One line, shown by `rocketts admin help`. */
  description: string;
  /** Full usage text: synopsis and one line per option. */
  usage: string;
  options: readonly OptionSpec[];
  run(args: VerbArgs, io: VerbOutput): Promise<void>;
}

export interface VerbDefinition {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  /** Synopsis after the verb name when the generated one cannot say it (e.g. "-c | -b"). */
  synopsis?: string;
  run(args: VerbArgs, io: VerbOutput): Promise<void>;
}

/** `-n`, which every verb talking to a cluster takes, as mqadmin's MQAdminStartup adds it. */
export const NAMESRV_OPTION: OptionSpec = {
  short: 'n',
  long: 'namesrvAddr',
  arg: 'namesrvAddr',
  description: `name server address list, e.g. '192.168.0.1:9876;192.168.0.2:9876' (or $${NAMESRV_ADDR_ENV})`,
  required: true,
  env: NAMESRV_ADDR_ENV,
};

const HELP_FLAGS = new Set(['h', 'help']);

export const optionName = (o: OptionSpec): string => `-${o.short} <${o.arg}>`;

export function defineVerb(def: VerbDefinition): AdminVerb {
  const synopsis =
    def.synopsis ?? def.options.map((o) => (o.required ? optionName(o) : `[${optionName(o)}]`)).join(' ');
  const labels = def.options.map((o) => ` -${o.short},--${o.long} <${o.arg}>`);
  const width = Math.max(...labels.map((l) => l.length));
  const lines = def.options.map((o, i) => `${(labels[i] ?? '').padEnd(width)}   ${o.description}`);
  const usage = `usage: rocketts admin ${def.name} ${synopsis}\n${lines.join('\n')}\n`;
  return { ...def, usage };
}

/** True when the command line asks for the verb's help (`-h`, `--help`). */
export function wantsHelp(parsed: ParsedArgs): boolean {
  return [...parsed.flags.keys()].some((k) => HELP_FLAGS.has(k));
}

/**
 * A verb's parsed command line, checked against its options before anything connects: no positionals, no
 * unknown option, every required option present (a usage error names the first one missing).
 */
export class VerbArgs {
  private constructor(
    private readonly parsed: ParsedArgs,
    private readonly options: readonly OptionSpec[],
  ) {}

  static check(parsed: ParsedArgs, options: readonly OptionSpec[]): VerbArgs {
    const [extra] = parsed.positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
    for (const key of parsed.flags.keys()) {
      if (!options.some((o) => o.short === key || o.long === key))
        throw new UsageError(`unknown option ${key.length === 1 ? '-' : '--'}${key}`);
    }
    const args = new VerbArgs(parsed, options);
    for (const o of options) {
      if (!o.required || args.has(o.long)) continue;
      if (o.env !== undefined && (process.env[o.env] ?? '').trim() !== '') continue;
      throw new UsageError(`missing required option ${optionName(o)}${o.env ? ` (or set $${o.env})` : ''}`);
    }
    return args;
  }

  has(long: string): boolean {
    const o = this.spec(long);
    return this.parsed.flags.has(o.short) || this.parsed.flags.has(o.long);
  }

  /** The option's trimmed value, else its environment fallback; a bare flag or empty value is a usage error. */
  string(long: string): string | undefined {
    const o = this.spec(long);
    const v = this.parsed.flags.get(o.short) ?? this.parsed.flags.get(o.long);
    if (v === undefined) {
      const env = o.env === undefined ? undefined : process.env[o.env]?.trim();
      return env ? env : undefined;
    }
    if (v === true || v.trim() === '') throw new UsageError(`option ${optionName(o)} needs a value`);
    return v.trim();
  }

  /** The value of an option `check` made sure is present. */
  required(long: string): string {
    const v = this.string(long);
    if (v === undefined) throw new UsageError(`missing required option ${optionName(this.spec(long))}`);
    return v;
  }

  /** A non-negative integer (queue numbers, offsets, timestamps in ms). */
  int(long: string): number | undefined {
    const v = this.string(long);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
      throw new UsageError(
        `option ${optionName(this.spec(long))} must be a non-negative integer, got '${v}'`,
      );
    return n;
  }

  intOr(long: string, dflt: number): number {
    return this.int(long) ?? dflt;
  }

  /** `-o`, `-o true`, `-o false`, as Boolean.parseBoolean but strict about typos. */
  bool(long: string, dflt: boolean): boolean {
    const o = this.spec(long);
    const v = this.parsed.flags.get(o.short) ?? this.parsed.flags.get(o.long);
    if (v === undefined) return dflt;
    if (v === true) return true;
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === 'false') return s === 'true';
    throw new UsageError(`option ${optionName(o)} must be true or false, got '${v}'`);
  }

  private spec(long: string): OptionSpec {
    const o = this.options.find((x) => x.long === long);
    if (!o) throw new Error(`option --${long} is not declared by this verb`);
    return o;
  }
}
