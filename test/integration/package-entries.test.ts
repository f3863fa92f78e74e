import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The built entries (npm test builds first): what other packages load at run time.
const load = createRequire(__filename);

describe.each(['protocol', 'client'])('@rocketts/%s package entry', (name) => {
  const dir = `../../libs/${name}`;
  const entry = load(`${dir}/index.js`) as Record<string, unknown>;
  const compiled = load(`${dir}/dist/index.js`) as Record<string, unknown>;

  it('exports every name of the compiled barrel, with the same value', () => {
    const names = Object.keys(compiled);
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(entry[n], n).toBe(compiled[n]);
  });

  it('holds them as data properties: no getter runs per call across the package boundary', () => {
    for (const n of Object.keys(compiled)) {
      const d = Object.getOwnPropertyDescriptor(entry, n);
      expect(d && 'value' in d, n).toBe(true);
    }
    expect((entry as { __esModule?: boolean }).__esModule).toBe(true);
  });
});
