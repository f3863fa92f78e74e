/**
 * Java `String.hashCode` over UTF-16 code units with 32-bit wrap-around: the tagsCode stored in
 * consume queues and sent in subscriptions' codeSet. "TagA" → 2598919, "*" → 42.
 */
export function javaHashCode(s: string): number {
  return continueJavaHashCode(0, s);
}

/** The hash of a string that starts with a prefix hashing to `prefixHash`, then `s` (no joined string built). */
export function continueJavaHashCode(prefixHash: number, s: string): number {
  let h = prefixHash;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** tagsCode of a message: hash of its TAGS, 0 when it has none. */
export function tagsCodeOf(tags: string | undefined): number {
  return tags ? javaHashCode(tags) : 0;
}
