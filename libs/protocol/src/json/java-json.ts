import { ProtocolError } from '../errors/protocol-error';

/*
 * JSON as fastjson 1.x (RemotingSerializable) writes and reads it (§6.0):
 * - a Java Map with numeric keys is written with bare keys: {"brokerAddrs":{0:"10.0.0.1:10911"}};
 * - a Map keyed by a bean is written with the object itself as key: {{"brokerName":"b","queueId":0,"topic":"T"}:5};
 * - bean properties come out in alphabetical order and nulls are omitted.
 * We model such maps as JS `Map`s when writing; when reading, numeric keys become their text and
 * object keys become the canonical JSON text of the key object (see `canonicalJson`).
 */

export interface JavaJsonOptions {
  /**
   * Standard mode (QuoteFieldNames + MapSortField + BrowserCompatible), used for routes to clients
   * ≥ 4.9.4: numeric keys quoted, non-ASCII escaped as \uXXXX.
   */
  standard?: boolean;
}

export function stringifyJavaJson(value: unknown, options: JavaJsonOptions = {}): string {
  const s = write(value, options.standard === true);
  return options.standard ? escapeNonAscii(s) : s;
}

export function encodeJavaJson(value: unknown, options: JavaJsonOptions = {}): Buffer {
  return Buffer.from(stringifyJavaJson(value, options), 'utf8');
}

function write(v: unknown, standard: boolean): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(v)) return `[${v.map((x) => write(x, standard)).join(',')}]`;
  if (v instanceof Set) return write([...v], standard);
  if (v instanceof Map) {
    const entries = [...v.entries()].filter(([, x]) => x !== undefined && x !== null);
    const keyed = entries.map(([k, x]) => [writeKey(k, standard), write(x, standard)] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${keyed.map(([k, x]) => `${k}:${x}`).join(',')}}`;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && obj[k] !== null)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(obj[k], standard)}`).join(',')}}`;
}

function writeKey(k: unknown, standard: boolean): string {
  if (typeof k === 'number' || typeof k === 'bigint') return standard ? `"${k}"` : String(k);
  if (typeof k === 'string') return JSON.stringify(k);
  return write(k, standard);
}

function escapeNonAscii(s: string): string {
  return s.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Canonical text of a parsed object used as a map key: JSON with sorted keys. */
export function canonicalJson(v: unknown): string {
  return stringifyJavaJson(v, { standard: true });
}

/** Parse JSON as fastjson produces it, including bare numeric/identifier keys and object keys. */
export function parseJavaJson(input: string | Buffer): unknown {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return new TolerantParser(text).parseDocument();
  }
}

class TolerantParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.pos !== this.s.length) this.fail('trailing characters');
    return v;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, val] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return val;
      }
    }
    return this.fail('unexpected character');
  }

  private object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      const key = this.key();
      this.ws();
      if (this.s[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      out[key] = this.value();
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private key(): string {
    const c = this.s[this.pos];
    if (c === '"') return this.string();
    if (c === '{' || c === '[') return canonicalJson(this.value());
    const m = /^[A-Za-z0-9_$.+-]+/.exec(this.s.slice(this.pos, this.pos + 64));
    if (!m) return this.fail('expected a key');
    this.pos += m[0].length;
    return m[0];
  }

  private array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return JSON.parse(this.s.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail('unterminated string');
  }

  private number(): number {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 64));
    if (!m) return this.fail('bad number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private ws(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos] as string)) this.pos++;
  }

  private fail(what: string): never {
    throw new ProtocolError(`invalid JSON body at ${this.pos}: ${what}`, 'BODY_INVALID_JSON');
  }
}
