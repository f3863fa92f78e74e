import type { Logger, RemotingChannel } from '@rocketts/client';
import {
  bodyCrc,
  createResponse,
  decodeDataVersion,
  decodeRegisterBrokerBody,
  encodeJavaJson,
  encodeKvTable,
  parseBody,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  RequestCode,
  ResponseCode,
  UnregisterBrokerRequestHeader,
  type RegisterBrokerBody,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { RequestProcessor } from '../remoting/request-processor';
import { NAMESPACE_ORDER_TOPIC_CONFIG, type KvConfigManager } from './kv-config-manager';
import { QueryDataVersionRequestHeader, QueryDataVersionResponseHeader } from '@rocketts/protocol';
import type { RouteInfoManager } from './route-info-manager';

/** What a broker that sends no body registers with (as DefaultRequestProcessor): no topics, version 0. */
const EMPTY_REGISTER_BODY: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    topicConfigTable: {},
    dataVersion: { timestamp: 0, counter: 0, stateVersion: 0 },
  },
  filterServerList: [],
};

/**
 * Broker → name server membership: REGISTER_BROKER (also the 30 s keep-alive), UNREGISTER_BROKER and
 * QUERY_DATA_VERSION (as DefaultRequestProcessor.registerBrokerWithFilterServer / unregisterBroker /
 * queryBrokerTopicConfig).
 */
export class BrokerRegistrationProcessor implements RequestProcessor {
  readonly codes = [
    RequestCode.REGISTER_BROKER,
    RequestCode.UNREGISTER_BROKER,
    RequestCode.QUERY_DATA_VERSION,
  ] as const;

  constructor(
    private readonly routes: RouteInfoManager,
    private readonly kv: KvConfigManager,
    private readonly logger: Logger,
  ) {}

  process(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    switch (cmd.code) {
      case RequestCode.REGISTER_BROKER:
        return this.registerBroker(cmd, channel);
      case RequestCode.UNREGISTER_BROKER:
        return this.unregisterBroker(cmd);
      default:
        return this.queryDataVersion(cmd);
    }
  }

  private registerBroker(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const h = RegisterBrokerRequestHeader.decode(cmd.extFields);
    // bodyCrc32 is CRC32(body) & 0x7fffffff; 0 means the broker did not compute it (UtilAll.crc32).
    if (
      h.bodyCrc32 !== undefined &&
      h.bodyCrc32 !== 0 &&
      bodyCrc(cmd.body ?? Buffer.alloc(0)) !== h.bodyCrc32
    ) {
      this.logger.warn('register broker: crc32 not match', {
        brokerAddr: h.brokerAddr,
        remote: channel.remoteAddress,
      });
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, 'crc32 not match');
    }
    const body =
      cmd.body && cmd.body.length > 0
        ? decodeRegisterBrokerBody(cmd.body, h.compressed === true)
        : EMPTY_REGISTER_BODY;
    const result = this.routes.registerBroker({
      clusterName: h.clusterName,
      brokerAddr: h.brokerAddr,
      brokerName: h.brokerName,
      brokerId: h.brokerId,
      haServerAddr: h.haServerAddr,
      topicConfigWrapper: body.topicConfigSerializeWrapper,
      filterServerList: body.filterServerList,
      channel,
      heartbeatTimeoutMillis:
        h.heartbeatTimeoutMillis !== undefined && h.heartbeatTimeoutMillis > 0
          ? h.heartbeatTimeoutMillis
          : undefined,
    });
    const fields = {
      cluster: h.clusterName,
      brokerName: h.brokerName,
      brokerId: h.brokerId,
      brokerAddr: h.brokerAddr,
      topics: Object.keys(body.topicConfigSerializeWrapper.topicConfigTable).length,
      topicsApplied: result.topicsApplied,
      remote: channel.remoteAddress,
    };
    if (result.newBroker) this.logger.info('broker registered', fields);
    else this.logger.debug('broker keep-alive', fields);
    const order = this.kv.getKvListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG);
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      RegisterBrokerResponseHeader.encode({
        masterAddr: result.masterAddr,
        haServerAddr: result.haServerAddr,
      }),
      order ? encodeKvTable(order) : undefined,
    );
  }

  private unregisterBroker(cmd: RemotingCommand): RemotingCommand {
    const h = UnregisterBrokerRequestHeader.decode(cmd.extFields);
    const removed = this.routes.unregisterBroker(h.clusterName, h.brokerAddr, h.brokerName, h.brokerId);
    this.logger.info('broker unregistered', { ...removed, cluster: h.clusterName, brokerId: h.brokerId });
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  /** Unchanged DataVersion refreshes liveness: brokers with forceRegister=false skip the full registration. */
  private queryDataVersion(cmd: RemotingCommand): RemotingCommand {
    const h = QueryDataVersionRequestHeader.decode(cmd.extFields);
    const dataVersion = decodeDataVersion(parseBody(cmd.body, 'DataVersion'));
    const changed = this.routes.isBrokerTopicConfigChanged(h.brokerAddr, dataVersion);
    if (!changed) this.routes.touchBroker(h.brokerAddr);
    const stored = this.routes.queryBrokerDataVersion(h.brokerAddr);
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      QueryDataVersionResponseHeader.encode({ changed }),
      stored ? encodeJavaJson(stored) : undefined,
    );
  }
}
