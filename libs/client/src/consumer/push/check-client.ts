import {
  encodeCheckClientRequestBody,
  ExpressionType,
  isResponseCode,
  RequestCode,
  ResponseCode,
  ResponseError,
  type SubscriptionData,
} from '@rocketts/protocol';
import type { ClientInstance } from '../../client/client-instance';
import type { Logger } from '../../logger';
import { MASTER_ID } from '../../route/topic-publish-info';

/** Socket timeout of CHECK_CLIENT_CONFIG (DefaultMQPushConsumerImpl.checkClientInBroker passes 3000). */
const CHECK_TIMEOUT_MS = 3000;

/**
 * DefaultMQPushConsumerImpl.checkClientInBroker: before the first heartbeat, each SQL92 subscription is
 * shown to the masters of its topic (CHECK_CLIENT_CONFIG), so an expression they cannot parse, or a
 * broker with enablePropertyFilter off, fails start() instead of every later pull. A broker that cannot
 * be reached is skipped (Java asks one broker; a refusal from any fails here); a topic without a route
 * yet has nothing to check.
 */
export async function checkClientInBrokers(
  instance: ClientInstance,
  group: string,
  subscriptions: readonly SubscriptionData[],
  logger: Logger,
): Promise<void> {
  for (const sub of subscriptions) {
    if (sub.expressionType === ExpressionType.TAG) continue;
    let addrs: string[];
    try {
      const entry = await instance.routes.get(sub.topic);
      addrs = entry.route.brokerDatas.flatMap((bd) => {
        const master = bd.brokerAddrs.get(MASTER_ID);
        return master ? [master] : [];
      });
    } catch (err) {
      logger.debug('no route yet to check a subscription with', { topic: sub.topic, error: err });
      continue;
    }
    for (const addr of addrs) {
      const body = encodeCheckClientRequestBody({
        clientId: instance.clientId,
        group,
        subscriptionData: sub,
      });
      try {
        await instance.invoke(
          addr,
          instance.request(RequestCode.CHECK_CLIENT_CONFIG, undefined, body),
          CHECK_TIMEOUT_MS,
        );
      } catch (err) {
        // An old broker without the request cannot judge; anything else it answered is a refusal.
        if (err instanceof ResponseError && !isResponseCode(err, ResponseCode.REQUEST_CODE_NOT_SUPPORTED)) {
          throw err;
        }
        logger.warn('could not check a subscription with a broker', { addr, topic: sub.topic, error: err });
      }
    }
  }
}
