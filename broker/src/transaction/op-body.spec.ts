import { describe, expect, it } from 'vitest';
import { encodeOpBody, parseOpBody } from './op-body';

describe('op record bodies (§10.2)', () => {
  it('writes the 5.x form: each offset followed by a comma', () => {
    expect(encodeOpBody([7]).toString('ascii')).toBe('7,');
    expect(encodeOpBody([1, 20, 300]).toString('ascii')).toBe('1,20,300,');
  });

  it.each([
    ['4.x single offset', '42', [42]],
    ['5.x single', '42,', [42]],
    ['5.x batch', '1,2,3,', [1, 2, 3]],
    ['empty parts skipped', ',,5,,6,', [5, 6]],
    ['garbage skipped', 'x,7,-1,3.5,8', [7, 8]],
    ['empty body', '', []],
  ])('reads the %s form', (_name, body, offsets) => {
    expect(parseOpBody(Buffer.from(body, 'ascii'))).toEqual(offsets);
  });

  it('round-trips what it writes', () => {
    expect(parseOpBody(encodeOpBody([0, 9_007_199_254_740]))).toEqual([0, 9_007_199_254_740]);
  });
});
