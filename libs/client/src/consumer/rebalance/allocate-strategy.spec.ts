import { describe, expect, it } from 'vitest';
import { allocateAveragely, allocateByCircle, strategyByName } from './allocate-strategy';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const cids = (c: number): string[] => range(c).map(String);
const table = (n: number, c: number): number[][] =>
  cids(c).map((id) => allocateAveragely(id, range(n), cids(c)));

// §19.8: ali-ons test/allocate_message_queue_averagely.test.js, equal to Java's AllocateMessageQueueAveragely.
describe('allocateAveragely', () => {
  it.each([
    [
      8,
      2,
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    ],
    [
      8,
      3,
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8],
      ],
    ],
    [
      5,
      2,
      [
        [1, 2, 3],
        [4, 5],
      ],
    ],
    [5, 3, [[1, 2], [3, 4], [5]]],
    [5, 4, [[1, 2], [3], [4], [5]]],
    [5, 5, [[1], [2], [3], [4], [5]]],
    [5, 6, [[1], [2], [3], [4], [5], []]],
  ])('%i queues over %i consumers', (n, c, expected) => {
    expect(table(n, c)).toEqual(expected);
  });

  it('is disjoint and complete for every size up to 40 × 12', () => {
    for (let n = 0; n <= 40; n++) {
      for (let c = 1; c <= 12; c++) {
        const got = table(n, c).flat();
        expect(got).toEqual(range(n));
      }
    }
  });

  it('assigns nothing to a consumer that is not in the list', () => {
    expect(allocateAveragely('9', range(8), cids(2))).toEqual([]);
  });
});

describe('allocateByCircle', () => {
  it('deals queues round the circle', () => {
    expect(cids(3).map((id) => allocateByCircle(id, range(8), cids(3)))).toEqual([
      [1, 4, 7],
      [2, 5, 8],
      [3, 6],
    ]);
  });

  it('strategies by name; an unknown name is a typed error', () => {
    expect(strategyByName<number>('AVG').allocate('1', range(4), cids(2))).toEqual([1, 2]);
    expect(() => strategyByName('nope')).toThrow(/unknown allocate strategy/);
  });
});
