import {
  createResponse,
  encodeClusterInfo,
  encodeTopicList,
  encodeTopicRouteData,
  GetTopicsByClusterRequestHeader,
  MQVersion,
  RequestCode,
  ResponseCode,
  TopicRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { RequestProcessor } from '../remoting/request-processor';
import { NAMESPACE_ORDER_TOPIC_CONFIG, type KvConfigManager } from './kv-config-manager';
import type { NamesrvRuntimeConfig } from './namesrv-config';
import type { RouteInfoManager } from './route-info-manager';

/** TopicSysFlag bits carried in QueueData.topicSysFlag (TopicSysFlag.java). */
const FLAG_UNIT = 0x1;
const FLAG_UNIT_SUB = 0x2;

/**
 * Client and admin reads of the routing tables (as ClientRequestProcessor.getRouteInfoByTopic and the
 * list requests of DefaultRequestProcessor): GET_ROUTEINFO_BY_TOPIC, GET_BROKER_CLUSTER_INFO and the
 * topic lists.
 */
export class RouteQueryProcessor implements RequestProcessor {
  readonly codes = [
    RequestCode.GET_ROUTEINFO_BY_TOPIC,
    RequestCode.GET_BROKER_CLUSTER_INFO,
    RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
    RequestCode.GET_TOPICS_BY_CLUSTER,
    RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS,
    RequestCode.GET_UNIT_TOPIC_LIST,
    RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST,
    RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST,
  ] as const;

  constructor(
    private readonly routes: RouteInfoManager,
    private readonly kv: KvConfigManager,
    private readonly config: NamesrvRuntimeConfig,
  ) {}

  process(cmd: RemotingCommand): RemotingCommand {
    switch (cmd.code) {
      case RequestCode.GET_ROUTEINFO_BY_TOPIC:
        return this.getRouteInfoByTopic(cmd);
      case RequestCode.GET_BROKER_CLUSTER_INFO:
        // Always fastjson style, bare numeric brokerAddrs keys, whatever the client's version (§3.3).
        return ok(cmd, encodeClusterInfo(this.routes.getClusterInfo()));
      case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER:
        if (!this.config.current.enableAllTopicList)
          return createResponse(cmd, ResponseCode.SYSTEM_ERROR, 'disable');
        return ok(cmd, encodeTopicList(this.routes.getAllTopicList()));
      case RequestCode.GET_TOPICS_BY_CLUSTER: {
        const { cluster } = GetTopicsByClusterRequestHeader.decode(cmd.extFields);
        return ok(cmd, encodeTopicList(this.routes.getTopicsByCluster(cluster)));
      }
      case RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS: {
        const { topics, brokerAddr } = this.routes.getSystemTopicList();
        return ok(cmd, encodeTopicList(topics, brokerAddr));
      }
      case RequestCode.GET_UNIT_TOPIC_LIST:
        return ok(cmd, encodeTopicList(this.routes.getTopicsBySysFlag((f) => (f & FLAG_UNIT) !== 0)));
      case RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST:
        return ok(cmd, encodeTopicList(this.routes.getTopicsBySysFlag((f) => (f & FLAG_UNIT_SUB) !== 0)));
      default:
        return ok(
          cmd,
          encodeTopicList(
            this.routes.getTopicsBySysFlag((f) => (f & FLAG_UNIT) === 0 && (f & FLAG_UNIT_SUB) !== 0),
          ),
        );
    }
  }

  /**
   * Standard JSON (quoted numeric keys) for clients ≥ 4.9.4 or those that ask for it; older clients
   * (ali-ons sends version 121) get fastjson's bare numeric keys, as a Java name server answers them.
   */
  private getRouteInfoByTopic(cmd: RemotingCommand): RemotingCommand {
    const h = TopicRequestHeader.decode(cmd.extFields);
    const route = this.routes.pickupTopicRouteData(h.topic);
    if (!route) {
      return createResponse(
        cmd,
        ResponseCode.TOPIC_NOT_EXIST,
        `No topic route info in name server for the topic: ${h.topic}`,
      );
    }
    if (this.config.current.orderMessageEnable) {
      const orderTopicConf = this.kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, h.topic);
      if (orderTopicConf !== undefined) route.orderTopicConf = orderTopicConf;
    }
    const standard = cmd.version >= MQVersion.V4_9_4 || h.acceptStandardJsonOnly === true;
    return ok(cmd, encodeTopicRouteData(route, standard));
  }
}

function ok(cmd: RemotingCommand, body: Buffer): RemotingCommand {
  return createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, body);
}
