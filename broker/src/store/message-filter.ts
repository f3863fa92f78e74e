/**
 * Decides which messages a pull returns (MessageFilter.java): first by the tagsCode of the consume
 * queue unit, then — for SQL92 — against the properties stored in the commit log.
 */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  /** Present only for filters that need the message's properties. */
  isMatchedByCommitLog?(properties: string): boolean;
}

export const MATCH_ALL: MessageFilter = { isMatchedByConsumeQueue: () => true };
