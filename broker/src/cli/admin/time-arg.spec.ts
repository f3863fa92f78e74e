import { describe, expect, it } from 'vitest';
import { UsageError } from '../args';
import { formatSeconds, versionDesc } from './format';
import { parseTimeArg } from './time-arg';

describe('command-line times', () => {
  it('reads now, epoch ms (and -1) and yyyy-MM-dd#HH:mm:ss:SSS in local time', () => {
    expect(parseTimeArg('now', '-s', 42)).toBe(42);
    expect(parseTimeArg('1700000000123', '-s')).toBe(1_700_000_000_123);
    expect(parseTimeArg('-1', '-s')).toBe(-1);
    expect(parseTimeArg('2024-02-29#13:05:09:007', '-s')).toBe(new Date(2024, 1, 29, 13, 5, 9, 7).getTime());
    expect(formatSeconds(new Date(2024, 1, 29, 13, 5, 9, 7).getTime())).toBe('2024-02-29 13:05:09');
  });

  it.each(['yesterday', '2023-02-29#00:00:00:000', '2024-01-01 00:00:00', '-2', '2024-01-01#24:00:00:000'])(
    'rejects %j naming the option',
    (text) => {
      expect(() => parseTimeArg(text, '-s <timestamp>')).toThrow(UsageError);
      expect(() => parseTimeArg(text, '-s <timestamp>')).toThrow(/^option -s <timestamp> must be now/);
    },
  );

  it('names client versions as MQVersion.getVersionDesc', () => {
    expect(versionDesc(213)).toBe('V4_0_0');
    expect(versionDesc(409)).toBe('V4_9_8');
    expect(versionDesc(413)).toBe('V5_0_0');
    expect(versionDesc(412)).toBe('V5_0_0_SNAPSHOT');
    expect(versionDesc(479)).toBe('V5_3_3');
    expect(versionDesc(121)).toBe('version 121');
  });
});
