import {
  ConfigError,
  DeleteSubscriptionGroupRequestHeader,
  CURRENT_VERSION,
  CURRENT_VERSION_DESC,
  createResponse,
  encodeKvTable,
  parseBody,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import { formatProperties, parseProperties } from '../config/properties-file';
import type { RequestProcessor } from '../remoting/request-processor';
import { decodeSubscriptionGroupConfig } from '../subscription/subscription-group-config';

/** Broker-wide administration (AdminBrokerProcessor: runtime info, config, files, subscription groups, offsets for slaves). */
export class BrokerAdminProcessor {
  static readonly codes = [
    RequestCode.GET_BROKER_RUNTIME_INFO,
    RequestCode.GET_BROKER_CONFIG,
    RequestCode.UPDATE_BROKER_CONFIG,
    RequestCode.TRIGGER_DELETE_FILES,
    RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
    RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
    RequestCode.DELETE_SUBSCRIPTIONGROUP,
    RequestCode.GET_ALL_CONSUMER_OFFSET,
    RequestCode.GET_ALL_DELAY_OFFSET,
  ];

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    const ok = (body?: Buffer): RemotingCommand =>
      createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, body);
    switch (cmd.code) {
      case RequestCode.GET_BROKER_RUNTIME_INFO:
        return ok(encodeKvTable(this.runtimeInfo()));
      case RequestCode.GET_BROKER_CONFIG:
        return ok(
          Buffer.from(
            formatProperties({
              ...this.ctx.config,
              ...this.ctx.storeConfig,
              ...this.ctx.scheduleConfig,
              ...this.ctx.settings.snapshot(),
            }),
            'utf8',
          ),
        );
      case RequestCode.UPDATE_BROKER_CONFIG:
        return this.updateConfig(cmd);
      case RequestCode.TRIGGER_DELETE_FILES:
        this.ctx.store.cleanExpiredFilesNow();
        return ok();
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP:
        this.ctx.groups.update(decodeSubscriptionGroupConfig(parseBody(cmd.body, 'SubscriptionGroupConfig')));
        return ok();
      case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
        return ok(this.ctx.groups.encode());
      case RequestCode.DELETE_SUBSCRIPTIONGROUP: {
        const h = DeleteSubscriptionGroupRequestHeader.decode(cmd.extFields);
        this.ctx.groups.delete(h.groupName);
        if (h.cleanOffset) this.ctx.offsets.removeGroup(h.groupName);
        return ok();
      }
      case RequestCode.GET_ALL_DELAY_OFFSET:
        return ok(this.ctx.schedule.encodeOffsets());
      default:
        return ok(this.ctx.offsets.encode());
    }
  };

  /** Only runtime-safe keys change; paths and commands can never be set remotely. */
  private updateConfig(cmd: RemotingCommand): RemotingCommand {
    const updates = parseProperties((cmd.body ?? Buffer.alloc(0)).toString('utf8'));
    try {
      const r = this.ctx.settings.apply(updates);
      if (r.forbidden)
        return createResponse(
          cmd,
          ResponseCode.NO_PERMISSION,
          `config key '${r.forbidden}' cannot be changed remotely`,
        );
    } catch (err) {
      if (err instanceof ConfigError) return createResponse(cmd, ResponseCode.INVALID_PARAMETER, err.message);
      throw err;
    }
    this.ctx.logger.info('broker config updated', { keys: Object.keys(updates) });
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  private runtimeInfo(): Record<string, string> {
    const s = this.ctx.stats;
    return {
      brokerVersionDesc: CURRENT_VERSION_DESC,
      brokerVersion: String(CURRENT_VERSION),
      brokerActive: 'true',
      bootTimestamp: String(s.bootTimestamp),
      runtime: `${Math.floor((Date.now() - s.bootTimestamp) / 1000)} s`,
      msgPutTotalTodayNow: String(s.putTodayNow),
      msgGetTotalTodayNow: String(s.gotTodayNow),
      msgPutTotal: String(s.messagesPut),
      msgGetTotal: String(s.messagesGot),
      sendFailures: String(s.sendFailures),
      ...this.ctx.store.runtimeInfo(),
      ...this.ctx.schedule.runtimeInfo(),
      ...this.ctx.transactions.runtimeInfo(),
      ...this.ctx.timer.runtimeInfo(),
    };
  }
}
