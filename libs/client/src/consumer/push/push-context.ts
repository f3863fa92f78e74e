import type { MessageExt, MessageQueue, SubscriptionData } from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import type { Logger } from '../../logger';
import type { OffsetStore } from '../offset-store/offset-store';
import type { ConsumeExecutor } from './consume-executor';
import type { ConsumeStats } from './consume-stats';
import type { ResolvedListener } from './message-listener';
import type { ProcessQueue } from './process-queue';
import type { PushConsumerConfig } from './push-consumer-options';
import type { Scheduler } from './scheduler';
import type { SendBackService } from './send-back';

/**
 * What the parts of a push consumer share (the fields of DefaultMQPushConsumerImpl its services reach
 * through). Built once by PushConsumer.start(); the parts depend on this, never on PushConsumer.
 */
export interface PushContext {
  readonly config: PushConsumerConfig;
  readonly instance: ClientInstance;
  readonly logger: Logger;
  readonly group: string;
  readonly clientId: string;
  readonly clustering: boolean;
  readonly listener: ResolvedListener;
  readonly offsetStore: OffsetStore;
  readonly stats: ConsumeStats;
  readonly scheduler: Scheduler;
  readonly executor: ConsumeExecutor;
  readonly sendBack: SendBackService;
  /** The subscription of a topic (user topics and, when clustering, %RETRY%<group>). */
  subscription(topic: string): SubscriptionData | undefined;
  /** False once shutdown has begun. */
  isRunning(): boolean;
}

/** One queue's pull position (PullRequest.java). */
export interface PullRequest {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue;
  nextOffset: number;
  /** Orderly: the offset was re-read once after the queue's first lock. */
  previouslyLocked: boolean;
}

/** Consumption of pulled messages, concurrent or orderly (ConsumeMessageService.java). */
export interface ConsumeService {
  /** Messages just put in `pq`; `dispatchToConsume` is putMessages' answer (orderly starts a loop on it). */
  submit(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue, dispatchToConsume: boolean): void;
}
