import type { Logger, RemotingClient } from '@rocketts/client';
import {
  bodyCrc,
  createRequest,
  encodeRegisterBrokerBody,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  RequestCode,
  ResponseCode,
  UnregisterBrokerRequestHeader,
  type TopicConfigSerializeWrapper,
} from '@rocketts/protocol';

export interface RegistrarOptions {
  client: RemotingClient;
  nameServers: string[];
  clusterName: string;
  brokerName: string;
  brokerId: number;
  brokerAddr: () => string;
  haServerAddr: () => string;
  topics: () => TopicConfigSerializeWrapper;
  periodMs: number;
  timeoutMs: number;
  logger: Logger;
}

export interface RegistrationResult {
  nameServer: string;
  ok: boolean;
  masterAddr?: string;
  error?: string;
}

/**
 * Keeps the broker registered with every name server (BrokerOuterAPI.registerBrokerAll): on start,
 * every `registerNameServerPeriod`, and right after topic changes; unregisters at shutdown.
 */
export class NameServerRegistrar {
  private timer: NodeJS.Timeout | undefined;
  private pendingChange = false;
  lastResults: RegistrationResult[] = [];

  constructor(private readonly o: RegistrarOptions) {}

  async start(): Promise<RegistrationResult[]> {
    const results = await this.registerAll();
    this.timer = setInterval(() => void this.registerAll(), this.o.periodMs);
    this.timer.unref();
    return results;
  }

  /** Topic configuration changed: register again soon, once for a burst of changes. */
  topicsChanged(): void {
    if (this.pendingChange || !this.timer) return;
    this.pendingChange = true;
    setImmediate(() => {
      this.pendingChange = false;
      void this.registerAll();
    });
  }

  async registerAll(): Promise<RegistrationResult[]> {
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: this.o.topics(),
      filterServerList: [],
    });
    const ext = RegisterBrokerRequestHeader.encode({
      brokerName: this.o.brokerName,
      brokerAddr: this.o.brokerAddr(),
      clusterName: this.o.clusterName,
      haServerAddr: this.o.haServerAddr(),
      brokerId: this.o.brokerId,
      compressed: false,
      bodyCrc32: bodyCrc(body),
    });
    const results = await Promise.all(
      this.o.nameServers.map(async (ns): Promise<RegistrationResult> => {
        try {
          const resp = await this.o.client.invoke(
            ns,
            createRequest(RequestCode.REGISTER_BROKER, ext, body),
            this.o.timeoutMs,
          );
          if (resp.code !== ResponseCode.SUCCESS)
            return { nameServer: ns, ok: false, error: resp.remark ?? `code ${resp.code}` };
          const h = RegisterBrokerResponseHeader.decode(resp.extFields);
          return h.masterAddr
            ? { nameServer: ns, ok: true, masterAddr: h.masterAddr }
            : { nameServer: ns, ok: true };
        } catch (err) {
          return { nameServer: ns, ok: false, error: (err as Error).message };
        }
      }),
    );
    for (const r of results) {
      if (!r.ok)
        this.o.logger.warn('registration with name server failed', {
          nameServer: r.nameServer,
          error: r.error,
        });
    }
    this.lastResults = results;
    return results;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const ext = UnregisterBrokerRequestHeader.encode({
      brokerName: this.o.brokerName,
      brokerAddr: this.o.brokerAddr(),
      clusterName: this.o.clusterName,
      brokerId: this.o.brokerId,
    });
    await Promise.all(
      this.o.nameServers.map((ns) =>
        this.o.client
          .invoke(ns, createRequest(RequestCode.UNREGISTER_BROKER, ext), this.o.timeoutMs)
          .catch((err: Error) => {
            this.o.logger.warn('unregister from name server failed', { nameServer: ns, error: err.message });
          }),
      ),
    );
  }
}
