import { HeaderFieldError } from '../errors/header-field-error';

/**
 * Typed codecs for custom headers (extFields). Java decodes each field by its declared type: String
 * as is, int/long via parseInt/parseLong, boolean true only for "true" (any case). Fields marked
 * required are rejected when missing; Java only logs that, then fails later with an NPE.
 */
export type FieldType = 'string' | 'int' | 'long' | 'boolean';

export interface FieldSpec {
  readonly type: FieldType;
  readonly required?: boolean;
  /** Key on the wire when it differs from the field name (SEND_MESSAGE_V2's one-letter keys). */
  readonly wire?: string;
}

type ValueOf<T extends FieldType> = T extends 'string' ? string : T extends 'boolean' ? boolean : number;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>;

export type HeaderOf<S extends Record<string, FieldSpec>> = {
  -readonly [K in RequiredKeys<S>]: ValueOf<S[K]['type']>;
} & { -readonly [K in OptionalKeys<S>]?: ValueOf<S[K]['type']> | undefined };

export interface HeaderField {
  readonly field: string;
  readonly wire: string;
  readonly type: FieldType;
  readonly required?: boolean | undefined;
}

export interface HeaderCodec<T> {
  readonly name: string;
  readonly fields: readonly HeaderField[];
  decode(ext: Record<string, string> | undefined): T;
  encode(header: T): Record<string, string>;
}

/** Java's Integer.parseInt / Long.parseLong accept an optional sign and decimal digits only. */
function isIntegerText(s: string): boolean {
  const len = s.length;
  let i = 0;
  if (len > 0 && (s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45)) i = 1;
  if (i === len) return false;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

export function defineHeader<S extends Record<string, FieldSpec>>(
  name: string,
  spec: S,
): HeaderCodec<HeaderOf<S>> {
  const fields: HeaderField[] = Object.entries(spec).map(([field, s]) => ({
    field,
    wire: s.wire ?? field,
    type: s.type,
    required: s.required,
  }));
  const decode = compileDecode(name, fields);
  return {
    name,
    fields,
    decode: (ext) => decode(ext) as HeaderOf<S>,
    encode(header) {
      const out: Record<string, string> = {};
      const h = header as Record<string, unknown>;
      for (const f of fields) {
        const v = h[f.field];
        if (v === undefined || v === null) continue;
        out[f.wire] = typeof v === 'string' ? v : String(v);
      }
      return out;
    },
  };
}

const NO_FIELDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * A decoder specialised to one header, compiled once per codec: a named load per wire key and one
 * object literal with every field in spec order (absent optional ones undefined), so every decoded
 * header of a kind shares one hidden class. A loop over the fields costs a megamorphic keyed load and
 * store per field, 5 % of the broker's CPU on single sends (SEND_MESSAGE_V2 has 14 fields). The
 * generated text holds only keys from our own specs, quoted by JSON.stringify.
 */
function compileDecode(
  name: string,
  fields: readonly HeaderField[],
): (ext: Record<string, string> | undefined) => unknown {
  const lines = ['const e = ext === undefined ? NO_FIELDS : ext;'];
  const props: string[] = [];
  fields.forEach((f, i) => {
    lines.push(`const r${i} = e[${JSON.stringify(f.wire)}];`);
    if (f.required) lines.push(`if (r${i} === undefined) missing(${i});`);
    const value = f.type === 'string' ? `r${i}` : `r${i} === undefined ? undefined : parse(${i}, r${i})`;
    props.push(`${JSON.stringify(f.field)}: ${value}`);
  });
  lines.push(`return { ${props.join(', ')} };`);
  const field = (i: number): HeaderField => fields[i] as HeaderField;
  const missing = (i: number): never => {
    throw new HeaderFieldError(name, field(i).wire, undefined);
  };
  const parse = (i: number, raw: string): unknown => parseValue(name, field(i).wire, field(i).type, raw);
  let make: (...args: unknown[]) => unknown;
  try {
    make = new Function(
      'NO_FIELDS',
      'missing',
      'parse',
      `return function decode(ext) {\n${lines.join('\n')}\n};`,
    ) as (...args: unknown[]) => unknown;
  } catch {
    // Code generation from strings is disabled (node --disallow-code-generation-from-strings).
    return loopDecode(fields, missing, parse);
  }
  return make(NO_FIELDS, missing, parse) as (ext: Record<string, string> | undefined) => unknown;
}

/** The same decoding as a loop over the fields, where strings cannot be compiled. */
function loopDecode(
  fields: readonly HeaderField[],
  missing: (i: number) => never,
  parse: (i: number, raw: string) => unknown,
): (ext: Record<string, string> | undefined) => unknown {
  return (ext) => {
    const out: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      const raw = ext?.[f.wire];
      if (raw === undefined && f.required) missing(i);
      out[f.field] = raw === undefined || f.type === 'string' ? raw : parse(i, raw);
    });
    return out;
  };
}

function parseValue(header: string, field: string, type: FieldType, raw: string): string | number | boolean {
  switch (type) {
    case 'string':
      return raw;
    case 'boolean':
      return raw.length === 4 && raw.toLowerCase() === 'true';
    case 'int':
    case 'long': {
      if (!isIntegerText(raw)) throw new HeaderFieldError(header, field, raw);
      const n = Number(raw);
      if (type === 'int' ? n < INT_MIN || n > INT_MAX : !Number.isSafeInteger(n)) {
        throw new HeaderFieldError(header, field, raw);
      }
      return n;
    }
  }
}

/** The header object type a codec decodes to. */
export type HeaderValue<C> = C extends HeaderCodec<infer T> ? T : never;
