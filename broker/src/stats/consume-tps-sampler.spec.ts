import { describe, expect, it } from 'vitest';
import { CONSUME_TPS_WINDOW_MS, ConsumeTpsSampler } from './consume-tps-sampler';

describe('ConsumeTpsSampler', () => {
  it('reports committed-offset growth per second since the oldest sample of the window', () => {
    const s = new ConsumeTpsSampler();
    expect(s.sample('T@G', 100, 0)).toBe(0);
    expect(s.sample('T@G', 150, 500)).toBe(0); // under a second: no figure yet
    expect(s.sample('T@G', 300, 2_000)).toBe(100);
    expect(s.sample('T@G', 600, 4_000)).toBe(125);
    expect(s.sample('other', 5, 4_000)).toBe(0);
  });

  it('forgets samples older than the window and reports 0 after a reset moved offsets back', () => {
    const s = new ConsumeTpsSampler();
    s.sample('T@G', 0, 0);
    s.sample('T@G', 1_000, 10_000);
    // The first sample left the window: the rate is measured from the 10 s one.
    expect(s.sample('T@G', 1_000 + 60 * 50, 10_000 + CONSUME_TPS_WINDOW_MS)).toBe(50);
    expect(s.sample('T@G', 10, 10_000 + CONSUME_TPS_WINDOW_MS + 2_000)).toBe(0);
  });
});
