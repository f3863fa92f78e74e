import { describe, expect, it } from 'vitest';
import { DueHeap, type DueEntry } from './due-heap';

describe('DueHeap', () => {
  it('pops by delivery time, equal times in offset order', () => {
    const h = new DueHeap();
    const entries: DueEntry[] = [];
    for (let i = 0; i < 500; i++) entries.push({ due: (i * 7919) % 97, slot: 1, offset: i, phy: i });
    for (const e of entries) h.push(e);
    const out: DueEntry[] = [];
    while (h.size > 0) out.push(h.pop() as DueEntry);
    const sorted = [...entries].sort((a, b) => a.due - b.due || a.offset - b.offset);
    expect(out).toEqual(sorted);
    expect(h.pop()).toBeUndefined();
  });
});
