import { configDefaults, defineConfig } from 'vitest/config';

/**
 * test/cli/signals.test.ts times Ctrl-C through a real pty (the median of 20 tries must be under 0.5 s): it runs
 * last, alone, so that what it times is kpromo and not another test file's processes on the same two CPUs. Beside the
 * rest of the suite, compare's median read 472 and 509 ms in two clean-clone runs (2026-12-02, 15:00-15:10); alone,
 * 247-262 ms.
 */
const ALONE = ['test/cli/signals.test.ts'];

export default defineConfig({
  test: {
    // One temporary directory for the whole run, removed at its end (test/global-tmp.ts).
    globalSetup: ['./test/global-tmp.ts'],
    testTimeout: 60000,
    // Setup hooks write large traces (signals.test.ts: 14 M records with kpromo gen, about 8 s quiet): vitest's
    // 10 s default failed a clean-clone run of the whole suite, whose other files share the two CPUs.
    hookTimeout: 120000,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...ALONE] } },
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
