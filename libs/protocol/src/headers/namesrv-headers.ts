import { defineHeader, type HeaderValue } from './header-codec';

export const RegisterBrokerRequestHeader = defineHeader('RegisterBrokerRequestHeader', {
  brokerName: { type: 'string', required: true },
  brokerAddr: { type: 'string', required: true },
  clusterName: { type: 'string', required: true },
  haServerAddr: { type: 'string', required: true },
  brokerId: { type: 'long', required: true },
  heartbeatTimeoutMillis: { type: 'long' },
  enableActingMaster: { type: 'boolean' },
  compressed: { type: 'boolean' },
  bodyCrc32: { type: 'int' },
});

export const RegisterBrokerResponseHeader = defineHeader('RegisterBrokerResponseHeader', {
  haServerAddr: { type: 'string' },
  masterAddr: { type: 'string' },
});

export const UnregisterBrokerRequestHeader = defineHeader('UnregisterBrokerRequestHeader', {
  brokerName: { type: 'string', required: true },
  brokerAddr: { type: 'string', required: true },
  clusterName: { type: 'string', required: true },
  brokerId: { type: 'long', required: true },
});

export const KvConfigRequestHeader = defineHeader('KvConfigRequestHeader', {
  namespace: { type: 'string', required: true },
  key: { type: 'string', required: true },
});

export const PutKvConfigRequestHeader = defineHeader('PutKvConfigRequestHeader', {
  namespace: { type: 'string', required: true },
  key: { type: 'string', required: true },
  value: { type: 'string', required: true },
});

export const GetKvConfigResponseHeader = defineHeader('GetKvConfigResponseHeader', {
  value: { type: 'string' },
});

export const GetKvListByNamespaceRequestHeader = defineHeader('GetKVListByNamespaceRequestHeader', {
  namespace: { type: 'string', required: true },
});

export const GetTopicsByClusterRequestHeader = defineHeader('GetTopicsByClusterRequestHeader', {
  cluster: { type: 'string', required: true },
});

export const BrokerNameRequestHeader = defineHeader('WipeWritePermOfBrokerRequestHeader', {
  brokerName: { type: 'string', required: true },
});

export type RegisterBrokerRequestHeader = HeaderValue<typeof RegisterBrokerRequestHeader>;
export type RegisterBrokerResponseHeader = HeaderValue<typeof RegisterBrokerResponseHeader>;
export type UnregisterBrokerRequestHeader = HeaderValue<typeof UnregisterBrokerRequestHeader>;
export type KvConfigRequestHeader = HeaderValue<typeof KvConfigRequestHeader>;
export type PutKvConfigRequestHeader = HeaderValue<typeof PutKvConfigRequestHeader>;
export type GetKvConfigResponseHeader = HeaderValue<typeof GetKvConfigResponseHeader>;
export type GetKvListByNamespaceRequestHeader = HeaderValue<typeof GetKvListByNamespaceRequestHeader>;
export type GetTopicsByClusterRequestHeader = HeaderValue<typeof GetTopicsByClusterRequestHeader>;
export type BrokerNameRequestHeader = HeaderValue<typeof BrokerNameRequestHeader>;

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
