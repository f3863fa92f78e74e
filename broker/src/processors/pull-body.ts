/**
 * Records that lie next to each other in the same cache block (a batch, or one queue's run) become one
 * slice: the response then goes out as a few large parts, written as they are, instead of many small
 * ones copied into the socket's coalescing buffer. A lone record is passed on as it is; a run gets one
 * new view when it ends.
 */
export function joinAdjacent(records: Buffer[]): Buffer[] {
  if (records.length < 2) return records;
  const out: Buffer[] = [];
  let first = records[0] as Buffer;
  let runLen = first.length;
  const close = (): void => {
    out.push(runLen === first.length ? first : Buffer.from(first.buffer, first.byteOffset, runLen));
  };
  for (let i = 1; i < records.length; i++) {
    const next = records[i] as Buffer;
    if (next.buffer === first.buffer && next.byteOffset === first.byteOffset + runLen) {
      runLen += next.length;
    } else {
      close();
      first = next;
      runLen = next.length;
    }
  }
  close();
  return out;
}
