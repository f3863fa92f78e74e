/*
 * 64-bit fields as JS numbers: commit-log offsets, timestamps and queue offsets stay far below 2^53
 * (9 PB), so two 32-bit halves are cheaper than BigInt on the hot path.
 */
const TWO_32 = 0x100000000;

export function writeLong(buf: Buffer, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(n - hi * TWO_32, pos + 4);
}

/** writeLong through a DataView (see buffer-view.ts): the record writer's stores. */
export function setLong(view: DataView, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  view.setInt32(pos, hi);
  view.setUint32(pos + 4, n - hi * TWO_32);
}

export function readLong(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}
