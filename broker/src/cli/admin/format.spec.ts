import { describe, expect, it } from 'vitest';
import {
  bodyText,
  formatFields,
  formatTable,
  formatTimestamp,
  javaMapString,
  MAX_PRINTED_BODY_BYTES,
} from './format';

describe('admin output formatting', () => {
  it('aligns table columns two blanks apart without trailing blanks', () => {
    expect(
      formatTable(
        ['#Broker Name', '#QID', '#Last Updated'],
        [
          ['broker-a', 0, ''],
          ['b', 12, 'x'],
        ],
      ),
    ).toBe('#Broker Name  #QID  #Last Updated\nbroker-a      0\nb             12    x\n');
    expect(formatTable(['#A', '#B'], [])).toBe('#A  #B\n');
  });

  it('pads field labels as printf("%-20s %s")', () => {
    expect(
      formatFields([
        ['Topic:', 'T'],
        ['Queue ID:', 3],
      ]),
    ).toBe('Topic:               T\nQueue ID:            3\n');
  });

  it('prints times as yyyy-MM-dd HH:mm:ss,SSS in local time', () => {
    const ms = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatTimestamp(ms)).toBe('2024-01-02 03:04:05,006');
  });

  it('cuts huge bodies and says how big they were', () => {
    expect(bodyText(Buffer.from('héllo'))).toBe('héllo');
    const big = Buffer.alloc(MAX_PRINTED_BODY_BYTES + 10, 'a');
    expect(bodyText(big)).toBe(`${'a'.repeat(MAX_PRINTED_BODY_BYTES)}… (${big.length} bytes, truncated)`);
  });

  it('prints properties as a Java map', () => {
    expect(javaMapString({ TAGS: 't', KEYS: 'a b' })).toBe('{KEYS=a b, TAGS=t}');
    expect(javaMapString({})).toBe('{}');
  });
});
