/*
 * Op ("delete") records of RMQ_SYS_TRANS_OP_HALF_TOPIC (§10.2, TransactionalMessageUtil): TAGS "d",
 * body the ASCII decimal half-queue offsets of ended half messages. 5.x writes "<o1>,<o2>,…," (each
 * followed by a comma), 4.x one "<offset>" per record; readers split on "," and skip empty parts.
 */

/** TAGS of an op record that ends a half message (TransactionalMessageUtil.REMOVE_TAG). */
export const OP_REMOVE_TAG = 'd';

/**
 * Ours, on op records we write: the half queue's end offset when the transaction ended (every copy of it
 * lies below). A restart skips op records the check-back walk has passed and whose grace is over.
 */
export const OP_HALF_END_PROPERTY = '__HALF_END__';

/** Body of one op record for `halfQueueOffsets`, in the 5.x form. */
export function encodeOpBody(halfQueueOffsets: readonly number[]): Buffer {
  let s = '';
  for (const o of halfQueueOffsets) s += `${o},`;
  return Buffer.from(s, 'ascii');
}

/**
 * Half-queue offsets named by an op record body, either form. Parts that are not a non-negative
 * decimal integer are skipped, as Java's parser logs and skips them (a corrupt op record must not stop
 * the check service).
 */
export function parseOpBody(body: Buffer | string): number[] {
  const text = typeof body === 'string' ? body : body.toString('ascii');
  const out: number[] = [];
  for (const part of text.split(',')) {
    const t = part.trim();
    if (!/^\d+$/.test(t)) continue;
    const n = Number(t);
    if (Number.isSafeInteger(n)) out.push(n);
  }
  return out;
}
