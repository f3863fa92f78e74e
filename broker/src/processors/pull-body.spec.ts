import { describe, expect, it } from 'vitest';
import { joinAdjacent } from './pull-body';

describe('joinAdjacent', () => {
  const block = Buffer.from('aaaabbbbccccdddd');

  it('joins records that follow each other in one buffer into one slice, without copying', () => {
    const parts = joinAdjacent([block.subarray(0, 4), block.subarray(4, 8), block.subarray(8, 12)]);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.toString()).toBe('aaaabbbbcccc');
    block[0] = 0x7a; // a view, not a copy
    expect(parts[0]?.toString()).toBe('zaaabbbbcccc');
    block[0] = 0x61;
  });

  it('keeps gaps, other buffers and order', () => {
    const other = Buffer.from('xxxx');
    const parts = joinAdjacent([block.subarray(0, 4), block.subarray(8, 12), block.subarray(12, 16), other]);
    expect(parts.map((p) => p.toString())).toEqual(['aaaa', 'ccccdddd', 'xxxx']);
    expect(joinAdjacent([other])).toEqual([other]);
    expect(joinAdjacent([])).toEqual([]);
  });
});
