import {
  createResponse,
  EndTransactionRequestHeader,
  MessageProperty,
  MessageSysFlag,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import { parseDelayLevel } from '../schedule/delay-levels';
import { scheduleIfDelayed } from '../schedule/delay-put-hook';
import { TIMER_REQUEST_PROPERTIES } from '../timer/timer-properties';
import { holdIfTimer } from '../timer/timer-put-hook';
import type { MessageInner } from '../store/commit-log/commit-log';
import { checkEndRequest } from '../transaction/end-transaction-check';
import { putStatusToResponse } from './response-mapping';

/**
 * END_TRANSACTION (37), EndTransactionProcessor.java (§10.2): COMMIT stores the half message's real
 * message and an op record, ROLLBACK only the op record, both in one append so a crash keeps both or
 * neither. A transaction ends once: a repeated COMMIT/ROLLBACK (a retry, or an answer to an older
 * check) is acknowledged without storing anything.
 */
export class EndTransactionProcessor implements RequestProcessor {
  static readonly codes = [RequestCode.END_TRANSACTION];

  constructor(private readonly ctx: BrokerContext) {}

  async process(cmd: RemotingCommand): Promise<RemotingCommand | null> {
    if (this.ctx.config.brokerRole === 'SLAVE') {
      return createResponse(
        cmd,
        ResponseCode.SLAVE_NOT_AVAILABLE,
        'Can not process transaction on slave broker',
      );
    }
    const h = EndTransactionRequestHeader.decode(cmd.extFields);
    const commit = h.commitOrRollback === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    // 0 (unknown) and any other value: the producer does not know yet; the check-back will ask again.
    if (!commit && h.commitOrRollback !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) return null;
    const tx = this.ctx.transactions;
    const half = tx.bridge.halfAtCommitLogOffset(h.commitLogOffset);
    const refusal = checkEndRequest(
      h,
      half && {
        properties: half.ext.properties,
        bornTimestamp: half.ext.bornTimestamp,
        queueOffset: half.ext.queueOffset,
        commitLogOffset: half.ext.commitLogOffset,
      },
      Date.now(),
      this.ctx.transactionConfig.transactionTimeOut,
    );
    if (refusal || !half)
      return createResponse(cmd, refusal?.code ?? ResponseCode.SYSTEM_ERROR, refusal?.remark);
    if (!tx.bridge.beginEnd(half.key)) {
      return createResponse(cmd, ResponseCode.SUCCESS, 'the transaction has already ended');
    }
    const msgs: MessageInner[] = [];
    if (commit) {
      const real = tx.bridge.committedMessage(half);
      if (!real) {
        tx.bridge.finishEnd(half.key, false);
        return createResponse(cmd, ResponseCode.SYSTEM_ERROR, 'the half message has no REAL_TOPIC/REAL_QID');
      }
      const delay = half.ext.properties[MessageProperty.DELAY];
      const level = delay === undefined ? undefined : parseDelayLevel(delay);
      const delayed = level !== undefined && scheduleIfDelayed(real, level, this.ctx.schedule.levels);
      // A timer property applies to the committed copy, as DELAY does; one the wheel refuses (the half
      // was accepted before it was checked) is delivered now rather than lost.
      // Only a half that carries a timer property pays for the wheel's property parse.
      const timed = !delayed && TIMER_REQUEST_PROPERTIES.some((n) => half.ext.properties[n] !== undefined);
      const refused = timed
        ? holdIfTimer(real, this.ctx.scheduleConfig, this.ctx.timer.wheel, Date.now())
        : undefined;
      if (refused) {
        this.ctx.logger.warn('committed transaction message has an invalid timer, delivered now', {
          remark: refused.remark,
        });
      }
      msgs.push(real);
    }
    msgs.push(tx.bridge.opMessage(half, this.ctx.storeHost()));
    const r = await this.ctx.store.putMessages(msgs);
    const stored = r.wroteOffset >= 0;
    tx.bridge.finishEnd(half.key, stored);
    tx.recordEnd(commit, stored);
    const mapped = putStatusToResponse(r.status);
    return createResponse(
      cmd,
      mapped.code,
      mapped.code === ResponseCode.SUCCESS ? undefined : (r.remark ?? mapped.remark ?? r.status),
    );
  }
}
