/**
 * Java `String.hashCode` over UTF-16 code units with 32-bit wrap-around: the tagsCode stored in
 * consume queues and sent in subscriptions' codeSet. "TagA" → 2598919, "*" → 42.
 */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** tagsCode of a message: hash of its TAGS, 0 when it has none. */
export function tagsCodeOf(tags: string | undefined): number {
  return tags ? javaHashCode(tags) : 0;
}
