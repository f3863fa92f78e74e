import { networkInterfaces } from 'node:os';

/**
 * The IPv4 a client announces (as RemotingUtil.getLocalAddress): the first non-loopback address that is
 * not 192.168.x.x, else the first non-loopback one, else 127.0.0.1.
 */
export function localIPv4(): string {
  const candidates: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) candidates.push(a.address);
    }
  }
  return candidates.find((ip) => !ip.startsWith('192.168.')) ?? candidates[0] ?? '127.0.0.1';
}

let instanceCounter = 0;

/**
 * "pid#hrtime#n" (as ClientConfig.changeInstanceNameToPID, 4.9.4+): every client object gets its own id, so
 * the broker never confuses two producers of one process that share a group.
 */
export function defaultInstanceName(): string {
  instanceCounter += 1;
  return `${process.pid}#${process.hrtime.bigint()}#${instanceCounter}`;
}

/** "ip@instanceName" (ClientConfig.buildMQClientId); brokers key channels and consumer ids by it. */
export function buildClientId(clientIP: string, instanceName: string): string {
  return `${clientIP}@${instanceName}`;
}
