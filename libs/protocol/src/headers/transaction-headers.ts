import { defineHeader, type HeaderValue } from './header-codec';

/**
 * END_TRANSACTION (37), producer → master of the broker holding the half message (§10.2).
 * commitOrRollback: 0 unknown (nothing happens), 8 commit, 12 rollback (MessageSysFlag transaction types).
 */
export const EndTransactionRequestHeader = defineHeader('EndTransactionRequestHeader', {
  producerGroup: { type: 'string', required: true },
  tranStateTableOffset: { type: 'long', required: true },
  commitLogOffset: { type: 'long', required: true },
  commitOrRollback: { type: 'int', required: true },
  fromTransactionCheck: { type: 'boolean' },
  msgId: { type: 'string', required: true },
  transactionId: { type: 'string' },
  topic: { type: 'string' },
  bname: { type: 'string' },
});

/**
 * CHECK_TRANSACTION_STATE (39), broker → one producer of the group, one-way (§5, §10.3). Offsets are those of
 * the half message's latest copy; the body is that message in stored format under its real topic and queue.
 */
export const CheckTransactionStateRequestHeader = defineHeader('CheckTransactionStateRequestHeader', {
  topic: { type: 'string' },
  tranStateTableOffset: { type: 'long', required: true },
  commitLogOffset: { type: 'long', required: true },
  msgId: { type: 'string' },
  transactionId: { type: 'string' },
  offsetMsgId: { type: 'string' },
  bname: { type: 'string' },
});

export type EndTransactionRequestHeader = HeaderValue<typeof EndTransactionRequestHeader>;
export type CheckTransactionStateRequestHeader = HeaderValue<typeof CheckTransactionStateRequestHeader>;
