import { describe, expect, it } from 'vitest';
import { decodeDelayOffsetTable, encodeDelayOffsetTable } from './delay-offset';

describe('DelayOffsetSerializeWrapper (GET_ALL_DELAY_OFFSET, delayOffset.json)', () => {
  it('writes level keys bare, as fastjson writes a Map<Integer, Long>', () => {
    const body = encodeDelayOffsetTable(
      new Map([
        [1, 5],
        [2, 0],
      ]),
    );
    expect(body.toString()).toBe('{"offsetTable":{1:5,2:0}}');
  });

  it('reads bare and quoted keys back, and an empty table', () => {
    expect(decodeDelayOffsetTable(Buffer.from('{"offsetTable":{1:5,"3":7}}'))).toEqual(
      new Map([
        [1, 5],
        [3, 7],
      ]),
    );
    expect(decodeDelayOffsetTable(Buffer.from('{"offsetTable":{}}')).size).toBe(0);
    expect(() => decodeDelayOffsetTable(Buffer.from('{"offsetTable":{1:"x"}}'))).toThrow(/offsetTable.1/);
  });
});
