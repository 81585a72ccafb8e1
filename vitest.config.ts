import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites each start their own Dovecot; two workers match the 2-core CI machine.
    maxWorkers: 2,
    // The JSON file is what .ci/run counts; the default reporter is what a developer reads.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
