import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary directory for the whole run, removed at its end (test/global-tmp.ts).
    globalSetup: ['./test/global-tmp.ts'],
    testTimeout: 60000,
    // Setup hooks write large traces (signals.test.ts: 14 M records with kpromo gen, about 8 s quiet): vitest's
    // 10 s default failed a clean-clone run of the whole suite, whose other files share the two CPUs.
    hookTimeout: 120000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
