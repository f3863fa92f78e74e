/*
 * Geometry of the persisted timing wheel. A timer message waits in queue `slot` of
 * rmq_sys_wheel_timer, where slot = bucket mod slots and bucket = ⌊deliverMs / slotMs⌋; its
 * consume-queue unit carries deliverMs as tagsCode (as SCHEDULE_TOPIC_XXXX units carry theirs).
 *
 *   time ─┬──────────┬──────────┬── … ──┬──────────┬──────────┬──
 *         │ bucket b │ bucket b+1│       │ bucket b+N│          (N = slots)
 *   queue │ slot s   │ slot s+1 │       │ slot s   │  ← the ring wraps
 *
 * The ring is longer than the longest delay plus one slot, so an entry of round b+N can only be
 * appended to slot s once every entry of round b is due: within each slot queue the entries are in
 * bucket order, and the service only ever reads the slots of due (or nearly due) buckets.
 * RocketMQ 5 (TimerWheel + TimerLog) instead rolls far entries over; we avoid rolls with a ring
 * that covers the whole delay range.
 */

/** Width of one slot: the entries of one bucket are loaded into memory together. */
export const TIMER_SLOT_MS = 60_000; // 1 minute
/** Largest `timerMaxDelaySec` the ring covers: 3 days, RocketMQ 5's default timerMaxDelaySec. */
export const TIMER_MAX_DELAY_CAP_SEC = 3 * 24 * 3600;

export interface WheelGeometry {
  /** ms per slot. */
  readonly slotMs: number;
  /** Queues of the ring. */
  readonly slots: number;
}

/** Slots such that (slots − 1) × slotMs exceeds the longest delay by one slot of grace. */
export function wheelFor(maxDelayMs: number, slotMs = TIMER_SLOT_MS): WheelGeometry {
  return { slotMs, slots: Math.ceil(maxDelayMs / slotMs) + 2 };
}

/** The production ring: 4,322 one-minute slots. Fixed, so a config change never moves an entry. */
export const DEFAULT_WHEEL: WheelGeometry = wheelFor(TIMER_MAX_DELAY_CAP_SEC * 1000);

export function bucketOf(g: WheelGeometry, ms: number): number {
  return Math.floor(ms / g.slotMs);
}

export function slotOfBucket(g: WheelGeometry, bucket: number): number {
  return ((bucket % g.slots) + g.slots) % g.slots;
}

/** The queue id of rmq_sys_wheel_timer an entry due at `deliverMs` goes to. */
export function slotOf(g: WheelGeometry, deliverMs: number): number {
  return slotOfBucket(g, bucketOf(g, deliverMs));
}

/** First ms after bucket `bucket`. */
export function bucketEnd(g: WheelGeometry, bucket: number): number {
  return (bucket + 1) * g.slotMs;
}
