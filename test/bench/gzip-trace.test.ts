/** bench/gzip-trace.ts benchGzipTrace(): the bench trace's CSV gzipped once, then taken from its cache. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { benchGzipTrace } from '../../bench/gzip-trace.js';
import type { BenchTrace } from '../../bench/trace.js';

describe('benchGzipTrace', () => {
  it('writes a .gz file that inflates to the CSV, named for kpromo to read it as gzip, and reuses it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-gz-bench-'));
    try {
      const csv = path.join(dir, 't.csv');
      const text = 'pfn,nid,src,time\n' + Array.from({ length: 5000 }, (_, i) => `${0x200000 + i},0,hwhints,${4294892296 + i}\n`).join('');
      fs.writeFileSync(csv, text);
      const trace: BenchTrace = { file: csv, records: 5000, bytes: text.length, pages: 5000, pagesTouched: 5000, fresh: true, genMs: 1 };
      const gz = await benchGzipTrace(trace);
      expect(gz.file.endsWith('.gz')).toBe(true);
      expect(gz.fresh).toBe(true);
      expect(gz.records).toBe(5000);
      expect(gz.bytes).toBe(fs.statSync(gz.file).size);
      expect(gz.bytes).toBeLessThan(text.length);
      expect(gunzipSync(fs.readFileSync(gz.file)).toString()).toBe(text);
      // No temporary file left; the second call takes the cached file.
      expect(fs.readdirSync(dir).sort()).toEqual([path.basename(gz.file), 't.csv'].sort());
      const again = await benchGzipTrace(trace);
      expect(again).toEqual({ ...gz, fresh: false, genMs: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
