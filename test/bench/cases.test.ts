import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_CASES } from '../../bench/cases.js';

// Every command the bench runs must be one the CLI accepts: 'replay analysis' ran `--analysis --format vmstat` after
// that pair was refused (exit 2), and the bench only said so when it ran (a 10-minute run ending with exit 1).
const BIN = 'bin/kpromo.js';
const CSV = 'traces/spec-worked.csv';
const PERF = 'test/fixtures/perf/ibs-F-basic.txt';

describe('bench cases', () => {
  for (const c of BENCH_CASES) {
    const run = c.run;
    if (run.kind !== 'cli') continue;
    it(`'${c.name}' runs: kpromo ${run.args.join(' ')}`, () => {
      const file = c.input === 'perf' ? PERF : CSV;
      const args = run.args.map((a) => (a === '{trace}' ? file : a));
      const r = spawnSync(process.execPath, [BIN, ...args], {
        input: run.stdin === 'pipe' ? readFileSync(file) : '',
        encoding: 'utf8',
      });
      // The exit code with stderr, so that a failure shows why.
      expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    });
  }
});
