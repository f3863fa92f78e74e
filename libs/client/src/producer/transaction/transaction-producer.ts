import { decodeOffsetMsgId, InvalidArgumentError, RequestCode } from '@rocketts/protocol';
import { MASTER_ID } from '../../route/topic-publish-info';
import { booleanOption, positiveInt } from '../../options/validate';
import { SendStatus, type Message, type SendResult } from '../message';
import { Producer } from '../producer';
import { TransactionChecker } from './check-back';
import { endTransactionHeader } from './end-transaction';
import { prepareHalfMessage } from './half-message';
import {
  resolveTransactionOptions,
  type TransactionConfig,
  type TransactionProducerOptions,
} from './transaction-options';
import {
  isLocalTransactionState,
  LocalTransactionState,
  type LocalTransactionStateValue,
} from './transaction-state';

/**
 * Runs the local transaction once the half message is stored (TransactionListener.executeLocalTransaction).
 * Return (or resolve to) COMMIT, ROLLBACK or UNKNOWN. A throw, or any other value, counts as UNKNOWN unless
 * `rollbackOnError` is set: see TransactionProducer.sendInTransaction.
 */
export type ExecuteLocalTransaction<A = unknown> = (
  msg: Message,
  sendResult: SendResult,
  arg: A,
) => LocalTransactionStateValue | Promise<LocalTransactionStateValue>;

export interface SendInTransactionOptions {
  /** Budget of the half message's send, retries included; the producer's sendMsgTimeoutMs by default. */
  timeoutMs?: number;
  /** Overrides the producer's `rollbackOnError` for this call. */
  rollbackOnError?: boolean;
}

export interface TransactionSendResult {
  /** The half message's send result; `msgId` is the transaction id. */
  sendResult: SendResult;
  /** The decision sent in END_TRANSACTION. */
  localState: LocalTransactionStateValue;
  transactionId: string;
  /** What `executeLocal` threw, when it threw. */
  localError?: unknown;
}

/**
 * A producer of transactional messages (TransactionMQProducer). `sendInTransaction` stores a half message,
 * runs the local transaction and tells the broker to commit or roll back; when that answer is UNKNOWN or
 * lost, the broker checks back and the matching check listener decides. All of `Producer` works too.
 */
export class TransactionProducer extends Producer {
  private readonly transaction: TransactionConfig;
  private readonly checker: TransactionChecker;

  constructor(options: TransactionProducerOptions) {
    const { producer, transaction } = resolveTransactionOptions(options);
    super(producer, 'TransactionProducer');
    this.transaction = transaction;
    this.checker = new TransactionChecker(
      this.instance,
      this.config.producerGroup,
      transaction,
      this.logger.child('transaction-check'),
    );
  }

  /** Check-backs being evaluated now. */
  get checksInFlight(): number {
    return this.checker.inFlight;
  }

  /** Stop answering check-backs first (queued ones are dropped; the broker asks again), then as Producer. */
  override async shutdown(): Promise<void> {
    this.checker.stop();
    await super.shutdown();
  }

  /**
   * Send `msg` as a half message, run `executeLocal(msg, sendResult, arg)`, then send END_TRANSACTION
   * one-way to the master of the broker that stored it (DefaultMQProducerImpl.sendMessageInTransaction).
   *
   * - A failed half send throws (the send's typed error) and `executeLocal` is not run.
   * - A half message stored without reaching its durability goal (FLUSH_*_TIMEOUT, SLAVE_NOT_AVAILABLE) is
   *   rolled back without running `executeLocal`, as Java does.
   * - If `executeLocal` throws, the answer is UNKNOWN (RocketMQ's behaviour): the local transaction may have
   *   committed before the throw, which only the check listener can find out, so the broker checks back.
   *   With `rollbackOnError: true` a throw answers ROLLBACK instead; set it only when a throw proves the local
   *   transaction aborted atomically (e.g. the throw comes from inside the database transaction, before its
   *   commit). Either way the error text goes in END_TRANSACTION's remark and the result's `localError`.
   * - If END_TRANSACTION cannot be written it is logged, not thrown: the broker will check back.
   */
  async sendInTransaction<A = unknown>(
    msg: Message,
    executeLocal: ExecuteLocalTransaction<A>,
    arg?: A,
    options: SendInTransactionOptions = {},
  ): Promise<TransactionSendResult> {
    this.state.assertRunning();
    if (typeof executeLocal !== 'function')
      throw new InvalidArgumentError('executeLocal', 'must be a function');
    const rollbackOnError = booleanOption(
      options.rollbackOnError,
      'rollbackOnError',
      this.transaction.rollbackOnError,
    );
    const timeoutMs =
      options.timeoutMs === undefined
        ? this.config.sendMsgTimeoutMs
        : positiveInt(options.timeoutMs, 'timeoutMs');
    const prepared = prepareHalfMessage(msg, this.config.producerGroup, this.prepareContext);
    await this.trackTopicMasters(prepared.topic);
    const sendResult = await this.sender.sendWithRetries(prepared, RequestCode.SEND_MESSAGE_V2, timeoutMs);
    const transactionId = sendResult.transactionId ?? sendResult.msgId;

    let localState: LocalTransactionStateValue = LocalTransactionState.UNKNOWN;
    let localError: unknown;
    if (sendResult.status === SendStatus.SEND_OK) {
      try {
        const state: unknown = await executeLocal(msg, sendResult, arg as A);
        if (isLocalTransactionState(state)) localState = state;
        else {
          this.logger.warn('executeLocal returned no transaction state, sending UNKNOWN', {
            transactionId,
            returned: String(state),
          });
        }
      } catch (err) {
        localError = err;
        localState = rollbackOnError ? LocalTransactionState.ROLLBACK : LocalTransactionState.UNKNOWN;
        this.logger.warn('local transaction threw', { transactionId, localState, error: err });
      }
    } else {
      localState = LocalTransactionState.ROLLBACK;
      this.logger.warn('half message stored without its durability goal, rolling back', {
        transactionId,
        status: sendResult.status,
      });
    }

    await this.endTransaction(msg.topic, sendResult, transactionId, localState, localError);
    const result: TransactionSendResult = { sendResult, localState, transactionId };
    if (localError !== undefined) result.localError = localError;
    return result;
  }

  /**
   * The broker checks back through any producer of the group it has a connection from, so every master of
   * the topic's route must know this one (heartbeat with producerDataSet), not only those sent to; Java's
   * client heartbeats every broker it knows. Not awaited: a check-back comes transactionTimeOut (6 s) after
   * the half message at the earliest, and a master that is down must not stall the transaction. Tracked
   * masters are heartbeated at once, then every heartbeatBrokerIntervalMs.
   */
  private async trackTopicMasters(topic: string): Promise<void> {
    const entry = await this.sender.publishEntry(topic);
    for (const bd of entry.route.brokerDatas) {
      const addr = bd.brokerAddrs.get(MASTER_ID);
      if (addr) this.heartbeat.track(addr);
    }
  }

  /** END_TRANSACTION one-way to the master of the broker holding the half message (endTransaction). */
  private async endTransaction(
    topic: string,
    sendResult: SendResult,
    transactionId: string,
    state: LocalTransactionStateValue,
    localError: unknown,
  ): Promise<void> {
    const mq = sendResult.messageQueue;
    try {
      const addr = await this.sender.masterAddrOf(topic, mq);
      const cmd = this.instance.request(
        RequestCode.END_TRANSACTION,
        endTransactionHeader(
          {
            producerGroup: this.config.producerGroup,
            tranStateTableOffset: sendResult.queueOffset,
            commitLogOffset: decodeOffsetMsgId(sendResult.offsetMsgId).offset,
            msgId: sendResult.msgId,
            transactionId,
            topic,
            brokerName: mq.brokerName,
          },
          state,
          false,
        ),
      );
      if (localError !== undefined)
        cmd.remark = `executeLocalTransactionBranch exception: ${errorText(localError)}`;
      await this.instance.remoting.invokeOneway(addr, cmd);
      this.logger.debug('transaction ended', { transactionId, state, broker: mq.brokerName, addr });
    } catch (err) {
      this.logger.warn('END_TRANSACTION not sent (the broker will check back)', {
        transactionId,
        state,
        broker: mq.brokerName,
        error: err,
      });
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
