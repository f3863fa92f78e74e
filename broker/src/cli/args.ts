/**
 * Command-line flags as mqadmin and mqbroker take them: `-n value`, `--name value`, `--name=value`,
 * bare `-p` style switches. Values never start with "-" unless given as `--name=-x`.
 */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const name = a.replace(/^--?/, '');
    const eq = name.indexOf('=');
    if (eq >= 0) {
      flags.set(name.slice(0, eq), name.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      flags.set(name, next);
      i++;
    } else {
      flags.set(name, true);
    }
  }
  return { positionals, flags };
}

/** The value of the first of `names` present; `true` for a bare switch. */
export function flag(args: ParsedArgs, ...names: string[]): string | true | undefined {
  for (const n of names) if (args.flags.has(n)) return args.flags.get(n);
  return undefined;
}

export function stringFlag(args: ParsedArgs, ...names: string[]): string | undefined {
  const v = flag(args, ...names);
  return typeof v === 'string' ? v : undefined;
}

/** Thrown for a bad command line; main prints it with the usage and exits 2. */
export class UsageError extends Error {}
