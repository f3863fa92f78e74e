import { ProtocolError } from '../errors/protocol-error';
import { SerializeType } from '../codes/flags';
import type { RemotingCommand } from './command';

/**
 * JSON header (serialize type 0). Written as fastjson writes a RemotingCommand: keys in alphabetical
 * order, null keys omitted, plus `serializeTypeCurrentRPC` — byte-identical to a Java broker's header.
 */
export function encodeJsonHeader(cmd: RemotingCommand): string {
  let s = `{"code":${cmd.code}`;
  if (cmd.extFieldsJson !== undefined) s += `,"extFields":${cmd.extFieldsJson}`;
  else if (cmd.extFields !== undefined) s += `,"extFields":${JSON.stringify(cmd.extFields)}`;
  s += `,"flag":${cmd.flag},"language":${cmd.language === 'JAVA' ? '"JAVA"' : JSON.stringify(cmd.language)},"opaque":${cmd.opaque}`;
  if (cmd.remark !== undefined && cmd.remark !== null) s += `,"remark":${JSON.stringify(cmd.remark)}`;
  return s + `,"serializeTypeCurrentRPC":"JSON","version":${cmd.version}}`;
}

/**
 * Decode a JSON header. Accepts any key order, missing optional keys and extFields whose values are
 * numbers or booleans (ali-ons sends `"d":4`, `"k":false`): they become their text, null becomes absent.
 */
export function decodeJsonHeader(bytes: Buffer): Omit<RemotingCommand, 'body'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ProtocolError(
      `header is not valid JSON: ${(err as Error).message}`,
      'HEADER_INVALID_JSON',
      err,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError('header JSON is not an object', 'HEADER_INVALID_JSON');
  }
  const h = parsed as Record<string, unknown>;
  return {
    code: intField(h, 'code', undefined),
    language: typeof h.language === 'string' ? h.language : 'JAVA',
    version: intField(h, 'version', 0),
    opaque: intField(h, 'opaque', 0),
    flag: intField(h, 'flag', 0),
    remark: typeof h.remark === 'string' ? h.remark : undefined,
    extFields: coerceExtFields(h.extFields),
    serializeType: SerializeType.JSON,
  };
}

function intField(h: Record<string, unknown>, key: string, dflt: number | undefined): number {
  const v = h[key];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new ProtocolError(`header has no '${key}'`, 'HEADER_INVALID_JSON');
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ProtocolError(`header '${key}' is not an integer`, 'HEADER_INVALID_JSON');
  }
  return v;
}

function coerceExtFields(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new ProtocolError('header extFields is not an object', 'HEADER_INVALID_JSON');
  }
  const ext = v as Record<string, unknown>;
  // Java peers send only strings: then the parsed object is used as is, without a copy.
  let allStrings = true;
  for (const k in ext) {
    if (typeof ext[k] !== 'string') {
      allStrings = false;
      break;
    }
  }
  if (allStrings) return ext as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(ext)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else if (val !== null && val !== undefined) out[k] = JSON.stringify(val);
  }
  return out;
}
