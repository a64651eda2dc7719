/** Issue 12 through the CLI: replay --analysis (table, json), --timeline, --timeline-csv, --report. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const TRACES = path.resolve(__dirname, '../../traces');
const SPEC = ['--topology', path.join(TRACES, 'spec-worked.topology.json'), path.join(TRACES, 'spec-worked.csv')];

describe('bounds in replay', () => {
  it('json: the SPEC worked example (T0 1, five slow pages with 8 accesses, N 10: instant 4/10; no budgets)', async () => {
    const r = await runCli(['replay', '--analysis', '--format', 'json', ...SPEC]);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout).analysis.bounds;
    expect(b).toEqual({
      accesses: 10,
      toptier_at_start: 1,
      slow_pages: 5,
      slow_page_accesses: 8,
      capacity: null,
      instant: 0.4,
      static: null,
      instant_hits: 4,
      static_hits: null,
      share_of_instant: 0.5,
      share_of_static: null,
      share_of_bound: 0.5,
    });
  });

  it('table: both bounds with the share as a fraction of each (budget-bucket-order: C = 2)', async () => {
    const t = path.join(TRACES, 'budget-bucket-order');
    const r = await runCli(['replay', '--analysis', '--topology', `${t}.topology.json`, `${t}.csv`]);
    expect(r.stdout).toMatch(/instant bound \(first-touch promotion\) +│ 11\.11% \(share is 100\.0% of it\)/);
    expect(r.stdout).toMatch(/static bound \(best 2 pages, hindsight\) +│ 33\.33% \(share is 33\.3% of it\)/);
  });

  it('traces/bounds-cold-first (the README example): instant 11/15, static 13/15, share 1/15, as its comments derive', async () => {
    const t = path.join(TRACES, 'bounds-cold-first');
    const r = await runCli(['replay', '--analysis', '--format', 'json', '--topology', `${t}.topology.json`, `${t}.csv`]);
    const a = JSON.parse(r.stdout).analysis;
    expect(a.fast_tier_share).toBe(1 / 15);
    expect(a.bounds).toMatchObject({ capacity: 2, toptier_at_start: 1, slow_pages: 4, instant_hits: 11, static_hits: 13 });
    expect(a.bounds.instant).toBe(11 / 15);
    expect(a.bounds.static).toBe(13 / 15);
    expect(a.bounds.share_of_bound).toBe(1 / 11); // the tighter bound is the instant one
  });

  it('json: the same analysis when the page counts are counted on the parse thread (a file read in blocks) or by the engine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-bounds-'));
    const file = path.join(dir, 'hot.csv');
    // 60 000 records: a hot set of 40 slow-tier pages (hundreds of accesses each: carries), spread pages, top-tier pfns.
    let x = 7;
    const r = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
    let text = 'pfn,nid,src,time\n';
    let slow = 0;
    for (let i = 0; i < 60_000; i++) {
      const k = r();
      const pfn = k < 0.5 ? 0x200000 + Math.floor(r() * 40) : k < 0.8 ? 0x200000 + Math.floor(r() * 0x200000) : Math.floor(r() * 0x200000);
      text += `0x${pfn.toString(16)},${i % 2},hwhints,${4294892296 + (i >> 6)}\n`;
      if (pfn >= 0x200000) slow++;
    }
    fs.writeFileSync(file, text);
    const off = await runCli(['replay', '--analysis', '--format', 'json', '--parse-thread', 'off', file]);
    const on = await runCli(['replay', '--analysis', '--format', 'json', '--parse-thread', 'on', file]);
    expect(off.code).toBe(0);
    expect(on.stdout).toBe(off.stdout);
    expect(JSON.parse(on.stdout).analysis.bounds.slow_page_accesses).toBe(slow);
    // compare and sweep: the counting configuration's page counts are counted on the parse thread too (multi/count-handoff.ts).
    for (const args of [
      ['compare', '--format', 'json', '--engine', 'rfc-v1', '--engine', 'pghot', '--engine', 'rfc-v1-fixed'],
      ['sweep', '--format', 'json', '--jobs', '1', '--window', '1000,2000', '--threshold', '2,3'],
    ]) {
      const multiOff = await runCli([...args, '--parse-thread', 'off', file]);
      const multiOn = await runCli([...args, '--parse-thread', 'on', file]);
      expect(multiOff.code, multiOff.stderr).toBe(0);
      expect(multiOn.stdout, args[0]).toBe(multiOff.stdout);
      expect(multiOn.stdout).toMatch(/"instant_bound": 0\.\d+/); // from the page counts
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('timeline and its CSV: per-row instant hits and bound; HTML report draws the bounds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-bounds-'));
    const csv = path.join(dir, 't.csv');
    const html = path.join(dir, 'r.html');
    const r = await runCli(['replay', '--timeline', '--timeline-csv', csv, '--report', html, ...SPEC]);
    expect(r.code).toBe(0);
    // The same CSV when a parse thread reads the trace (its records come in one batch across the pass).
    const threaded = path.join(dir, 't2.csv');
    expect((await runCli(['replay', '--parse-thread', 'on', '--timeline-csv', threaded, ...SPEC])).code).toBe(0);
    expect(fs.readFileSync(threaded, 'utf8')).toBe(fs.readFileSync(csv, 'utf8'));
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    // Pass 1250, node 0: 6 accesses (0x200000, 0x200001 x2, 0x1000, 0x500000, 0x200004): T0 1 + the repeat of 0x200001.
    // Node 1: 0x200002 x2, 0x200003: the repeat of 0x200002. Pass 1500, node 0: 0x200000 again (its second access).
    expect(rows.map((x) => [x.time, x.node, x.accesses, x.instant_hits, x.instant_bound])).toEqual([
      ['1250', '0', '6', '2', (2 / 6).toFixed(6)],
      ['1250', '1', '3', '1', (1 / 3).toFixed(6)],
      ['1500', '0', '1', '1', '1.000000'],
    ]);
    expect(r.stdout).toMatch(/│ fast tier │ instant │ of inst\. │/);
    expect(r.stdout).toContain('instant bound (▁ 0% .. █ 100%)');
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('Fast-tier share and its bounds');
    expect(page).toContain('instant bound per pass');
  });
});
