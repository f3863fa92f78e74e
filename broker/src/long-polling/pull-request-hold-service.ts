import type { RemotingChannel } from '@rocketts/client';
import type { RemotingCommand } from '@rocketts/protocol';
import type { DispatchRequest } from '../store/dispatch/dispatch-request';
import type { MessageFilter } from '../store/message-filter';

/** A pull parked until a message arrives or its time is up (PullRequest.java). */
export interface HeldPull {
  cmd: RemotingCommand;
  channel: RemotingChannel;
  topic: string;
  queueId: number;
  /** The logical offset the consumer wants; any arrival at or beyond it may satisfy it. */
  pullFromOffset: number;
  filter: MessageFilter;
  deadline: number;
}

/** How often parked pulls are checked against their deadline (RocketMQ: every 5 s; shorter keeps short polls short). */
const TIMEOUT_SCAN_MS = 200;

/**
 * Long polling (PullRequestHoldService + NotifyMessageArrivingListener): a pull that finds nothing
 * is parked per queue and re-executed, without parking again, when a matching message is dispatched
 * to that queue or when its suspend time runs out.
 */
export class PullRequestHoldService {
  /**
   * topic@queueId → parked pulls. A queue's key stays while it is in use (its list may be empty) and is
   * deleted only by the periodic scan: a key deleted and set again at every message would make the Map
   * rehash over and over, and V8 keeps each replaced table with its entries and a link to the next,
   * which the young-generation collector treats as roots — every parked pull (request, channel) it
   * reached would be promoted to the old generation.
   */
  private readonly held = new Map<string, HeldPull[]>();
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  constructor(private readonly wake: (p: HeldPull) => void) {}

  get heldCount(): number {
    return this.count;
  }

  start(): void {
    this.timer = setInterval(() => this.expire(), TIMEOUT_SCAN_MS);
    this.timer.unref();
  }

  /** Answer everything still parked (shutdown). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const list of this.held.values()) for (const p of list) this.wake(p);
    this.held.clear();
    this.count = 0;
  }

  suspend(p: HeldPull): void {
    const key = `${p.topic}@${p.queueId}`;
    let list = this.held.get(key);
    if (!list) {
      list = [];
      this.held.set(key, list);
    }
    list.push(p);
    this.count++;
  }

  /** A message was dispatched to a consume queue: wake the pulls it can satisfy. */
  onMessageArrived(req: DispatchRequest): void {
    // Called for every stored message: nothing to build when no pull is parked.
    if (this.count === 0) return;
    const list = this.held.get(`${req.topic}@${req.queueId}`);
    if (!list || list.length === 0) return;
    const woken = this.take(
      list,
      (p) =>
        req.consumeQueueOffset >= p.pullFromOffset &&
        p.filter.isMatchedByConsumeQueue(req.tagsCode) &&
        (!p.filter.isMatchedByCommitLog || p.filter.isMatchedByCommitLog(req.properties)),
    );
    if (woken) for (const p of woken) this.wake(p);
  }

  private expire(): void {
    const now = Date.now();
    for (const [key, list] of this.held) {
      if (list.length === 0) {
        this.held.delete(key);
        continue;
      }
      const due = this.take(list, (p) => p.deadline <= now);
      if (due) for (const p of due) this.wake(p);
    }
  }

  /**
   * Remove from `list`, in place, the pulls `wanted` picks and those whose connection is gone; returns
   * the picked ones (undefined when none: the per-message path allocates nothing then).
   */
  private take(list: HeldPull[], wanted: (p: HeldPull) => boolean): HeldPull[] | undefined {
    let picked: HeldPull[] | undefined;
    let kept = 0;
    for (const p of list) {
      if (!p.channel.isActive()) continue;
      if (wanted(p)) (picked ??= []).push(p);
      else list[kept++] = p;
    }
    this.count -= list.length - kept;
    list.length = kept;
    return picked;
  }
}
