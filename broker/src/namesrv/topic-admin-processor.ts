import type { Logger, RemotingChannel } from '@rocketts/client';
import {
  BrokerNameRequestHeader,
  createResponse,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import { parseProperties } from '../config/properties-file';
import type { RequestProcessor } from '../remoting/request-processor';
import { formatNamesrvConfig, type NamesrvRuntimeConfig } from './namesrv-config';
import {
  AddWritePermOfBrokerResponseHeader,
  DeleteTopicFromNamesrvRequestHeader,
  WipeWritePermOfBrokerResponseHeader,
} from '@rocketts/protocol';
import type { RouteInfoManager } from './route-info-manager';

/**
 * Admin-tool requests that change the name server (as DefaultRequestProcessor.deleteTopicInNamesrv,
 * wipeWritePermOfBroker, addWritePermOfBroker, updateConfig, getConfig).
 */
export class TopicAdminProcessor implements RequestProcessor {
  readonly codes = [
    RequestCode.DELETE_TOPIC_IN_NAMESRV,
    RequestCode.WIPE_WRITE_PERM_OF_BROKER,
    RequestCode.ADD_WRITE_PERM_OF_BROKER,
    RequestCode.UPDATE_NAMESRV_CONFIG,
    RequestCode.GET_NAMESRV_CONFIG,
  ] as const;

  constructor(
    private readonly routes: RouteInfoManager,
    private readonly config: NamesrvRuntimeConfig,
    private readonly logger: Logger,
  ) {}

  process(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    switch (cmd.code) {
      case RequestCode.DELETE_TOPIC_IN_NAMESRV: {
        const h = DeleteTopicFromNamesrvRequestHeader.decode(cmd.extFields);
        this.routes.deleteTopic(h.topic, h.clusterName);
        this.logger.info('topic deleted', {
          topic: h.topic,
          cluster: h.clusterName,
          remote: channel.remoteAddress,
        });
        return createResponse(cmd, ResponseCode.SUCCESS);
      }
      case RequestCode.WIPE_WRITE_PERM_OF_BROKER: {
        const { brokerName } = BrokerNameRequestHeader.decode(cmd.extFields);
        const wipeTopicCount = this.routes.wipeWritePermOfBroker(brokerName);
        this.logger.info('write perm wiped', {
          brokerName,
          topics: wipeTopicCount,
          remote: channel.remoteAddress,
        });
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          WipeWritePermOfBrokerResponseHeader.encode({ wipeTopicCount }),
        );
      }
      case RequestCode.ADD_WRITE_PERM_OF_BROKER: {
        const { brokerName } = BrokerNameRequestHeader.decode(cmd.extFields);
        const addTopicCount = this.routes.addWritePermOfBroker(brokerName);
        this.logger.info('write perm added', {
          brokerName,
          topics: addTopicCount,
          remote: channel.remoteAddress,
        });
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          AddWritePermOfBrokerResponseHeader.encode({ addTopicCount }),
        );
      }
      case RequestCode.UPDATE_NAMESRV_CONFIG:
        return this.updateConfig(cmd, channel);
      default:
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          undefined,
          Buffer.from(formatNamesrvConfig(this.config.current), 'utf8'),
        );
    }
  }

  /** Body is Java properties text; no body changes nothing (as Java). */
  private updateConfig(cmd: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    if (!cmd.body || cmd.body.length === 0) return createResponse(cmd, ResponseCode.SUCCESS);
    const outcome = this.config.update(parseProperties(cmd.body.toString('utf8')));
    const remote = channel.remoteAddress;
    switch (outcome.status) {
      case 'UPDATED':
        this.logger.info('config updated', { keys: outcome.keys, remote });
        return createResponse(cmd, ResponseCode.SUCCESS);
      case 'PATH_KEY_REFUSED':
        this.logger.warn('config update refused: path key', { key: outcome.key, remote });
        return createResponse(cmd, ResponseCode.NO_PERMISSION, `Can not update config path: ${outcome.key}`);
      case 'INVALID':
        return createResponse(cmd, ResponseCode.INVALID_PARAMETER, outcome.message);
    }
  }
}
