import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCases, parseArgsFile } from '../../src/cli/commands/check.js';
import { runCli } from './run-cli.js';

const TRACES = path.resolve(__dirname, '../../traces');

function copyTraces(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
  for (const f of fs.readdirSync(TRACES)) fs.copyFileSync(path.join(TRACES, f), path.join(dir, f));
  return dir;
}

describe('kpromo check', () => {
  it('passes every example trace in traces/ against its hand-derived goldens', async () => {
    const r = await runCli(['check', TRACES]);
    expect(r.code).toBe(0);
    for (const name of ['spec-worked', 'budget-bucket-order', 'numa-no-node']) expect(r.stdout).toMatch(new RegExp(`${name}\\s+│\\s+\\d+ │ pass`));
    // spec-worked's 0x500000 is in no range of its topology: the case passes (counters only), stderr warns.
    expect(r.stderr).toContain('kpromo: spec-worked: warning: 1 of 10 accesses (10.00%) fell in no pfn range of topology 2s-cxl');
    expect(r.stderr).not.toContain('no --topology was given'); // spec-worked.topology.json was chosen
  });

  it('names the default preset in the warning when a case has no topology', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    fs.writeFileSync(path.join(dir, 'far.csv'), 'pfn,nid,src,time\n0x900000,0,0,1\n');
    fs.writeFileSync(path.join(dir, 'far.vmstat'), 'kpromoted_recorded_accesses 1\nkpromoted_record_added 0\n');
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('kpromo: far: no --topology was given, so the default preset 2s-cxl was used');
  });

  it('fails with exit 1 and names the counter when a golden is wrong', async () => {
    const dir = copyTraces();
    const g = path.join(dir, 'budget-bucket-order.vmstat');
    fs.writeFileSync(g, fs.readFileSync(g, 'utf8').replace('kpromoted_mig_candidate 62', 'kpromoted_mig_candidate 61'));
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/budget-bucket-order\s+│\s+9 │ FAIL/);
    expect(r.stdout).toContain('kpromoted_mig_candidate expected 61 got 62');
  });

  it('compares golden events line by line', async () => {
    const dir = copyTraces();
    const e = path.join(dir, 'spec-worked.events.csv');
    fs.writeFileSync(e, fs.readFileSync(e, 'utf8').replace('1250,0,2097156,2,0,promoted', '1250,0,2097156,2,0,failed'));
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('events line 3');
  });

  it('--update rewrites a wrong golden and says what changed; a later check passes', async () => {
    const dir = copyTraces();
    const g = path.join(dir, 'numa-no-node.vmstat');
    fs.writeFileSync(g, 'kpromoted_mig_promoted 0\n');
    const u = await runCli(['check', '--update', dir]);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/numa-no-node\s+│\s+10 │ updated/);
    expect(u.stdout).toContain('kpromoted_mig_promoted expected 0 got 1');
    expect(fs.readFileSync(g, 'utf8')).toContain('kpromoted_mig_promoted 1\n');
    expect((await runCli(['check', dir])).code).toBe(0);
  });

  it('uses NAME.args and reports a bad case as ERROR with exit 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    fs.writeFileSync(path.join(dir, 'a.csv'), '0x200000,0,hwhints,0\n');
    fs.writeFileSync(path.join(dir, 'a.args'), '# one page, one pass per jiffy\n--hz 1000 --period 1\n');
    fs.writeFileSync(path.join(dir, 'a.vmstat'), 'kpromoted_mig_promoted 1\n');
    fs.writeFileSync(path.join(dir, 'b.csv'), 'oops\n');
    fs.writeFileSync(path.join(dir, 'b.vmstat'), 'kpromoted_mig_promoted 1\n');
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/a\s+│\s+1 │ pass/);
    expect(r.stdout).toMatch(/b\s+│\s+0 │ ERROR/);
    expect(parseArgsFile('# c\n--hz 1000 # x\n --window 10\n')).toEqual(['--hz', '1000', '--window', '10']);
    expect(findCases(dir).map((c) => c.name)).toEqual(['a', 'b']);
  });
});
