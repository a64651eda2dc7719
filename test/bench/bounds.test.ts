import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { BOUNDS_TASKS } from '../../bench/bounds.js';

// A trace over 2s-cxl-budget's slow tier (pfns from 0x200000), each page accessed twice a second apart: the bench's
// analysis tasks replay it with the analysis collector, as `replay --analysis` does.
const TRACE = fileURLToPath(new URL('../fixtures/bench-bounds.csv', import.meta.url));

describe('the bench analysis tasks', () => {
  for (const [name, task] of Object.entries(BOUNDS_TASKS)) {
    it(`${name} replays a small trace with its collector`, async () => {
      const r = await task(TRACE);
      expect(r.records).toBe(400);
      expect(r.ms).toBeGreaterThan(0);
    });
  }
});
