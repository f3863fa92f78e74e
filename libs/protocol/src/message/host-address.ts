import { isIPv4, isIPv6 } from 'node:net';

/*
 * Host field of a stored record (BORNHOST / STOREHOST): IPv4 = 4-byte address + int port (8 bytes),
 * IPv6 = 16-byte address + int port (20 bytes, flagged in SYSFLAG). IPv4-mapped IPv6 peers
 * (::ffff:a.b.c.d) are written as IPv4, since ali-ons cannot decode IPv6 host fields.
 */
export const IPV4_HOST_SIZE = 8;
export const IPV6_HOST_SIZE = 20;

export function encodeHostAddress(host: string, port: number): Buffer {
  const v4 = host.startsWith('::ffff:') && isIPv4(host.slice(7)) ? host.slice(7) : host;
  if (isIPv4(v4)) {
    const b = Buffer.allocUnsafe(IPV4_HOST_SIZE);
    const parts = v4.split('.');
    for (let i = 0; i < 4; i++) b[i] = Number(parts[i]);
    b.writeInt32BE(port, 4);
    return b;
  }
  if (isIPv6(v4)) {
    const b = Buffer.alloc(IPV6_HOST_SIZE);
    ipv6Bytes(v4).copy(b, 0);
    b.writeInt32BE(port, 16);
    return b;
  }
  throw new TypeError(`not an IP address: ${host}`);
}

export function decodeHostAddress(buf: Buffer, pos: number, v6: boolean): string {
  if (!v6) return `${buf[pos]}.${buf[pos + 1]}.${buf[pos + 2]}.${buf[pos + 3]}:${buf.readInt32BE(pos + 4)}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(buf.readUInt16BE(pos + i).toString(16));
  return `[${groups.join(':')}]:${buf.readInt32BE(pos + 16)}`;
}

/** Split "host:port" or "[v6]:port". */
export function parseAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i <= 0) throw new TypeError(`address without port: ${addr}`);
  let host = addr.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`bad port in address: ${addr}`);
  return { host, port };
}

function ipv6Bytes(host: string): Buffer {
  const out = Buffer.alloc(16);
  let text = host;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    text = text.slice(0, lastColon) + ':0:0';
  }
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = text.includes('::') && tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tailV4.length === 4) tailV4.forEach((b, i) => (out[12 + i] = b));
  return out;
}
