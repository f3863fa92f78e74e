import { describe, expect, it } from 'vitest';
import { IntKeyTable } from './int-key-table';

describe('IntKeyTable', () => {
  it('counts, finds and forgets entries as a Map would', () => {
    const t = new IntKeyTable<{ v: number }>();
    t.set(7, { v: 1 });
    t.set(7, { v: 2 });
    t.set(0, { v: 3 });
    expect(t.size).toBe(2);
    expect(t.get(7)).toEqual({ v: 2 });
    expect(t.has(0)).toBe(true);
    expect(t.delete(0)).toBe(true);
    expect(t.delete(0)).toBe(false);
    expect(t.has(0)).toBe(false);
    expect(t.get(1)).toBeUndefined();
    expect(t.size).toBe(1);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.get(7)).toBeUndefined();
  });

  it('lists entries with numeric keys, ascending, past 2^32 too', () => {
    const t = new IntKeyTable<{ v: number }>();
    const big = 2 ** 40 + 3;
    for (const k of [big, 30, 2_000_000_000, 4]) t.set(k, { v: k });
    expect(t.entryList().map(([k]) => k)).toEqual([4, 30, 2_000_000_000, big]);
    expect(t.get(big)).toEqual({ v: big });
    expect(t.valueList().map((x) => x.v)).toEqual([4, 30, 2_000_000_000, big]);
    const seen: number[] = [];
    t.forEach((v, k) => {
      expect(v.v).toBe(k);
      seen.push(k);
      if (k === 30) t.delete(k);
    });
    expect(seen).toEqual([4, 30, 2_000_000_000, big]);
    expect(t.has(30)).toBe(false);
    expect(t.size).toBe(3);
  });

  it('stays correct through a long churn of increasing keys', () => {
    const t = new IntKeyTable<{ k: number }>();
    const live = new Set<number>();
    for (let k = 1; k <= 200_000; k++) {
      t.set(k, { k });
      live.add(k);
      if (k % 3 !== 0) {
        const old = k - (k % 50);
        if (live.delete(old)) expect(t.delete(old)).toBe(true);
      }
      if (k > 100) {
        live.delete(k - 100);
        t.delete(k - 100);
      }
    }
    expect(t.size).toBe(live.size);
    for (const k of live) expect(t.get(k)).toEqual({ k });
  });
});

describe('IntKeyTable slots and overflow', () => {
  it('keeps an entry whose slot comes round again (a long-held request) apart from the new key there', () => {
    const t = new IntKeyTable<{ k: number }>();
    t.set(5, { k: 5 });
    for (let k = 6; k < 6 + 10_000; k++) {
      t.set(k, { k });
      expect(t.get(5)).toEqual({ k: 5 });
      expect(t.get(k)).toEqual({ k });
      t.delete(k);
    }
    expect(t.size).toBe(1);
    expect(t.entryList()).toEqual([[5, { k: 5 }]]);
  });

  it('grows for a wide window and keeps every entry through the move', () => {
    const t = new IntKeyTable<{ k: number }>();
    for (let k = 1000; k < 4000; k++) t.set(k, { k });
    expect(t.size).toBe(3000);
    for (let k = 1000; k < 4000; k++) expect(t.get(k)).toEqual({ k });
    expect(t.entryList().map(([k]) => k)).toEqual(Array.from({ length: 3000 }, (_, i) => 1000 + i));
    for (let k = 1000; k < 4000; k += 2) expect(t.delete(k)).toBe(true);
    expect(t.size).toBe(1500);
    expect(t.has(1000)).toBe(false);
    expect(t.get(1001)).toEqual({ k: 1001 });
  });

  it('holds more entries than its largest slot array, through the overflow', () => {
    const t = new IntKeyTable<{ k: number }>();
    for (let k = 0; k < 20_000; k++) t.set(k * 3, { k });
    expect(t.size).toBe(20_000);
    for (let k = 0; k < 20_000; k++) expect(t.get(k * 3)).toEqual({ k });
    t.set(3, { k: -1 });
    expect(t.size).toBe(20_000);
    expect(t.get(3)).toEqual({ k: -1 });
    t.clear();
    expect(t.size).toBe(0);
    expect(t.get(3)).toBeUndefined();
    expect(t.entryList()).toEqual([]);
  });
});
