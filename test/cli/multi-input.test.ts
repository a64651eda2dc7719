import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const FIX = path.resolve(__dirname, '../fixtures/perf');
const fx = (name: string): string => path.join(FIX, name);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-multi-input-'));

/** vmstat text -> name -> value. */
const vmstat = (text: string) => new Map(text.trimEnd().split('\n').map((l) => l.split(' ') as [string, string]));

/** `compare --format csv` -> column of `label` as name -> cell (fixtures' labels hold no commas). */
function compareColumn(csv: string, label: string): Map<string, string> {
  const lines = csv.trimEnd().split('\n').map((l) => l.split(','));
  const col = lines[0]!.indexOf(label);
  return new Map(lines.slice(1).map((l) => [l[0]!, l[col] ?? '']));
}

/** `sweep --format csv` -> first row as name -> cell. */
function sweepRow(csv: string): Map<string, string> {
  const [head, row] = csv.trimEnd().split('\n').map((l) => l.split(','));
  return new Map(head!.map((h, i) => [h, row![i] ?? '']));
}

/** Input option sets, each on the perf fixture it concerns. */
const CASES: [string, string[], string][] = [
  ['--input perf --perf-fields', ['--input', 'perf', '--perf-fields', 'comm,pid,tid,cpu,time,event,addr,phys_addr'], 'ibs-F-basic.txt'],
  ['--nid none', ['--nid', 'none'], 'ibs-F-full.txt'],
  ['--nid 0', ['--nid', '0'], 'ibs-F-full.txt'],
  ['--page-size 2M', ['--page-size', '2M'], 'ibs-F-full.txt'],
  ['--event', ['--event', 'cpu/mem-stores/P'], 'intel-default.txt'],
  ['--event list', ['--event', 'ibs_op//,cpu/mem-loads,ldlat=30/P'], 'ibs-two-events.txt'],
];

describe('compare and sweep take every replay input option, with the counters replay gives', () => {
  for (const [name, opts, file] of CASES) {
    it(name, async () => {
      const compare = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', '--engine', 'pghot', ...opts, fx(file)]);
      expect(compare.code, compare.stderr).toBe(0);
      const sweep = await runCli(['sweep', '--format', 'csv', '--threshold', '1,2', ...opts, fx(file)]);
      expect(sweep.code, sweep.stderr).toBe(0);
      for (const engine of ['rfc-v1', 'pghot']) {
        const replay = await runCli(['replay', '--format', 'vmstat', '--engine', engine, ...opts, fx(file)]);
        expect(replay.code, replay.stderr).toBe(0);
        const col = compareColumn(compare.stdout, engine);
        for (const [k, v] of vmstat(replay.stdout)) expect(col.get(k), `compare ${engine} ${k}`).toBe(v);
      }
      // The sweep's threshold=2 row is the default replay (rows are sorted: find it by label).
      const rows = sweep.stdout.trimEnd().split('\n');
      const t2 = rows[0] + '\n' + rows.slice(1).find((l) => l.split(',')[1] === 'threshold=2')! + '\n';
      const replay = await runCli(['replay', '--format', 'vmstat', ...opts, fx(file)]);
      const row = sweepRow(t2);
      for (const [k, v] of vmstat(replay.stdout)) expect(row.get(k), `sweep ${k}`).toBe(v);
    });
  }

  it('the options change the counters (the cases above are not all the default reading)', async () => {
    const plain = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', fx('ibs-F-full.txt')]);
    const none = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', '--nid', 'none', fx('ibs-F-full.txt')]);
    const huge = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', '--page-size', '2M', fx('ibs-F-full.txt')]);
    expect(none.stdout).not.toBe(plain.stdout);
    expect(huge.stdout).not.toBe(plain.stdout);
  });

  it('--skip-bad: skips bad lines like replay and reports them on stderr; without it a bad line is exit 2', async () => {
    const dir = tmp();
    const f = path.join(dir, 'bad.csv');
    fs.writeFileSync(f, 'pfn,nid,src,time\n0x200000,0,hwhints,1000\n0x200001,0,warm,1001\n0x200000,0,hwhints,1002\nnot,a,line\n0x200000,0,hwhints,1003\n');
    const replay = await runCli(['replay', '--format', 'vmstat', '--skip-bad', f]);
    expect(replay.code).toBe(0);
    for (const cmd of [['compare', '--engine', 'rfc-v1'], ['sweep', '--threshold', '2,3']]) {
      const r = await runCli([...cmd, '--format', 'csv', '--skip-bad', f]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('kpromo: skipped 2 bad lines');
      expect(r.stderr).toContain(`${f}:3: `);
      const strict = await runCli([...cmd, f]);
      expect(strict.code).toBe(2);
      expect(strict.stdout).toBe('');
    }
    const c = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', '--skip-bad', f]);
    expect(compareColumn(c.stdout, 'rfc-v1').get('kpromoted_recorded_accesses')).toBe(vmstat(replay.stdout).get('kpromoted_recorded_accesses'));
    expect(vmstat(replay.stdout).get('kpromoted_recorded_accesses')).toBe('3');
  });

  it('says on stderr, in every format, how many perf samples gave no record, by reason (as replay\'s table and JSON do)', async () => {
    // ibs-two-events.txt: 7 samples, 4 records; one phys_addr 0, one cpu in no node, one ibs_fetch// (another event).
    for (const cmd of [['compare', '--engine', 'rfc-v1'], ['sweep', '--threshold', '2,3']]) {
      for (const format of ['table', 'csv', 'json']) {
        const r = await runCli([...cmd, '--format', format, fx('ibs-two-events.txt')]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr, `${cmd[0]} ${format}`).toContain('kpromo: perf samples skipped by reason: phys_addr_zero 1, cpu_not_in_topology 1, other_event 1\n');
      }
    }
    // None skipped (CSV input): no line.
    const clean = await runCli(['sweep', '--format', 'csv', '--threshold', '2,3', path.resolve(__dirname, '../../traces/spec-worked.csv')]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).not.toContain('perf samples skipped');
  });

  it('refuses bad input option values as replay does', async () => {
    for (const cmd of ['compare', 'sweep']) {
      const r = await runCli([cmd, '--nid', '7', fx('ibs-F-full.txt')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--nid 7: topology');
      const p = await runCli([cmd, '--page-size', '3000', fx('ibs-F-full.txt')]);
      expect(p.code).toBe(2);
      expect(p.stderr).toContain('--page-size: expected a power of two');
    }
  });
});

describe('standard input named twice', () => {
  it('is refused with exit 2 by every command that takes several inputs (the second - would read nothing)', async () => {
    const trace = 'pfn,nid,src,time\n0x200000,0,hwhints,1000\n';
    const commands: string[][] = [['replay'], ['convert'], ['compare'], ['sweep', '--threshold', '2,3'], ['page', '0x200000']];
    for (const cmd of commands) {
      const r = await runCli([...cmd, '-', '-'], { stdin: trace });
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('kpromo: standard input (-) can be given once\n');
      // Once is fine, also beside a file.
      expect((await runCli([...cmd, '-'], { stdin: trace })).code, cmd.join(' ')).toBe(0);
    }
  });
});
