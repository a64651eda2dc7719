import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { CaptureOut, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { findCases, parseArgsFile } from '../../src/cli/commands/check.js';
import { onTmpfs, remountReadOnly } from '../tmpfs.js';
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

  it('an empty golden is an error (it would pass against anything); --update fills it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    fs.copyFileSync(path.join(TRACES, 'spec-worked.csv'), path.join(dir, 'spec-worked.csv'));
    const g = path.join(dir, 'spec-worked.vmstat');
    fs.writeFileSync(g, '# derived later\n');
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/spec-worked\s+│\s+0 │ ERROR/);
    expect(r.stdout.replace(/[│\s]+/g, ' ')).toContain('spec-worked.vmstat: bad golden: names no counter, so it would pass against any replay');
    expect(r.stdout.endsWith('kpromo check: 0 passed, 0 failed, 1 error\n')).toBe(true);
    const u = await runCli(['check', '--update', dir]);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('golden created');
    expect(fs.readFileSync(g, 'utf8')).toContain('kpromoted_mig_promoted 4\n');
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
    expect(parseArgsFile('# c\n--hz 1000 # x\n --window 10\n').map((w) => [w.text, w.line, w.column])).toEqual([
      ['--hz', 2, 1],
      ['1000', 2, 6],
      ['--window', 3, 2],
      ['10', 3, 11],
    ]);
    expect(findCases(dir).map((c) => c.name)).toEqual(['a', 'b']);
  });
  it('ends with a summary line; a missing golden is an error (exit 2), which wins over a failure (exit 1)', async () => {
    const n = fs.readdirSync(TRACES).filter((f) => f.endsWith('.vmstat')).length; // the example traces
    const ok = await runCli(['check', TRACES]);
    expect(ok.stdout.endsWith(`kpromo check: ${n} passed, 0 failed, 0 errors\n`)).toBe(true);
    const dir = copyTraces();
    fs.rmSync(path.join(dir, 'numa-no-node.vmstat'));
    const missing = await runCli(['check', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/numa-no-node\s+│\s+0 │ ERROR\s+│ no golden numa-no-node\.vmstat: create it with --update/);
    expect(missing.stdout.endsWith(`kpromo check: ${n - 1} passed, 0 failed, 1 error\n`)).toBe(true);
    const g = path.join(dir, 'spec-worked.vmstat');
    fs.writeFileSync(g, fs.readFileSync(g, 'utf8').replace('kpromoted_mig_promoted 4', 'kpromoted_mig_promoted 5'));
    const both = await runCli(['check', dir]);
    expect(both.code).toBe(2);
    expect(both.stdout.endsWith(`kpromo check: ${n - 2} passed, 1 failed, 1 error\n`)).toBe(true);
    fs.writeFileSync(path.join(dir, 'numa-no-node.vmstat'), 'kpromoted_mig_promoted 1\n');
    expect((await runCli(['check', dir])).code).toBe(1);
    const upd = await runCli(['check', '--update', dir]);
    expect(upd.stdout.endsWith(`kpromo check: 1 updated, ${n - 1} unchanged, 0 errors\n`)).toBe(true);
  });

  it('--junit writes one testcase per case, the counter diff in the failure, errors as <error>', async () => {
    const dir = copyTraces();
    const g = path.join(dir, 'budget-bucket-order.vmstat');
    fs.writeFileSync(g, fs.readFileSync(g, 'utf8').replace('kpromoted_mig_candidate 62', 'kpromoted_mig_candidate 61'));
    fs.writeFileSync(path.join(dir, 'bad<&>.csv'), 'oops\n');
    fs.writeFileSync(path.join(dir, 'bad<&>.vmstat'), 'kpromoted_mig_promoted 1\n');
    const xml = path.join(dir, 'report.xml');
    const r = await runCli(['check', '--junit', xml, dir]);
    expect(r.code).toBe(2);
    const text = fs.readFileSync(xml, 'utf8');
    const n = fs.readdirSync(TRACES).filter((f) => f.endsWith('.vmstat')).length + 1; // the example traces and bad<&>
    expect(text).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<testsuites name="kpromo check" tests="${n}" failures="1" errors="1"`));
    expect(text.match(/<testcase /g)).toHaveLength(n);
    expect(text).toContain('name="budget-bucket-order"');
    expect(text).toContain('<failure message="kpromoted_mig_candidate expected 61 got 62" type="mismatch">kpromoted_mig_candidate: expected 61, got 62 (+1)\n</failure>');
    expect(text).toMatch(/<testcase classname="[^"]*" name="bad&lt;&amp;&gt;" [^>]*>\n {6}<error message="[^"]*bad&lt;&amp;&gt;\.csv:1/);
    expect(text).toMatch(/name="spec-worked" [^>]*>\n {6}<system-err>kpromo: spec-worked: warning: 1 of 10 accesses/);
    expect(text).toMatch(/name="numa-no-node" [^>]*\/>/); // passed: no body
  });

  it('compares events as a stream and names the first differing line, also for a missing or an extra line', async () => {
    const dir = copyTraces();
    const e = path.join(dir, 'spec-worked.events.csv');
    const golden = fs.readFileSync(e, 'utf8');
    const lines = golden.split('\n');
    fs.writeFileSync(e, lines.slice(0, -2).join('\n') + '\n'); // last event missing
    let r = await runCli(['check', '--format', 'json', dir]);
    expect(r.code).toBe(1);
    let doc = JSON.parse(r.stdout) as { results: { name: string; events: unknown; detail: string }[] };
    expect(doc.results.find((x) => x.name === 'spec-worked')!.events).toEqual({ line: lines.length - 1, expected: null, actual: lines[lines.length - 2] });
    fs.writeFileSync(e, golden + '1250,1,2097155,2,1,promoted\n'); // one event too many
    r = await runCli(['check', dir]);
    expect(r.stdout).toContain(`events line ${lines.length}: expected "1250,1,2097155,2,1,promoted" got <end of file>`);
    fs.writeFileSync(e, golden.slice(0, -1)); // no final newline: byte for byte, that differs
    r = await runCli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`events line ${lines.length - 1}: the golden's last line`);
    fs.writeFileSync(e, golden.replace('time,node', 'x'.repeat(5000))); // a long bad line is quoted in part
    r = await runCli(['check', '--format', 'json', dir]);
    doc = JSON.parse(r.stdout) as typeof doc;
    expect(doc.results.find((x) => x.name === 'spec-worked')!.detail).toMatch(/^events line 1: expected "x{200}"\.\.\. \(5020 characters\) got "time,node,pfn,from,to,outcome"$/);
  });

  it('refuses options the case engine ignores, naming the .args file case as an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    fs.writeFileSync(path.join(dir, 'a.csv'), '0x200000,0,hwhints,0\n');
    fs.writeFileSync(path.join(dir, 'a.args'), '--engine rfc-v1 --target-nid 1\n');
    fs.writeFileSync(path.join(dir, 'a.vmstat'), 'kpromoted_mig_promoted 0\n');
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout.replace(/[│\s]+/g, ' ')).toMatch(/a\.args:1:17: --target-nid is not used by --engine rfc-v1/);
  });

  it('keeps the table narrow when a detail holds a long word (a golden line of 500 bytes without a space, quoted, made a 240-column table)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    for (const f of ['spec-worked.csv', 'spec-worked.vmstat', 'spec-worked.topology.json']) fs.copyFileSync(path.join(TRACES, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'spec-worked.events.csv'), `${'x'.repeat(500)}\n`);
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('events line 1');
    const widest = Math.max(...r.stdout.split('\n').map((l) => l.length));
    expect(widest).toBeLessThanOrEqual(120);
    // nothing lost: the broken word is all there
    expect(r.stdout.replace(/[│ \n]/g, '')).toContain('x'.repeat(200));
  });

  it('a trace that is a FIFO is an error of its case at once, the other cases run (check waited for a writer forever)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    for (const ext of ['.csv', '.topology.json', '.vmstat']) fs.copyFileSync(path.join(TRACES, `spec-worked${ext}`), path.join(dir, `spec-worked${ext}`));
    execFileSync('mkfifo', [path.join(dir, 'fifo.csv')]);
    fs.copyFileSync(path.join(TRACES, 'spec-worked.vmstat'), path.join(dir, 'fifo.vmstat'));
    // The built binary, in a child: on the old code it never ended (the timeout only ends a hang).
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../bin/kpromo.js'), 'check', dir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    const text = r.stdout.replace(/[│\s]+/g, ' ');
    expect(text).toMatch(/fifo 0 ERROR trace \S*fifo\.csv: not a regular file/);
    expect(text).toMatch(/spec-worked \d+ pass/);
  });

  it('a golden events file that is a FIFO is an error of its case at once (its open waited for a writer forever)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
    for (const ext of ['.csv', '.topology.json', '.vmstat']) fs.copyFileSync(path.join(TRACES, `spec-worked${ext}`), path.join(dir, `spec-worked${ext}`));
    execFileSync('mkfifo', [path.join(dir, 'spec-worked.events.csv')]);
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(2);
    const text = r.stdout.replace(/[│\s]+/g, ' '); // the table wraps the detail
    expect(text).toMatch(/spec-worked \d+ ERROR golden events \S*spec-worked\.events\.csv: not a regular file/);
  });

  it('--update on a read-only filesystem: exit 2 before any case runs, the golden named', (ctx) =>
    onTmpfs(ctx, 'size=1m', async (dir) => {
      for (const ext of ['.csv', '.topology.json']) fs.copyFileSync(path.join(TRACES, `spec-worked${ext}`), path.join(dir, `spec-worked${ext}`));
      fs.writeFileSync(path.join(dir, 'spec-worked.vmstat'), 'kpromoted_mig_promoted 3\n');
      remountReadOnly(dir);
      const r = await runCli(['check', '--update', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`kpromo: check --update "${path.join(dir, 'spec-worked.vmstat')}": cannot write: EROFS: read-only file system\n`);
      expect(r.stdout).toBe(''); // no case ran
    }));

  it('--update on a full filesystem: the case is an error, and no empty golden is left for a later check to pass against', (ctx) =>
    onTmpfs(ctx, 'size=64k', async (dir) => {
      for (const ext of ['.csv', '.topology.json']) fs.copyFileSync(path.join(TRACES, `spec-worked${ext}`), path.join(dir, `spec-worked${ext}`));
      spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=4k', 'count=100'], { stdio: 'ignore' }); // fills it: fails at the end
      const r = await runCli(['check', '--update', dir]);
      expect(r.code).toBe(2);
      expect(r.stdout.replace(/[│\s]+/g, ' ')).toMatch(/ERROR cannot write \S*spec-worked\.vmstat: ENOSPC/);
      expect(fs.existsSync(path.join(dir, 'spec-worked.vmstat'))).toBe(false);
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      const again = await runCli(['check', dir]);
      expect(again.code).toBe(2);
      expect(again.stdout).toMatch(/no golden spec-worked\.vmstat/);
    }));

  describe('NAME.args errors', () => {
    async function argsCase(args: string, withTopology = true): Promise<{ code: number; detail: string; dir: string }> {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-check-'));
      for (const f of ['spec-worked.csv', 'spec-worked.vmstat', ...(withTopology ? ['spec-worked.topology.json'] : [])]) fs.copyFileSync(path.join(TRACES, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'spec-worked.args'), args);
      const r = await runCli(['check', '--format', 'json', dir]);
      const doc = JSON.parse(r.stdout) as { results: { detail: string }[] };
      return { code: r.code, detail: doc.results[0]!.detail, dir };
    }
    it('places a bad value at its line and column of the file', async () => {
      const r = await argsCase('# comment\n--threshold 2 --window 99x\n');
      expect(r.code).toBe(2);
      expect(r.detail).toBe(`${path.join(r.dir, 'spec-worked.args')}:2:15: --window must be an integer in [0, 2147483647], got "99x"`);
    });
    it('places an unknown option and a stray word', async () => {
      expect((await argsCase('--hz 250\n  --bogus\n')).detail).toMatch(/spec-worked\.args:2:3: unknown option '--bogus'$/);
      expect((await argsCase('--hz 250 extra\n')).detail).toMatch(/spec-worked\.args:1:10: 'extra' is not an option/);
    });
    it('refuses a perf mapping option with --input csv, at its place', async () => {
      const r = await argsCase('--input csv\n--nid 0\n');
      expect(r.code).toBe(2);
      expect(r.detail).toMatch(/spec-worked\.args:2:1: --nid applies to perf samples: not used with --input csv$/);
    });
    it('refuses a single-value option given twice, at its second use', async () => {
      const r = await argsCase('--hz 250\n--hz=1000\n');
      expect(r.code).toBe(2);
      expect(r.detail).toMatch(/spec-worked\.args:2:1: --hz given twice, "250" and "1000": give it once$/);
    });
    it('refuses --topology in NAME.args beside NAME.topology.json, and takes it alone', async () => {
      const both = await argsCase('--topology 1s-cxl\n');
      expect(both.code).toBe(2);
      expect(both.detail).toMatch(/spec-worked\.args:1:1: --topology "1s-cxl" and .*spec-worked\.topology\.json both give the topology: keep one$/);
      const alone = await argsCase(`--topology ${path.join(TRACES, 'spec-worked.topology.json')}\n`, false);
      expect(alone.code).toBe(0);
    });
  });
});

describe('kpromo check on a terminal', () => {
  it('shows the read of each case on a progress line, cleared before the case\'s warning; --no-progress hides it (there was none)', async () => {
    const run = async (extra: string[]): Promise<string> => {
      // Every clock read a second later: the throttled line is drawn at each update.
      let t = 0;
      const now = vi.spyOn(Date, 'now').mockImplementation(() => (t += 1000));
      const stderr = new CaptureOut(true);
      const io: Io = { stdout: new CaptureOut(), stderr, stdin: Readable.from([]), env: {}, onInterrupt: () => () => {} };
      try {
        expect(await main(['check', ...extra, TRACES], io)).toBe(0);
      } finally {
        now.mockRestore();
      }
      return stderr.text;
    };
    const shown = await run([]);
    expect(shown).toContain('records/s');
    expect(shown).toContain('kpromo: spec-worked: warning');
    expect(shown).not.toMatch(/records\/s[^\n\r]*kpromo: spec-worked/);
    expect(await run(['--no-progress'])).not.toContain('records/s');
  });
});
