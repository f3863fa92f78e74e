import { defineHeader, type HeaderValue } from '@rocketts/protocol';

/*
 * Name-server custom headers that @rocketts/protocol does not define yet (§3.3). They belong in
 * libs/protocol/src/headers/namesrv-headers.ts; they live here until that file can be changed.
 */

/** QUERY_DATA_VERSION (322), as QueryDataVersionRequestHeader. */
export const QueryDataVersionRequestHeader = defineHeader('QueryDataVersionRequestHeader', {
  brokerName: { type: 'string', required: true },
  brokerAddr: { type: 'string', required: true },
  clusterName: { type: 'string', required: true },
  brokerId: { type: 'long', required: true },
});

export const QueryDataVersionResponseHeader = defineHeader('QueryDataVersionResponseHeader', {
  changed: { type: 'boolean' },
});

/** DELETE_TOPIC_IN_NAMESRV (216), as DeleteTopicFromNamesrvRequestHeader; no clusterName = every cluster. */
export const DeleteTopicFromNamesrvRequestHeader = defineHeader('DeleteTopicFromNamesrvRequestHeader', {
  topic: { type: 'string', required: true },
  clusterName: { type: 'string' },
});

/** WIPE_WRITE_PERM_OF_BROKER (205) answer: how many topics lost PERM_WRITE. */
export const WipeWritePermOfBrokerResponseHeader = defineHeader('WipeWritePermOfBrokerResponseHeader', {
  wipeTopicCount: { type: 'int' },
});

/** ADD_WRITE_PERM_OF_BROKER (327) answer: how many topics got PERM_READ|PERM_WRITE back. */
export const AddWritePermOfBrokerResponseHeader = defineHeader('AddWritePermOfBrokerResponseHeader', {
  addTopicCount: { type: 'int' },
});

export type QueryDataVersionRequestHeader = HeaderValue<typeof QueryDataVersionRequestHeader>;
export type DeleteTopicFromNamesrvRequestHeader = HeaderValue<typeof DeleteTopicFromNamesrvRequestHeader>;
