import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixtures } from './perf-gen.js';

// The committed fixtures must equal what the perf-format generator prints.
// Refresh (then review the diff): KPROMO_REFRESH_PERF_FIXTURES=1 npx vitest run test/trace/perf-fixtures.test.ts
const dir = fileURLToPath(new URL('../fixtures/perf/', import.meta.url));
const refresh = process.env['KPROMO_REFRESH_PERF_FIXTURES'] === '1';

describe('perf fixtures', () => {
  for (const f of fixtures()) {
    it(`${f.name} is byte-exact perf output`, () => {
      const path = dir + f.name;
      if (refresh || !existsSync(path)) writeFileSync(path, f.text);
      expect(readFileSync(path, 'utf8')).toBe(f.text);
    });
  }
});
