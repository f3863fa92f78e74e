import { defineHeader, type HeaderValue } from './header-codec';

export const QueryMessageRequestHeader = defineHeader('QueryMessageRequestHeader', {
  topic: { type: 'string', required: true },
  key: { type: 'string', required: true },
  maxNum: { type: 'int', required: true },
  beginTimestamp: { type: 'long', required: true },
  endTimestamp: { type: 'long', required: true },
  /** Java always sends it: "true" makes the broker use its own defaultQueryMaxNum. */
  _UNIQUE_KEY_QUERY: { type: 'boolean' },
});

export const QueryMessageResponseHeader = defineHeader('QueryMessageResponseHeader', {
  indexLastUpdateTimestamp: { type: 'long', required: true },
  indexLastUpdatePhyoffset: { type: 'long', required: true },
});

export const ViewMessageRequestHeader = defineHeader('ViewMessageRequestHeader', {
  offset: { type: 'long', required: true },
  topic: { type: 'string' },
});

export type QueryMessageRequestHeader = HeaderValue<typeof QueryMessageRequestHeader>;
export type QueryMessageResponseHeader = HeaderValue<typeof QueryMessageResponseHeader>;
export type ViewMessageRequestHeader = HeaderValue<typeof ViewMessageRequestHeader>;
