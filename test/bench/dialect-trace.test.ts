/** bench/dialect-trace.ts: the bench trace's CSV as Python's csv module and R's write.csv write it, cached. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchDialectTrace, dialectLine } from '../../bench/dialect-trace.js';
import type { BenchTrace } from '../../bench/trace.js';
import { runCli } from '../cli/run-cli.js';

describe('benchDialectTrace', () => {
  it('prints a line as each dialect writes it', () => {
    expect(dialectLine('crlf', 'pfn,nid,src,time', 0)).toBe('pfn,nid,src,time\r\n');
    expect(dialectLine('r-csv', 'pfn,nid,src,time', 0)).toBe('"","pfn","nid","src","time"\n');
    expect(dialectLine('r-csv', '0x200001,-1,hwhints,4294892296', 7)).toBe('"7","0x200001",-1,"hwhints",4294892296\n');
    expect(dialectLine('r-csv', '2097153,0,1,4294892296', 8)).toBe('"8",2097153,0,1,4294892296\n');
  });

  it('writes each dialect of a CSV (whole lines across its 1 MiB reads), with the counters of the CSV, and reuses it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-dialect-bench-'));
    try {
      const csv = path.join(dir, 't.csv');
      const rows = Array.from({ length: 60000 }, (_, i) => `0x${(0x200000 + ((i * 7919) % 400000)).toString(16)},${(i % 3) - 1},${i % 2 ? 'hwhints' : 'pgtscan'},${4294892296 + (i >> 3)}\n`);
      const text = 'pfn,nid,src,time\n' + rows.join('');
      fs.writeFileSync(csv, text);
      const trace: BenchTrace = { file: csv, records: 60000, bytes: text.length, pages: 400000, pagesTouched: 60000, fresh: true, genMs: 1 };
      const want = (await runCli(['replay', '--format', 'vmstat', csv])).stdout;
      for (const d of ['crlf', 'r-csv'] as const) {
        const t = benchDialectTrace(trace, d);
        expect(t.fresh).toBe(true);
        const out = fs.readFileSync(t.file, 'latin1');
        const lines = out.split('\n');
        expect(lines).toHaveLength(60002); // header, rows, '' after the last LF
        expect(lines[1]).toBe(dialectLine(d, rows[0]!.trimEnd(), 1).replace(/\n$/, ''));
        const got = await runCli(['replay', '--format', 'vmstat', t.file]);
        expect(got.stdout, d).toBe(want);
        expect(benchDialectTrace(trace, d)).toEqual({ ...t, fresh: false, genMs: 0 });
      }
      // No temporary file left.
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
