import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from './measure';
import { summarizeRounds } from './summary';

const tput = (system: ScenarioResult['system'], name: string, msgPerSec: number): ScenarioResult => ({
  system,
  name,
  messages: 1000,
  seconds: 1000 / msgPerSec,
  msgPerSec,
  mibPerSec: msgPerSec / 1024,
  note: `${msgPerSec}`,
});
const lat = (p99: number): ScenarioResult => ({
  ...tput('rocketts', 'end-to-end latency', 1000),
  p50: p99 / 2,
  p99,
  note: `p99 ${p99}`,
});

describe('summarizeRounds', () => {
  it('stands each scenario for its median round, keeps the spread and the first-seen order', () => {
    const rows = summarizeRounds([
      [tput('rocketts', 'produce', 180), tput('rabbitmq', 'produce', 15), lat(2.0)],
      [tput('rocketts', 'produce', 210), tput('rabbitmq', 'produce', 18), lat(9.0)],
      [tput('rocketts', 'produce', 150), tput('rabbitmq', 'produce', 12), lat(1.5)],
    ]);
    expect(rows.map((r) => [r.system, r.name])).toEqual([
      ['rocketts', 'produce'],
      ['rabbitmq', 'produce'],
      ['rocketts', 'end-to-end latency'],
    ]);
    expect(rows[0]).toMatchObject({ msgPerSec: 180, note: '180', rounds: 3, low: 150, high: 210 });
    expect(rows[1]).toMatchObject({ msgPerSec: 15, rounds: 3, low: 12, high: 18 });
    // Latency rows by p99: the median round's whole result, with the p99 spread.
    expect(rows[2]).toMatchObject({ p99: 2.0, note: 'p99 2', rounds: 3, low: 1.5, high: 9.0 });
  });

  it('takes the worse middle round of an even count, and skips rounds where a scenario failed', () => {
    const rows = summarizeRounds([
      [tput('nats', 'consume', 100), lat(3)],
      [tput('nats', 'consume', 140), lat(5)],
      [lat(4)],
      [tput('nats', 'consume', 120)],
    ]);
    expect(rows[0]).toMatchObject({ msgPerSec: 120, rounds: 3, low: 100, high: 140 });
    expect(rows[1]).toMatchObject({ p99: 4, rounds: 3 });
    expect(summarizeRounds([[tput('nats', 'consume', 1)], [tput('nats', 'consume', 3)]])[0]).toMatchObject({
      msgPerSec: 1,
      rounds: 2,
    });
    expect(summarizeRounds([])).toEqual([]);
  });
});
