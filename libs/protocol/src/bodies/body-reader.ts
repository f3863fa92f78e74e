import { ProtocolError } from '../errors/protocol-error';
import { parseJavaJson } from '../json/java-json';

/** Small typed accessors over a parsed JSON body, so a malformed body is a clear ProtocolError. */
export type Json = Record<string, unknown>;

export function parseBody(body: Buffer | undefined, what: string): Json {
  if (!body || body.length === 0) throw new ProtocolError(`${what}: empty body`, 'BODY_INVALID');
  const v = parseJavaJson(body);
  return obj(v, what);
}

export function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ProtocolError(`${what}: not an object`, 'BODY_INVALID');
  return v as Json;
}

export function optObj(v: unknown, what: string): Json {
  return v === undefined || v === null ? {} : obj(v, what);
}

export function arr(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ProtocolError(`${what}: not an array`, 'BODY_INVALID');
  return v;
}

export function str(v: unknown, what: string, dflt?: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  throw new ProtocolError(`${what}: expected a string`, 'BODY_INVALID');
}

export function num(v: unknown, what: string, dflt?: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  throw new ProtocolError(`${what}: expected a number`, 'BODY_INVALID');
}

export function bool(v: unknown, dflt = false): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.toLowerCase() === 'true';
  return dflt;
}
