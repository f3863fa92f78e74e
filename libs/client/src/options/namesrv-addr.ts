import { InvalidArgumentError, parseAddress } from '@rocketts/protocol';

/** Environment variable Java clients read when no address is configured (MixAll.NAMESRV_ADDR_ENV). */
export const NAMESRV_ADDR_ENV = 'NAMESRV_ADDR';

/**
 * Name-server addresses from `"h:p;h:p"`, an array of `"h:p"`, or the NAMESRV_ADDR environment variable.
 * Empty entries are dropped; every entry must parse as host:port.
 */
export function parseNamesrvAddr(value: unknown, key = 'namesrvAddr'): string[] {
  const raw = value ?? process.env[NAMESRV_ADDR_ENV];
  let parts: unknown[];
  if (typeof raw === 'string') parts = raw.split(';');
  else if (Array.isArray(raw)) parts = raw;
  else
    throw new InvalidArgumentError(
      key,
      `is required ("host:port;host:port", an array, or $${NAMESRV_ADDR_ENV})`,
    );
  const addrs: string[] = [];
  for (const p of parts) {
    if (typeof p !== 'string')
      throw new InvalidArgumentError(key, `entries must be strings, got ${String(p)}`);
    const addr = p.trim();
    if (addr.length === 0) continue;
    try {
      parseAddress(addr);
    } catch (err) {
      throw new InvalidArgumentError(key, (err as Error).message);
    }
    addrs.push(addr);
  }
  if (addrs.length === 0) throw new InvalidArgumentError(key, 'holds no address');
  return addrs;
}
