import { ConfigError } from '@rocketts/protocol';

/**
 * Schema-driven config: each concern lists its keys (RocketMQ's broker.conf names where they exist)
 * with type, default and bounds. Values may come typed (API) or as text (properties files).
 */
export type KeySpec =
  | { type: 'int'; default: number; min?: number; max?: number; doc: string }
  | { type: 'bool'; default: boolean; doc: string }
  | { type: 'string'; default: string; doc: string; pattern?: RegExp }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string }
  | { type: 'float'; default: number; min?: number; max?: number; doc: string };

export type Schema = Record<string, KeySpec>;

type ValueOf<S extends KeySpec> = S extends { type: 'int' | 'float' }
  ? number
  : S extends { type: 'bool' }
    ? boolean
    : string;

export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: ValueOf<S[K]> };

/** Resolve `input` against `schema`: defaults merged, every value checked, result frozen. */
export function resolveSchema<S extends Schema>(schema: S, input: Record<string, unknown>): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const raw = input[key];
    out[key] = raw === undefined || raw === '' ? spec.default : coerce(key, spec, raw);
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Keys of `input` that no schema knows. */
export function unknownKeys(input: Record<string, unknown>, ...schemas: Schema[]): string[] {
  return Object.keys(input).filter((k) => !schemas.some((s) => k in s));
}

/** Reject unknown keys, naming the first (API use; files only warn). */
export function rejectUnknownKeys(input: Record<string, unknown>, ...schemas: Schema[]): void {
  const [first] = unknownKeys(input, ...schemas);
  if (first !== undefined) throw new ConfigError(first, 'unknown configuration key');
}

function coerce(key: string, spec: KeySpec, raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.type) {
    case 'int':
    case 'float': {
      const n =
        typeof text === 'number' ? text : typeof text === 'string' && text !== '' ? Number(text) : NaN;
      if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) {
        throw new ConfigError(
          key,
          `expected ${spec.type === 'int' ? 'an integer' : 'a number'}, got '${String(raw)}'`,
        );
      }
      if (spec.min !== undefined && n < spec.min)
        throw new ConfigError(key, `${n} is below the minimum ${spec.min}`);
      if (spec.max !== undefined && n > spec.max)
        throw new ConfigError(key, `${n} is above the maximum ${spec.max}`);
      return n;
    }
    case 'bool':
      if (typeof text === 'boolean') return text;
      if (text === 'true' || text === 'false') return text === 'true';
      throw new ConfigError(key, `expected true or false, got '${String(raw)}'`);
    case 'enum':
      if (typeof text === 'string' && spec.values.includes(text)) return text;
      throw new ConfigError(key, `expected one of ${spec.values.join(', ')}, got '${String(raw)}'`);
    case 'string':
      if (typeof text !== 'string') throw new ConfigError(key, `expected a string, got '${String(raw)}'`);
      if (spec.pattern && !spec.pattern.test(text))
        throw new ConfigError(key, `'${text}' does not match ${spec.pattern}`);
      return text;
  }
}
