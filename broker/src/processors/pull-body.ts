/**
 * Records that lie next to each other in the same cache block (a batch, or one queue's run) become one
 * slice: the response then goes out as a few large parts, written as they are, instead of many small
 * ones copied into the socket's coalescing buffer.
 */
export function joinAdjacent(records: Buffer[]): Buffer[] {
  if (records.length < 2) return records;
  const out: Buffer[] = [];
  let run = records[0] as Buffer;
  for (let i = 1; i < records.length; i++) {
    const next = records[i] as Buffer;
    if (next.buffer === run.buffer && next.byteOffset === run.byteOffset + run.length) {
      run = Buffer.from(run.buffer, run.byteOffset, run.length + next.length);
    } else {
      out.push(run);
      run = next;
    }
  }
  out.push(run);
  return out;
}
