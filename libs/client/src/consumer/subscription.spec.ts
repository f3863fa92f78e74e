import { InvalidArgumentError } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { buildSubscriptionData } from './subscription';

describe('buildSubscriptionData (FilterAPI.buildSubscriptionData)', () => {
  it.each([undefined, '', '*', ' * '])('subscribes to everything for %j', (expr) => {
    expect(buildSubscriptionData('T', expr, 5)).toEqual({
      topic: 'T',
      subString: '*',
      tagsSet: [],
      codeSet: [],
      subVersion: 5,
      expressionType: 'TAG',
      classFilterMode: false,
    });
  });

  it('splits tags on ||, trims, skips empties and hashes each tag', () => {
    const s = buildSubscriptionData('T', ' TagA || TagB |||| TagA', 1);
    expect(s.subString).toBe(' TagA || TagB |||| TagA');
    expect(s.tagsSet).toEqual(['TagA', 'TagB']);
    expect(s.codeSet).toEqual([2598919, 2598920]);
  });

  it('passes SQL92 through and rejects malformed expressions', () => {
    expect(buildSubscriptionData('T', { type: 'SQL92', expression: 'a > 1' }, 1)).toMatchObject({
      subString: 'a > 1',
      expressionType: 'SQL92',
      tagsSet: [],
    });
    expect(() => buildSubscriptionData('T', { type: 'SQL92', expression: ' ' }, 1)).toThrow(
      InvalidArgumentError,
    );
    expect(() => buildSubscriptionData('T', { type: 'XPATH', expression: 'x' } as never, 1)).toThrow(
      /^subExpression:/,
    );
  });
});
