import {
  createResponse,
  CreateTopicRequestHeader,
  encodeTopicConfigWrapper,
  encodeTopicList,
  RequestCode,
  ResponseCode,
  stringifyJavaJson,
  SystemTopic,
  topicConfig,
  TopicFilterType,
  TopicRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';
import { isSystemTopic, topicNameProblem } from '../topics/topic-validator';

/** Queues a topic may have at most (a sanity bound; RocketMQ has none). */
const MAX_QUEUE_NUMS = 1024;

/** Topic administration on the broker (AdminBrokerProcessor: topic requests). */
export class TopicAdminProcessor {
  static readonly codes = [
    RequestCode.UPDATE_AND_CREATE_TOPIC,
    RequestCode.DELETE_TOPIC_IN_BROKER,
    RequestCode.GET_ALL_TOPIC_CONFIG,
    RequestCode.GET_TOPIC_STATS_INFO,
    RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER,
  ];

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) => {
    switch (cmd.code) {
      case RequestCode.UPDATE_AND_CREATE_TOPIC:
        return this.createTopic(cmd);
      case RequestCode.DELETE_TOPIC_IN_BROKER:
        return this.deleteTopic(cmd);
      case RequestCode.GET_ALL_TOPIC_CONFIG:
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          undefined,
          encodeTopicConfigWrapper(this.ctx.topics.serializeWrapper()),
        );
      case RequestCode.GET_TOPIC_STATS_INFO:
        return this.topicStats(cmd);
      default: {
        const system = this.ctx.topics
          .all()
          .map((t) => t.topicName)
          .filter(isSystemTopic);
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          undefined,
          encodeTopicList(system, this.ctx.brokerAddr()),
        );
      }
    }
  };

  private createTopic(cmd: RemotingCommand): RemotingCommand {
    const h = CreateTopicRequestHeader.decode(cmd.extFields);
    const problem = topicNameProblem(h.topic);
    if (problem) return createResponse(cmd, ResponseCode.SYSTEM_ERROR, problem);
    if (h.topic === SystemTopic.AUTO_CREATE) {
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        `The specified topic[${h.topic}] is conflicted with AUTO_CREATE_TOPIC_KEY_TOPIC.`,
      );
    }
    // SCHEDULE_TOPIC_XXXX and the other broker-internal topics are the broker's own (5.x AdminBrokerProcessor).
    if (isSystemTopic(h.topic))
      return createResponse(
        cmd,
        ResponseCode.SYSTEM_ERROR,
        `The topic[${h.topic}] is conflict with system topic.`,
      );
    for (const [name, n] of [
      ['readQueueNums', h.readQueueNums],
      ['writeQueueNums', h.writeQueueNums],
    ] as const) {
      if (n < 1 || n > MAX_QUEUE_NUMS)
        return createResponse(
          cmd,
          ResponseCode.SYSTEM_ERROR,
          `${name} must be within 1..${MAX_QUEUE_NUMS}, got ${n}`,
        );
    }
    if (h.perm < 0 || h.perm > 7)
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, `perm must be within 0..7, got ${h.perm}`);
    const filter =
      h.topicFilterType === TopicFilterType.MULTI_TAG
        ? TopicFilterType.MULTI_TAG
        : TopicFilterType.SINGLE_TAG;
    this.ctx.topics.update(
      topicConfig(h.topic, {
        readQueueNums: h.readQueueNums,
        writeQueueNums: h.writeQueueNums,
        perm: h.perm,
        topicFilterType: filter,
        topicSysFlag: h.topicSysFlag ?? 0,
        order: h.order,
      }),
    );
    this.ctx.logger.info('topic created or updated', {
      topic: h.topic,
      read: h.readQueueNums,
      write: h.writeQueueNums,
      perm: h.perm,
    });
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  private deleteTopic(cmd: RemotingCommand): RemotingCommand {
    const { topic } = TopicRequestHeader.decode(cmd.extFields);
    if (isSystemTopic(topic))
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, `system topic ${topic} cannot be deleted`);
    this.ctx.topics.delete(topic);
    this.ctx.store.deleteTopics([topic]);
    this.ctx.offsets.removeTopic(topic);
    this.ctx.logger.info('topic deleted', { topic });
    return createResponse(cmd, ResponseCode.SUCCESS);
  }

  /** TopicStatsTable, keyed by MessageQueue objects as Java writes it (§6.0 point 2). */
  private topicStats(cmd: RemotingCommand): RemotingCommand {
    const { topic } = TopicRequestHeader.decode(cmd.extFields);
    const tc = this.ctx.topics.get(topic);
    if (!tc) return createResponse(cmd, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
    const table = new Map<object, object>();
    for (let q = 0; q < tc.writeQueueNums; q++) {
      const max = this.ctx.store.getMaxOffsetInQueue(topic, q);
      table.set(
        { brokerName: this.ctx.config.brokerName, queueId: q, topic },
        {
          minOffset: this.ctx.store.getMinOffsetInQueue(topic, q),
          maxOffset: max,
          lastUpdateTimestamp:
            max > 0 ? Math.max(0, this.ctx.store.getMessageStoreTimestamp(topic, q, max - 1)) : 0,
        },
      );
    }
    return createResponse(
      cmd,
      ResponseCode.SUCCESS,
      undefined,
      undefined,
      Buffer.from(stringifyJavaJson({ offsetTable: table }), 'utf8'),
    );
  }
}
