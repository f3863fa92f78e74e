import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@rocketts/protocol': src('./libs/protocol/src/index.ts'),
      '@rocketts/client': src('./libs/client/src/index.ts'),
      '@rocketts/broker': src('./broker/src/index.ts'),
    },
  },
  test: {
    include: [
      'libs/*/src/**/*.spec.ts',
      'broker/src/**/*.spec.ts',
      'bench/src/**/*.spec.ts',
      'test/**/*.test.ts',
    ],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: false,
    // The JSON report gives .ci/run the runner's own counts.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
