/** `kpromo replay --report`: the HTML a user gets, rendered in headless Chromium when it is installed. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const ROOT = path.resolve(__dirname, '../..');
const haveChromium = fs.existsSync('/usr/bin/chromium');

describe('kpromo replay --report / --timeline-csv', () => {
  it('says in the report when accesses fell in no pfn range (the page read as a plain fast-tier share of 0)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-report-'));
    const trace = path.join(dir, 'norange.csv');
    fs.writeFileSync(trace, 'pfn,nid,src,time\n0x900000,0,hwhints,1000\n0x900001,0,hwhints,1001\n0x900000,0,hwhints,2000\n');
    const html = path.join(dir, 'r.html');
    const r = await runCli(['replay', '--topology', path.join(ROOT, 'traces/spec-worked.topology.json'), '--report', html, trace]);
    expect(r.code, r.stderr).toBe(0);
    const note = fs.readFileSync(html, 'utf8').match(/<section id="ignored"[^]*?<\/section>/)?.[0] ?? '';
    expect(note).toContain('3 accesses were ignored');
    expect(note).toContain('in no pfn range: 3 (100.00%), pfn 0x900000 .. 0x900001');
  });

  it('timeline: accesses the engine ignored, per pass and target node (CSV, JSON, table)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-report-'));
    const trace = path.join(dir, 'holes.csv');
    // spec-worked.topology.json: nodes 0 and 1 (DRAM, with CPUs: daemons) and 2 (CXL, 0x200000..0x400000); 0x900000.. is
    // in no range. HZ 250, period 1000 ms: passes at 1250, 1500, 1750 (T0 1000). By pass and target node (nid; -1 -> the
    // default node 1):
    //   1250 node 0: 0x200000 (CXL) and 0x900000 (no range): 2 accesses, 1 ignored
    //   1500 node 1: 0x900001 (nid 1) and 0x900002 (nid -1): 2 accesses, 2 ignored (node 0 has no access and no record)
    //   1750 node 0: 0x200000 again, on node 0 since pass 1250 promoted it: 1 access, 0 ignored
    fs.writeFileSync(
      trace,
      'pfn,nid,src,time\n0x200000,0,hwhints,1000\n0x900000,0,hwhints,1001\n0x900001,1,hwhints,1300\n0x900002,-1,hwhints,1301\n0x200000,0,hwhints,1550\n',
    );
    const csv = path.join(dir, 'tl.csv');
    const topo = ['--topology', path.join(ROOT, 'traces/spec-worked.topology.json')];
    const r = await runCli(['replay', ...topo, '--format', 'json', '--timeline', '--timeline-csv', csv, trace]);
    expect(r.code, r.stderr).toBe(0);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    expect(head.slice(head.indexOf('accesses'), head.indexOf('accesses') + 4)).toEqual(['accesses', 'toptier_accesses', 'ignored_accesses', 'fast_tier_share']);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    expect(rows.map((x) => [x.time, x.node, x.accesses, x.ignored_accesses, x.toptier_accesses])).toEqual([
      ['1250', '0', '2', '1', '0'],
      ['1500', '1', '2', '2', '0'],
      ['1750', '0', '1', '0', '1'],
    ]);
    const doc = JSON.parse(r.stdout);
    expect(doc.timeline.map((x: { ignored_accesses: number }) => x.ignored_accesses)).toEqual([1, 2, 0]);
    expect(doc.summary.ignored_total).toBe(3);
    const table = await runCli(['replay', ...topo, '--timeline', trace]);
    expect(table.code).toBe(0);
    const tableRows = table.stdout.split('\n').filter((l) => /^│\s+\d+\.\d{3} │/.test(l));
    const tableHead = table.stdout.split('\n').find((l) => l.includes('│ seconds'))!.split('│').map((c) => c.trim());
    const at = tableHead.indexOf('ignored');
    expect(at).toBeGreaterThan(tableHead.indexOf('accesses'));
    expect(tableRows.map((l) => l.split('│').map((c) => c.trim())[at])).toEqual(['1', '2', '0']);
  });

  it('writes a self-contained report whose charts have data, and a timeline CSV whose columns sum to the counters', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-report-'));
    const trace = path.join(dir, 't.csv');
    expect((await runCli(['gen', '--pattern', 'phase', '--pages', '5000', '--records', '60000', '--duration', '20', '-o', trace])).code).toBe(0);
    const html = path.join(dir, 'r.html');
    const csv = path.join(dir, 'tl.csv');
    const r = await runCli(['replay', '--topology', '2s-cxl-budget', '--demotion', '--format', 'json', '--report', html, '--timeline-csv', csv, trace]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.analysis.latency.count).toBe(doc.counters.kpromoted_mig_promoted);
    const page = fs.readFileSync(html, 'utf8');
    for (const id of ['chart-promotions', 'chart-outcomes', 'chart-share', 'chart-tracked', 'chart-latency']) {
      expect(page).toMatch(new RegExp(`id="${id}"[^>]*data-points="[1-9]`));
    }
    expect(page).not.toMatch(/https?:\/\//);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    const col = (name: string) => lines.slice(1).reduce((a, l) => a + Number(l.split(',')[head.indexOf(name)]), 0);
    expect(col('accesses')).toBe(doc.counters.kpromoted_recorded_accesses);
    expect(col('promoted')).toBe(doc.counters.kpromoted_mig_promoted);
    if (haveChromium) {
      const shot = path.join(dir, 'r.png');
      const c = spawnSync(process.execPath, [path.join(ROOT, 'scripts/render-report.mjs'), html, '--screenshot', shot], { encoding: 'utf8' });
      expect(c.stderr + c.stdout).toContain('all charts drawn');
      expect(c.status).toBe(0);
      expect(fs.statSync(shot).size).toBeGreaterThan(10000);
    }
  });
});
