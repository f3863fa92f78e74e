import { InvalidArgumentError, MessageProperty, MessageSysFlag } from '@rocketts/protocol';
import type { Message } from '../message';
import { prepareMessage, type PrepareContext, type PreparedMessage } from '../prepare-message';

/**
 * The half message of `sendInTransaction` (§10.1, as DefaultMQProducerImpl.sendMessageInTransaction):
 * TRAN_MSG=true, PGROUP=<group>, no DELAY, sysFlag PREPARED. A batch, or a delay level, is refused with an
 * InvalidArgumentError: brokers reject transactional batches (CommitLog.putMessages: MESSAGE_ILLEGAL), and
 * Java silently drops the delay level, which would deliver a message meant for later at once.
 */
export function prepareHalfMessage(
  msg: Message,
  producerGroup: string,
  ctx: PrepareContext,
): PreparedMessage {
  if (Array.isArray(msg))
    throw new InvalidArgumentError('message', 'transactional messages cannot be sent as a batch');
  if (typeof msg !== 'object' || msg === null) throw new InvalidArgumentError('message', 'must be an object');
  if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel !== 0)
    throw new InvalidArgumentError('delayTimeLevel', 'transactional messages cannot be delayed');
  const properties: Record<string, string> = { ...(msg.properties ?? {}) };
  // A DELAY given as a raw property is dropped as Java does: the broker would honour it after the commit.
  delete properties[MessageProperty.DELAY];
  properties[MessageProperty.TRAN_MSG] = 'true';
  properties[MessageProperty.PGROUP] = producerGroup;
  const prepared = prepareMessage({ ...msg, properties }, ctx);
  prepared.sysFlag |= MessageSysFlag.TRANSACTION_PREPARED_TYPE;
  return prepared;
}
