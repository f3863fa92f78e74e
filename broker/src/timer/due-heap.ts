/** An entry waiting in memory for its delivery time. */
export interface DueEntry {
  /** Delivery time, epoch ms. */
  due: number;
  /** Queue id of rmq_sys_wheel_timer. */
  slot: number;
  /** Logical offset in that queue. */
  offset: number;
  /** Commit-log offset of the held record. */
  phy: number;
}

/** Binary min-heap by delivery time, ties by slot then offset so equal times keep their send order. */
export class DueHeap {
  private readonly a: DueEntry[] = [];

  get size(): number {
    return this.a.length;
  }

  peek(): DueEntry | undefined {
    return this.a[0];
  }

  push(e: DueEntry): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent] as DueEntry;
      if (!before(e, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = e;
  }

  pop(): DueEntry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(a[r] as DueEntry, a[l] as DueEntry) ? r : l;
      const c = a[child] as DueEntry;
      if (!before(c, last)) break;
      a[i] = c;
      i = child;
    }
    a[i] = last;
    return top;
  }
}

function before(x: DueEntry, y: DueEntry): boolean {
  if (x.due !== y.due) return x.due < y.due;
  if (x.slot !== y.slot) return x.slot < y.slot;
  return x.offset < y.offset;
}
