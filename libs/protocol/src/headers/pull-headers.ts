import { defineHeader, type HeaderCodec } from './header-codec';

export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  /** Long-poll hold time in ms (Java and ali-ons: 15 000). */
  suspendTimeoutMillis: number;
  subscription?: string | undefined;
  subVersion: number;
  expressionType?: string | undefined;
  maxMsgBytes?: number | undefined;
}

export const PullMessageRequestHeader: HeaderCodec<PullMessageRequestHeader> = defineHeader(
  'PullMessageRequestHeader',
  {
    consumerGroup: { type: 'string', required: true },
    topic: { type: 'string', required: true },
    queueId: { type: 'int', required: true },
    queueOffset: { type: 'long', required: true },
    maxMsgNums: { type: 'int', required: true },
    sysFlag: { type: 'int', required: true },
    commitOffset: { type: 'long', required: true },
    suspendTimeoutMillis: { type: 'long', required: true },
    subscription: { type: 'string' },
    subVersion: { type: 'long', required: true },
    expressionType: { type: 'string' },
    maxMsgBytes: { type: 'int' },
  },
);

/** All four fields are present on every pull response code: ali-ons reads them unconditionally. */
export interface PullMessageResponseHeader {
  suggestWhichBrokerId: number;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
}

export const PullMessageResponseHeader: HeaderCodec<PullMessageResponseHeader> = defineHeader(
  'PullMessageResponseHeader',
  {
    suggestWhichBrokerId: { type: 'long', required: true },
    nextBeginOffset: { type: 'long', required: true },
    minOffset: { type: 'long', required: true },
    maxOffset: { type: 'long', required: true },
  },
);
