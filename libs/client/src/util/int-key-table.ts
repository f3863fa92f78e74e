/**
 * Slots a table starts with, and the most it grows to. It grows when a key finds its slot taken while
 * more than half the slots are in use; otherwise, or at the maximum, the key goes to the overflow Map.
 */
const INITIAL_SLOTS = 16;
const MAX_SLOTS = 4096;

/**
 * A table keyed by non-negative integers, for keys that churn — request ids, queue offsets — where
 * each entry is added once and deleted soon after, thousands of times a second.
 *
 * Why not a Map: when V8 rehashes a Map, the replaced table keeps its entries and a link to its
 * successor. Once promoted, such a dead table is still a root for the young-generation collector, so
 * whatever its entries reach (a request's promise and response, a pulled message) survives every
 * scavenge and is promoted too, and each table holds the next. A client sending 10,000 messages per
 * second promoted 14 % of all it allocated this way, and the growing old generation cost a 5–15 ms
 * mark-compact every second. An object with integer keys avoids that but switches between fast and
 * dictionary elements as keys advance (13 % of a push consumer's CPU).
 *
 * So: slots indexed by the key's low bits, holding one key each, in arrays that live as long as the
 * table. Keys that increase one by one (both uses) fill consecutive slots; a key whose slot is taken
 * (a long-polling request still waiting when the ids come round) goes to a small overflow Map.
 */
export class IntKeyTable<V extends object> {
  private keys: number[] = new Array<number>(INITIAL_SLOTS).fill(-1);
  private values: (V | undefined)[] = new Array<V | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  private readonly overflow = new Map<number, V>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: number): V | undefined {
    const i = key & this.mask;
    if (this.keys[i] === key) return this.values[i];
    return this.overflow.size === 0 ? undefined : this.overflow.get(key);
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, value: V): void {
    const i = key & this.mask;
    if (this.keys[i] === key) {
      this.values[i] = value;
      return;
    }
    if (this.overflow.size > 0 && this.overflow.has(key)) {
      this.overflow.set(key, value);
      return;
    }
    this.count++;
    if (this.values[i] === undefined) {
      this.keys[i] = key;
      this.values[i] = value;
    } else if (this.mask + 1 < MAX_SLOTS && this.count > (this.mask + 1) >> 1) {
      this.grow();
      this.place(key, value);
    } else {
      this.overflow.set(key, value);
    }
  }

  delete(key: number): boolean {
    const i = key & this.mask;
    if (this.keys[i] === key) {
      this.keys[i] = -1;
      this.values[i] = undefined;
      this.count--;
      return true;
    }
    if (this.overflow.size > 0 && this.overflow.delete(key)) {
      this.count--;
      return true;
    }
    return false;
  }

  clear(): void {
    this.keys.fill(-1);
    this.values.fill(undefined);
    this.overflow.clear();
    this.count = 0;
  }

  /** Visit every entry, keys ascending; `fn` may delete the entry it is given. */
  forEach(fn: (value: V, key: number) => void): void {
    for (const [key, value] of this.entryList()) fn(value, key);
  }

  /** A snapshot of the entries, keys ascending. */
  entryList(): [number, V][] {
    const out: [number, V][] = [];
    for (let i = 0; i <= this.mask; i++) {
      const value = this.values[i];
      if (value !== undefined) out.push([this.keys[i] as number, value]);
    }
    for (const entry of this.overflow) out.push(entry);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** A snapshot of the values, in the order of `entryList`. */
  valueList(): V[] {
    return this.entryList().map((e) => e[1]);
  }

  /** Twice the slots; entries move to their new slots, overflow entries too where theirs is free. */
  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    const slots = (this.mask + 1) * 2;
    this.keys = new Array<number>(slots).fill(-1);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    for (let i = 0; i < keys.length; i++) {
      const value = values[i];
      if (value !== undefined) this.place(keys[i] as number, value);
    }
    for (const [key, value] of this.overflow) {
      const i = key & this.mask;
      if (this.values[i] !== undefined) continue;
      this.overflow.delete(key);
      this.keys[i] = key;
      this.values[i] = value;
    }
  }

  /** Put an entry known to be absent, without counting it. */
  private place(key: number, value: V): void {
    const i = key & this.mask;
    if (this.values[i] === undefined) {
      this.keys[i] = key;
      this.values[i] = value;
    } else {
      this.overflow.set(key, value);
    }
  }
}
