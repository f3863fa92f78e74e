import { InvalidArgumentError, SerializeType, type SerializeTypeValue } from '@rocketts/protocol';
import type { Logger } from '../logger';

/*
 * Small checks for options and call arguments. Each names the offending key in an InvalidArgumentError,
 * so a typo in a config file is reported as such instead of silently falling back to a default.
 */

/** Reject keys of `input` that `known` does not list (bullmq/fastify style: fail at construction). */
export function rejectUnknownKeys(who: string, input: object, known: Readonly<Record<string, true>>): void {
  for (const key of Object.keys(input)) {
    if (!Object.prototype.hasOwnProperty.call(known, key)) {
      throw new InvalidArgumentError(key, `unknown ${who} option (known: ${Object.keys(known).join(', ')})`);
    }
  }
}

export function optionsObject<T extends object>(who: string, input: T): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidArgumentError('options', `${who} options must be an object`);
  }
  return input;
}

export function positiveInt(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(key, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** A finite number > 0 (durations in coarse units where fractions make sense, like minutes). */
export function positiveNumber(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(key, `must be a positive number, got ${String(value)}`);
  }
  return value;
}

export function nonNegativeInt(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(key, `must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** A Java `int` (FLAG, queueId): −2^31 … 2^31−1. */
export function int32(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    throw new InvalidArgumentError(key, `must be a 32-bit integer, got ${String(value)}`);
  }
  return value;
}

export function nonEmptyString(value: unknown, key: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new InvalidArgumentError(key, 'must be a non-empty string');
  }
  return value;
}

export function optionalString(value: unknown, key: string): string | undefined {
  return value === undefined ? undefined : nonEmptyString(value, key);
}

export function booleanOption(value: unknown, key: string, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== 'boolean')
    throw new InvalidArgumentError(key, `must be a boolean, got ${String(value)}`);
  return value;
}

export type SerializeTypeName = keyof typeof SerializeType;

export function serializeTypeOption(
  value: unknown,
  key: string,
  dflt: SerializeTypeName,
): SerializeTypeValue {
  const name = value ?? dflt;
  if (name !== 'JSON' && name !== 'ROCKETMQ') {
    throw new InvalidArgumentError(key, `must be 'ROCKETMQ' or 'JSON', got ${String(name)}`);
  }
  return SerializeType[name];
}

export function loggerOption(value: unknown, key: string): Logger | undefined {
  if (value === undefined) return undefined;
  const l = value as Partial<Logger>;
  if (typeof l !== 'object' || l === null || typeof l.info !== 'function' || typeof l.child !== 'function') {
    throw new InvalidArgumentError(key, 'must be a Logger (debug, info, warn, error, child)');
  }
  return value as Logger;
}

/** One of the values of an `as const` table of strings. */
export function oneOf<T extends Record<string, string>>(value: unknown, allowed: T, key: string): T[keyof T] {
  if (typeof value !== 'string' || !Object.values(allowed).includes(value)) {
    throw new InvalidArgumentError(
      key,
      `must be one of ${Object.values(allowed).join(', ')}, got ${String(value)}`,
    );
  }
  return value as T[keyof T];
}
