import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  createOffsetMsgId,
  createResponse,
  decodeBatchBody,
  encodeFrameToBuffer,
  encodeHostAddress,
  encodeTopicList,
  encodeTopicRouteData,
  encodeClusterInfo,
  FrameDecoder,
  isOneway,
  isResponse,
  KvConfigRequestHeader,
  MQVersion,
  PullMessageRequestHeader,
  PutKvConfigRequestHeader,
  RemotingFlag,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV1,
  SendMessageRequestHeaderV2,
  TopicRequestHeader,
  type ClusterInfo,
  type RemotingCommand,
  type TopicRouteData,
} from '@rocketts/protocol';
import { respond, type Behaviour, type FakeHandler, type FakeRequestContext, type Step } from './behaviours';

export * from './behaviours';
export * from './fake-routes';

export interface FakeBrokerOptions {
  brokerName?: string;
  clusterName?: string;
}

export interface FakeRequest {
  cmd: RemotingCommand;
  connectionId: number;
}

/** KV namespace the name server reads orderTopicConf from. */
const ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';
let fakeCounter = 0;

/**
 * A scriptable broker / name server on 127.0.0.1 for client failure tests (STYLE §14). It speaks the frame
 * protocol with the real codec; each request code follows its script (one step per request), then its
 * handler, then a built-in default: SEND_* stored, HEART_BEAT/UNREGISTER/offset updates OK, PULL not found,
 * GET_ROUTEINFO_BY_TOPIC from `setRoute`, cluster info from `setClusterInfo`, KV config kept in memory.
 * One-way requests are recorded and never answered. Every request is recorded in `requests`.
 */
export class FakeBroker {
  readonly requests: FakeRequest[] = [];
  readonly brokerName: string;
  readonly clusterName: string;
  /** Connections accepted so far. */
  connectionsAccepted = 0;
  private readonly sockets = new Set<Socket>();
  /** Open connections by their 1-based number, for requests the fake sends to its clients. */
  private readonly socketsById = new Map<number, Socket>();
  /** Requests sent to clients, by opaque, awaiting the client's answer. */
  private readonly awaitingClients = new Map<number, (resp: RemotingCommand) => void>();
  private nextPushOpaque = 1_000_000;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly scripts = new Map<number, Step[]>();
  private readonly handlers = new Map<number, Step>();
  private readonly routes = new Map<string, TopicRouteData>();
  private readonly kv = new Map<string, string>();
  private clusterInfo: ClusterInfo | undefined;
  /** Answers clients owe to requestClients(), by opaque. */
  private nextQueueOffset = 0;
  private nextPhysicalOffset = 0;
  private port = 0;

  private constructor(
    private readonly server: Server,
    options: FakeBrokerOptions,
  ) {
    fakeCounter += 1;
    this.brokerName = options.brokerName ?? `fake-broker-${fakeCounter}`;
    this.clusterName = options.clusterName ?? 'FakeCluster';
  }

  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const server = createServer();
    const fake = new FakeBroker(server, options);
    server.on('connection', (socket) => fake.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Queue behaviours for the next requests of `code`, one each. */
  script(code: number, ...steps: Step[]): this {
    this.scripts.set(code, [...(this.scripts.get(code) ?? []), ...steps]);
    return this;
  }

  /** Behaviour for every request of `code` once its script is used up. */
  on(code: number, step: Step): this {
    this.handlers.set(code, step);
    return this;
  }

  setRoute(topic: string, route: TopicRouteData): this {
    this.routes.set(topic, route);
    return this;
  }

  deleteRoute(topic: string): this {
    this.routes.delete(topic);
    return this;
  }

  setClusterInfo(info: ClusterInfo): this {
    this.clusterInfo = info;
    return this;
  }

  kvConfig(namespace: string, key: string): string | undefined {
    return this.kv.get(`${namespace}\u0000${key}`);
  }

  requestsOf(code: number): RemotingCommand[] {
    return this.requests.filter((r) => r.cmd.code === code).map((r) => r.cmd);
  }

  /** Resolves once `count` requests of `code` arrived. */
  async waitForRequests(code: number, count: number, timeoutMs = 5000): Promise<RemotingCommand[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requestsOf(code).length < count) {
      if (Date.now() > deadline)
        throw new Error(
          `fake ${this.addr}: ${count} requests of code ${code} did not arrive within ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.requestsOf(code);
  }

  /**
   * Send a request to the client on connection `connectionId` (as a broker does with CHECK_TRANSACTION_STATE
   * or PUSH_REPLY_MESSAGE_TO_CLIENT) and resolve with its answer.
   */
  requestClient(connectionId: number, cmd: RemotingCommand, timeoutMs = 3000): Promise<RemotingCommand> {
    const socket = this.socketsById.get(connectionId);
    if (!socket || socket.destroyed)
      return Promise.reject(new Error(`fake ${this.addr}: no open connection ${connectionId}`));
    cmd.opaque = this.nextPushOpaque++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.awaitingClients.delete(cmd.opaque);
        reject(new Error(`fake ${this.addr}: client did not answer code ${cmd.code} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.awaitingClients.set(cmd.opaque, (resp) => {
        clearTimeout(timer);
        resolve(resp);
      });
      socket.write(encodeFrameToBuffer(cmd));
    });
  }

  /** Send a one-way request (NOTIFY_CONSUMER_IDS_CHANGED…) to the client on connection `connectionId`. */
  onewayToClient(connectionId: number, cmd: RemotingCommand): void {
    const socket = this.socketsById.get(connectionId);
    if (!socket || socket.destroyed) throw new Error(`fake ${this.addr}: no open connection ${connectionId}`);
    cmd.opaque = this.nextPushOpaque++;
    cmd.flag |= RemotingFlag.ONEWAY;
    socket.write(encodeFrameToBuffer(cmd));
  }

  /**
   * Send `cmd` as a broker → client request (§5) on every open connection; resolves with the answers (none
   * for a one-way request, or from clients that do not answer within `timeoutMs`).
   */
  async requestClients(cmd: RemotingCommand, timeoutMs = 3000): Promise<RemotingCommand[]> {
    const answers = [...this.sockets].map((socket) => {
      const req = { ...cmd, opaque: this.nextPushOpaque++ };
      socket.write(encodeFrameToBuffer(req));
      if (isOneway(req)) return Promise.resolve(undefined);
      return new Promise<RemotingCommand | undefined>((resolve) => {
        const t = setTimeout(() => {
          this.awaitingClients.delete(req.opaque);
          resolve(undefined);
        }, timeoutMs);
        this.awaitingClients.set(req.opaque, (answer) => {
          clearTimeout(t);
          this.awaitingClients.delete(req.opaque);
          resolve(answer);
        });
      });
    });
    return (await Promise.all(answers)).filter((a): a is RemotingCommand => a !== undefined);
  }

  /** A one-way request to every connected client (NOTIFY_CONSUMER_IDS_CHANGED, RESET_CONSUMER_CLIENT_OFFSET). */
  notifyClients(cmd: RemotingCommand): void {
    void this.requestClients({ ...cmd, flag: cmd.flag | RemotingFlag.ONEWAY });
  }

  /** Destroy every open connection (the client must reconnect). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.connectionsAccepted += 1;
    const ctx: FakeRequestContext = { connectionId: this.connectionsAccepted };
    const decoder = new FrameDecoder();
    this.sockets.add(socket);
    this.socketsById.set(ctx.connectionId, socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.socketsById.delete(ctx.connectionId);
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      let cmds: RemotingCommand[];
      try {
        cmds = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const cmd of cmds) {
        if (isResponse(cmd)) {
          this.awaitingClients.get(cmd.opaque)?.(cmd);
          this.awaitingClients.delete(cmd.opaque);
          continue;
        }
        this.requests.push({ cmd, connectionId: ctx.connectionId });
        if (isOneway(cmd)) continue;
        void this.behaviourFor(cmd, ctx).then((b) => this.perform(socket, cmd, b));
      }
    });
  }

  private async behaviourFor(cmd: RemotingCommand, ctx: FakeRequestContext): Promise<Behaviour> {
    const step =
      this.scripts.get(cmd.code)?.shift() ??
      this.handlers.get(cmd.code) ??
      ((req: RemotingCommand) => this.defaultBehaviour(req));
    return typeof step === 'function' ? (step as FakeHandler)(cmd, ctx) : step;
  }

  private perform(socket: Socket, cmd: RemotingCommand, b: Behaviour): void {
    if (socket.destroyed) return;
    switch (b.kind) {
      case 'respond': {
        const frame = encodeFrameToBuffer(createResponse(cmd, b.code, b.remark, b.extFields, b.body));
        if (!b.delayMs) socket.write(frame);
        else {
          const t = setTimeout(() => {
            this.timers.delete(t);
            if (!socket.destroyed) socket.write(frame);
          }, b.delayMs);
          this.timers.add(t);
        }
        return;
      }
      case 'noResponse':
        return;
      case 'drop':
        socket.destroy();
        return;
      case 'dropMidFrame': {
        const frame = encodeFrameToBuffer(
          createResponse(cmd, ResponseCode.SUCCESS, undefined, { filler: 'x'.repeat(64) }),
        );
        socket.write(frame.subarray(0, Math.floor(frame.length / 2)), () => socket.destroy());
        return;
      }
      case 'wrongLength': {
        const bad = Buffer.alloc(12);
        bad.writeInt32BE(2, 0); // a frame length must count at least the 4-byte header word
        socket.write(bad);
        return;
      }
    }
  }

  /** What the fake does for `cmd` when neither a script nor a handler says otherwise (for handlers that delay it). */
  defaultBehaviour(cmd: RemotingCommand): Behaviour {
    const ext = cmd.extFields ?? {};
    switch (cmd.code) {
      case RequestCode.SEND_MESSAGE:
      case RequestCode.SEND_MESSAGE_V2:
      case RequestCode.SEND_BATCH_MESSAGE:
        return this.stored(cmd);
      case RequestCode.HEART_BEAT:
      case RequestCode.UNREGISTER_CLIENT:
      case RequestCode.UPDATE_CONSUMER_OFFSET:
      case RequestCode.UPDATE_AND_CREATE_TOPIC:
        return respond(ResponseCode.SUCCESS);
      case RequestCode.PULL_MESSAGE: {
        const h = PullMessageRequestHeader.decode(ext);
        const next = String(h.queueOffset);
        return respond(ResponseCode.PULL_NOT_FOUND, {
          suggestWhichBrokerId: '0',
          nextBeginOffset: next,
          minOffset: '0',
          maxOffset: next,
        });
      }
      case RequestCode.GET_ROUTEINFO_BY_TOPIC: {
        const { topic, acceptStandardJsonOnly } = TopicRequestHeader.decode(ext);
        const route = this.routes.get(topic);
        if (!route)
          return respond(
            ResponseCode.TOPIC_NOT_EXIST,
            undefined,
            undefined,
            `No topic route info in name server for the topic: ${topic}`,
          );
        const orderTopicConf = this.kvConfig(ORDER_TOPIC_CONFIG, topic);
        const body = encodeTopicRouteData(
          orderTopicConf ? { ...route, orderTopicConf } : route,
          cmd.version >= MQVersion.V4_9_4 || acceptStandardJsonOnly === true,
        );
        return respond(ResponseCode.SUCCESS, undefined, body);
      }
      case RequestCode.GET_BROKER_CLUSTER_INFO:
        return this.clusterInfo
          ? respond(ResponseCode.SUCCESS, undefined, encodeClusterInfo(this.clusterInfo))
          : respond(ResponseCode.SYSTEM_ERROR, undefined, undefined, 'no cluster info');
      case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER:
        return respond(ResponseCode.SUCCESS, undefined, encodeTopicList(this.routes.keys()));
      case RequestCode.PUT_KV_CONFIG: {
        const h = PutKvConfigRequestHeader.decode(ext);
        this.kv.set(`${h.namespace}\u0000${h.key}`, h.value);
        return respond(ResponseCode.SUCCESS);
      }
      case RequestCode.GET_KV_CONFIG: {
        const h = KvConfigRequestHeader.decode(ext);
        const value = this.kvConfig(h.namespace, h.key);
        return value === undefined
          ? respond(ResponseCode.QUERY_NOT_FOUND, undefined, undefined, 'No config item')
          : respond(ResponseCode.SUCCESS, { value });
      }
      default:
        return respond(
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          undefined,
          undefined,
          ` request type ${cmd.code} not supported`,
        );
    }
  }

  /** A stored-message answer: one offset message id per message, consecutive queue offsets. */
  private stored(cmd: RemotingCommand): Behaviour {
    const h =
      cmd.code === RequestCode.SEND_MESSAGE
        ? SendMessageRequestHeaderV1.decode(cmd.extFields)
        : SendMessageRequestHeaderV2.decode(cmd.extFields);
    const count =
      cmd.code === RequestCode.SEND_BATCH_MESSAGE && cmd.body ? decodeBatchBody(cmd.body).length : 1;
    const host = encodeHostAddress('127.0.0.1', this.port);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(createOffsetMsgId(host, this.nextPhysicalOffset));
      this.nextPhysicalOffset += 100;
    }
    const queueOffset = this.nextQueueOffset;
    this.nextQueueOffset += count;
    return respond(ResponseCode.SUCCESS, {
      msgId: ids.join(','),
      queueId: String(Math.max(0, h.queueId)),
      queueOffset: String(queueOffset),
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
    });
  }
}

/** An address on 127.0.0.1 where nothing listens (connections are refused). */
export async function closedAddr(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
