import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineAlone } from '../../bench/engine-alone.js';
import { vmstat } from '../../bench/native.js';
import { runReplay } from '../../src/run/replay.js';
import { normalizeReplayOptions } from '../../src/run/settings.js';
import { loadTopology } from '../../src/topology/load.js';

describe('bench engine alone', () => {
  it('replays the records it held in memory to the counters of `kpromo replay` on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpromo-engine-alone-'));
    try {
      // 150 000 records (more than two of its batches of 65 536) over 40 passes: 30 000 CXL pages of preset 2s-cxl, a
      // few accessed often, DRAM pages between them, and NUMA_NO_NODE now and then; the last period's records are
      // examined by the final pass alone.
      const lines = ['pfn,nid,src,time'];
      let x = 1;
      for (let i = 0; i < 150_000; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const h = x >>> 16;
        const cxl = h % 4 !== 0;
        const pfn = cxl ? 0x200000 + (h % 7 === 0 ? h % 50 : h % 30_000) : (x >>> 3) % 0x200000;
        const nid = x % 17 === 0 ? -1 : (x >>> 8) & 1;
        lines.push(`0x${pfn.toString(16)},${nid},${(x >>> 9) & 1 ? 'pgtscan' : 'hwhints'},${4294892296 + Math.floor(i / 15)}`);
      }
      const file = join(dir, 'trace.csv');
      writeFileSync(file, lines.join('\n') + '\n');
      const got = await engineAlone(file);
      const raw = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
      const want = await runReplay(normalizeReplayOptions(raw, [file], (arg) => loadTopology(arg)));
      expect(got.records).toBe(150_000);
      expect(vmstat(got.vmstat)).toEqual(new Map(want.counters.map((c) => [c.name, String(c.value)])));
      expect(vmstat(got.vmstat).get('kpromoted_mig_promoted')).not.toBe('0');
      expect(vmstat(got.vmstat).get('kpromoted_mig_dropped')).not.toBe('0');
      expect(got.ms).toBeGreaterThan(0);
      expect(got.primeMs).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
