/** One smoke test of the built binary (npm ci builds dist/ through `prepare`), colour off, as a user runs it. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const env = { ...process.env, NO_COLOR: '1' };

describe('bin/kpromo.js', () => {
  it('replays the SPEC worked example and matches its golden', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist/src/cli/main.js'))).toBe(true);
    const ex = path.resolve(ROOT, 'traces');
    const r = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', '--expect', path.join(ex, 'spec-worked.vmstat'), path.join(ex, 'spec-worked.csv')], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(ex, 'spec-worked.vmstat'), 'utf8'));
    // The example's 0x500000 is in no range of the default preset: --expect still passes, stderr says so.
    expect(r.stderr).toMatch(/^kpromo: warning: 1 of 10 accesses \(10\.00%\) fell in no pfn range/);
  });

  it('ends quietly when the reader goes away (| head)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" gen --records 2000000 | head -2; exit \${PIPESTATUS[0]}`], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('pfn,nid,src,time');
    expect(r.stderr).toBe('');
  });

  it('exits 2 with the location of a bad line and nothing on stdout', () => {
    const r = spawnSync(process.execPath, [BIN, 'replay', '-'], { env, encoding: 'utf8', input: 'pfn,nid,src,time\n0x1,0,hwhint,5\n' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('kpromo: -:2:3 (src): unknown source name: "hwhint"\n');
  });

  it('reads a standard input shorter than the header whose first line the block parser does not take (it was exit 70)', () => {
    const bad = spawnSync(process.execPath, [BIN, 'replay', '-'], { env, encoding: 'utf8', input: 'x\n' });
    expect(bad.stderr).toBe('kpromo: -:1:2: expected 4 fields, found 1: "x"\n');
    expect(bad.status).toBe(2);
    const quoted = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', '-'], { env, encoding: 'utf8', input: '1,0,0,"5"\n' });
    expect(quoted.status, quoted.stderr).toBe(0);
    expect(quoted.stdout).toMatch(/^kpromoted_recorded_accesses 1\n/);
  });
});
