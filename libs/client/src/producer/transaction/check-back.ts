import {
  CheckTransactionStateRequestHeader,
  decodeMessageRecord,
  MessageProperty,
  RequestCode,
  type CheckTransactionStateRequestHeader as CheckHeader,
  type MessageExt,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import type { Logger } from '../../logger';
import type { RemotingChannel } from '../../remoting/socket-channel';
import { pickCheckListener } from './check-listeners';
import { endTransactionHeader } from './end-transaction';
import { MAX_QUEUED_CHECKS, type TransactionConfig } from './transaction-options';
import {
  isLocalTransactionState,
  LocalTransactionState,
  type LocalTransactionStateValue,
} from './transaction-state';

interface CheckTask {
  header: CheckHeader;
  msg: MessageExt;
  channel: RemotingChannel;
}

/**
 * The producer side of check-back (§10.3, as ClientRemotingProcessor.checkTransactionState +
 * DefaultMQProducerImpl.checkTransactionState): CHECK_TRANSACTION_STATE arrives one-way on any of the
 * producer's broker connections; the listener for the message decides, with at most `checkConcurrency`
 * checks at once; the answer goes back one-way as END_TRANSACTION with fromTransactionCheck=true to the
 * broker that asked. After `stop()` nothing more is answered: the broker asks again (another instance of
 * the group, or this one after a restart).
 */
export class TransactionChecker {
  private readonly queue: CheckTask[] = [];
  private active = 0;
  private running = true;
  private readonly logger: Logger;

  constructor(
    private readonly instance: ClientInstance,
    private readonly producerGroup: string,
    private readonly config: TransactionConfig,
    logger: Logger,
  ) {
    this.logger = logger;
    instance.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (cmd, channel) => {
      this.onCheck(cmd, channel);
      return undefined; // one-way: never answered
    });
  }

  /** Checks being evaluated now. */
  get inFlight(): number {
    return this.active;
  }

  /** Drop queued checks and answer none of those still running. */
  stop(): void {
    this.running = false;
    this.queue.length = 0;
  }

  private onCheck(cmd: RemotingCommand, channel: RemotingChannel): void {
    if (!this.running) return;
    let header: CheckHeader;
    let msg: MessageExt;
    try {
      header = CheckTransactionStateRequestHeader.decode(cmd.extFields);
      if (!cmd.body) throw new Error('no message body');
      // Body: the half message in stored format under its real topic and queue (§5); Java inflates it.
      msg = decodeMessageRecord(cmd.body, 0, { inflate: true });
    } catch (err) {
      this.logger.warn('undecodable transaction check-back', { broker: channel.remoteAddress, error: err });
      return;
    }
    const group = msg.properties[MessageProperty.PGROUP];
    if (group !== undefined && group !== this.producerGroup) {
      // Java picks the local producer of PGROUP (selectProducer); this client hosts one group only.
      this.logger.warn('check-back for another producer group ignored', {
        group,
        producerGroup: this.producerGroup,
        broker: channel.remoteAddress,
      });
      return;
    }
    if (this.queue.length >= MAX_QUEUED_CHECKS) {
      this.logger.warn('too many check-backs waiting, dropped (the broker asks again)', {
        transactionId: header.transactionId,
        broker: channel.remoteAddress,
      });
      return;
    }
    this.queue.push({ header, msg, channel });
    this.drain();
  }

  private drain(): void {
    while (this.running && this.active < this.config.checkConcurrency && this.queue.length > 0) {
      const task = this.queue.shift() as CheckTask;
      this.active += 1;
      void this.run(task).finally(() => {
        this.active -= 1;
        this.drain();
      });
    }
  }

  private async run({ header, msg, channel }: CheckTask): Promise<void> {
    const msgId = msg.properties[MessageProperty.UNIQ_KEY] ?? header.msgId ?? msg.msgId;
    const transactionId = header.transactionId ?? msgId;
    const state = await this.evaluate(msg, {
      transactionId,
      brokerAddr: channel.remoteAddress,
      checkTimes: Number(msg.properties[MessageProperty.TRANSACTION_CHECK_TIMES] ?? 1),
    });
    if (!this.running) {
      this.logger.debug('check-back finished after shutdown, not answered', { transactionId, state });
      return;
    }
    const cmd = this.instance.request(
      RequestCode.END_TRANSACTION,
      endTransactionHeader(
        {
          producerGroup: this.producerGroup,
          tranStateTableOffset: header.tranStateTableOffset,
          commitLogOffset: header.commitLogOffset,
          msgId,
          transactionId,
          topic: msg.topic,
          brokerName: header.bname,
        },
        state,
        true,
      ),
    );
    this.logger.debug('check-back answered', { transactionId, state, broker: channel.remoteAddress });
    try {
      // The broker that asked: on its own connection when still open, else a new one to its address.
      if (channel.isActive()) channel.sendOneway(cmd);
      else await this.instance.remoting.invokeOneway(channel.remoteAddress, cmd);
    } catch (err) {
      this.logger.warn('check-back answer not sent (the broker asks again)', {
        transactionId,
        broker: channel.remoteAddress,
        error: err,
      });
    }
  }

  private async evaluate(
    msg: MessageExt,
    info: { transactionId: string; brokerAddr: string; checkTimes: number },
  ): Promise<LocalTransactionStateValue> {
    try {
      const check = pickCheckListener(this.config.listeners, this.config.defaultCheck, msg);
      if (!check) {
        this.logger.warn('no check listener for the message, answering UNKNOWN (the broker asks again)', {
          topic: msg.topic,
          transactionId: info.transactionId,
        });
        return LocalTransactionState.UNKNOWN;
      }
      const state: unknown = await check(msg, info);
      if (isLocalTransactionState(state)) return state;
      this.logger.warn('check listener returned no transaction state, answering UNKNOWN', {
        topic: msg.topic,
        transactionId: info.transactionId,
        returned: String(state),
      });
    } catch (err) {
      // Never ROLLBACK here: a failing check (database down) says nothing about the local transaction.
      this.logger.warn('check listener threw, answering UNKNOWN (the broker asks again)', {
        topic: msg.topic,
        transactionId: info.transactionId,
        error: err,
      });
    }
    return LocalTransactionState.UNKNOWN;
  }
}
