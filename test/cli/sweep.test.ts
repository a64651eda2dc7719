import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { groupSizes } from '../../src/cli/commands/multi-run.js';
import { BIN } from './pty.js';

const TRACES = path.resolve(__dirname, '../../traces');
const SPEC = path.join(TRACES, 'spec-worked.csv');
const SPEC_TOPOLOGY = path.join(TRACES, 'spec-worked.topology.json');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-sweep-'));

/** CSV without quoted commas (sweep labels have none) -> rows of header -> cell. */
function rows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

let generated: string | null = null;
async function genTrace(): Promise<string> {
  if (generated) return generated;
  const f = path.join(tmp(), 'g.csv');
  const g = await runCli(['gen', '--records', '40000', '--pages', '4000', '--duration', '30', '--seed', '3', '-o', f]);
  expect(g.code, g.stderr).toBe(0);
  return (generated = f);
}

describe('kpromo sweep', () => {
  it('runs every grid point with the counters of its own replay', async () => {
    const f = await genTrace();
    const r = await runCli(['sweep', '--format', 'csv', '--window', '1000,3000', '--threshold', '2..3', '--period', '250', f]);
    expect(r.code, r.stderr).toBe(0);
    const got = rows(r.stdout);
    expect(got.map((x) => x['label']).sort()).toEqual([
      'window=1000 threshold=2', 'window=1000 threshold=3', 'window=3000 threshold=2', 'window=3000 threshold=3',
    ]);
    for (const row of got) {
      const single = await runCli(['replay', '--format', 'vmstat', '--window', row['window']!, '--threshold', row['threshold']!, '--period', '250', f]);
      for (const line of single.stdout.trimEnd().split('\n')) {
        const [name, value] = line.split(' ');
        expect(row[name!], `${row['label']} ${name}`).toBe(value);
      }
      expect(row['period']).toBe('250');
      expect(row['promoted']).toBe(row['kpromoted_mig_promoted']);
    }
  });

  it('sorts by the chosen metric: ascending, -descending, --desc, several keys', async () => {
    const f = await genTrace();
    const run = async (...args: string[]) => rows((await runCli(['sweep', '--format', 'csv', '--threshold', '1..4', ...args, f])).stdout);
    const promoted = (rs: Record<string, string>[]) => rs.map((x) => Number(x['promoted']));
    const asc = promoted(await run('--sort', 'promoted'));
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(new Set(asc).size).toBeGreaterThan(1); // the grid is not degenerate
    const desc = promoted(await run('--sort', '-promoted'));
    expect(desc).toEqual([...asc].reverse());
    expect(promoted(await run('--sort', 'promoted', '--desc'))).toEqual(desc);
    const ranked = await run('--sort', 'wasted_ratio,-promoted');
    expect(ranked.map((x) => x['rank'])).toEqual(['1', '2', '3', '4']);
    for (let i = 1; i < ranked.length; i++) {
      const [a, b] = [ranked[i - 1]!, ranked[i]!];
      const ra = a['wasted_ratio'] === '' ? Infinity : Number(a['wasted_ratio']);
      const rb = b['wasted_ratio'] === '' ? Infinity : Number(b['wasted_ratio']);
      expect(ra <= rb).toBe(true);
      if (ra === rb) expect(Number(a['promoted'])).toBeGreaterThanOrEqual(Number(b['promoted']));
    }
  });

  it('writes every configuration to --csv and prints only --top rows', async () => {
    const dir = tmp();
    const csv = path.join(dir, 'out.csv');
    const r = await runCli(['sweep', '--threshold', '2,3,4', '--sort', '-promoted', '--top', '1', '--csv', csv, SPEC]);
    expect(r.code, r.stderr).toBe(0);
    const file = rows(fs.readFileSync(csv, 'utf8'));
    expect(file.map((x) => [x['threshold'], x['promoted']])).toEqual([['2', '4'], ['3', '1'], ['4', '0']]);
    expect(Object.keys(file[0]!).slice(0, 8)).toEqual(['rank', 'label', 'engine', 'window', 'threshold', 'period', 'hash_order', 'default_node']);
    const table = r.stdout.split('\n').filter((l) => /^│ \d/.test(l));
    expect(table).toHaveLength(1);
    expect(table[0]!.split('│').map((c) => c.trim()).slice(1, 4)).toEqual(['1', '2', '4']);
    expect(r.stdout).toContain('top 1 of 3 configurations sorted by promoted descending');
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('--csv follows a symlink to its target, writes through a device, and refuses a directory before the run', async () => {
    const dir = tmp();
    const target = path.join(dir, 'real.csv');
    fs.writeFileSync(target, 'old\n');
    const link = path.join(dir, 'link.csv');
    fs.symlinkSync(target, link);
    const r = await runCli(['sweep', '--threshold', '2,3', '--csv', link, SPEC]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(rows(fs.readFileSync(target, 'utf8')).map((x) => x['threshold'])).toEqual(['2', '3']);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.csv', 'real.csv']);

    const dev = await runCli(['sweep', '--threshold', '2,3', '--csv', '/dev/null', SPEC]);
    expect(dev.code, dev.stderr).toBe(0);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);

    const bad = await runCli(['sweep', '--threshold', '2,3', '--csv', dir, SPEC]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--csv');
    expect(bad.stdout).toBe('');
  });

  it('gives the same CSV with --jobs 2 (worker threads) as with --jobs 1', async () => {
    const f = await genTrace();
    const args = ['sweep', '--format', 'csv', '--window', '1000,2000', '--threshold', '2,3,4', '--period', '100,1000', f];
    const one = await runCli([...args, '--jobs', '1']);
    const two = await runCli([...args, '--jobs', '2']);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(rows(two.stdout)).toHaveLength(12);
    expect(two.stdout).toBe(one.stdout);
  });

  it('reports a bad trace line from a worker exactly like replay: exit 2, nothing on stdout, no --csv file', async () => {
    const dir = tmp();
    const f = path.join(dir, 'bad.csv');
    fs.writeFileSync(f, 'pfn,nid,src,time\n0x200000,0,hwhints,1000\n# comment\n0x200001,0,hwhints,-3\n');
    const replay = await runCli(['replay', f]);
    const r = await runCli(['sweep', '--threshold', '1..6', '--jobs', '2', '--csv', path.join(dir, 'o.csv'), f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(replay.stderr);
    expect(r.stderr).toContain(`${f}:4:4 (time)`);
    expect(fs.readdirSync(dir)).toEqual(['bad.csv']);
  });

  it('runs in this thread for standard input and says so', async () => {
    const csv = fs.readFileSync(SPEC, 'utf8');
    const r = await runCli(['sweep', '--format', 'csv', '--threshold', '2,3', '--jobs', '4', '-'], { stdin: csv });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('standard input can be read only once');
    expect(rows(r.stdout).map((x) => x['kpromoted_recorded_accesses'])).toEqual(['10', '10']);
  });

  it('sweeps pghot tunables', async () => {
    const ok = await runCli(['sweep', '--format', 'json', '--engine', 'pghot', '--threshold', '1,2', '--sort', '-pgpromote_success', SPEC]);
    expect(ok.code, ok.stderr).toBe(0);
    const doc = JSON.parse(ok.stdout) as { results: { params: Record<string, number | null>; metrics: Record<string, number | null> }[] };
    expect(doc.results.map((x) => x.params['threshold'])).toEqual([1, 2]); // threshold 1 promotes more
    expect(doc.results[1]!.params['hash_order']).toBeNull();
    expect(doc.results[1]!.metrics['promoted']).toBe(2);
  });

  it('rejects bad lists and sort keys with exit 2, quoting the bad value', async () => {
    const cases: [string[], string][] = [
      [['--window', '1000,fast'], '--window: expected an integer or a range A..B[:STEP]: "fast" in "1000,fast"'],
      [['--period', '500..100'], '--period: range start is greater than its end: "500..100" in "500..100"'],
      [['--threshold', '2,3', '--hash-order', '8,99'], 'sweep configuration "threshold=2 hash_order=99": --hash-order must be an integer in [1, 24], got "99"'],
      [['--sort', 'speed'], '--sort: unknown metric "speed"'],
      [['--jobs', '0'], '--jobs must be an integer in [1, 256], got "0"'],
      [['--window', '1000..2000', '--threshold', '0..4'], 'sweep: 1001 window x 5 threshold = 5005 configurations, more than 4096'],
      [['--engine', 'pghot', '--default-node', '0,1'], 'sweep: default-node is an rfc-v1 tunable; pghot has none to sweep'],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['sweep', ...args, SPEC]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(msg);
    }
  });
});

describe('kpromo sweep --shard K/N with more parts than configurations', () => {
  it('says on stderr that a part has no configuration and reads nothing; its JSON is still a part for merge', async () => {
    // 2 configurations, 3 parts: part 1 runs [0, 0) (floor(1 * 2 / 3) = 0), parts 2 and 3 one each.
    const empty = await runCli(['sweep', '--shard', '1/3', '--threshold', '2,3', SPEC]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stderr).toBe('kpromo: part 1 of 3 has no configuration to run: the grid has 2 configurations for 3 parts; it reads no trace, and its output is still a part for kpromo merge\n');
    expect(JSON.parse(empty.stdout)).toMatchObject({ records: null, input: null, results: [], shard: { index: 1, count: 3 } });
    const full = await runCli(['sweep', '--shard', '2/3', '--threshold', '2,3', SPEC]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).not.toContain('no configuration');
    // The table of an empty part does not claim 0 records were read.
    const table = await runCli(['sweep', '--shard', '1/3', '--format', 'table', '--threshold', '2,3', SPEC]);
    expect(table.stdout).toContain('part 1 of 3: 0 of 2 configurations');
    expect(table.stdout).not.toContain('0 records');
    expect(table.stdout).toContain('no trace read (no configuration in this part)');
    const dir = tmp();
    const files = [empty.stdout, full.stdout, (await runCli(['sweep', '--shard', '3/3', '--threshold', '2,3', SPEC])).stdout].map((t, i) => {
      const f = path.join(dir, `part-${i + 1}.json`);
      fs.writeFileSync(f, t);
      return f;
    });
    const merged = await runCli(['merge', '--format', 'json', ...files]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe((await runCli(['sweep', '--format', 'json', '--threshold', '2,3', SPEC])).stdout);
  });
});

describe('kpromo sweep: accesses the engine ignored', () => {
  it('each row carries ignored_total in JSON and CSV, as compare\'s summary has it', async () => {
    // The worked example's pfn 0x500000 is in no range of its topology: one access ignored, in every configuration.
    const topo = ['--topology', SPEC_TOPOLOGY];
    const json = await runCli(['sweep', '--format', 'json', '--threshold', '2,3', ...topo, SPEC]);
    expect(json.code, json.stderr).toBe(0);
    const cmp = await runCli(['compare', '--format', 'json', '--engine', 'rfc-v1', ...topo, SPEC]);
    const want = JSON.parse(cmp.stdout).results[0].summary.ignored_total as number;
    expect(want).toBe(1);
    const rows = JSON.parse(json.stdout).results as { ignored_total: number }[];
    expect(rows.map((r) => r.ignored_total)).toEqual([want, want]);
    const csv = await runCli(['sweep', '--format', 'csv', '--threshold', '2,3', ...topo, SPEC]);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(',').at(-1)).toBe('ignored_total');
    expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual(['1', '1']);
  });
});

describe('groupSizes', () => {
  it('lists up to eight reads, and sums up more', () => {
    expect(groupSizes([3, 6])).toBe('3 + 6 engines');
    expect(groupSizes([1, 1, 1, 1, 1, 1, 1, 1])).toBe('1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 engines');
    expect(groupSizes(Array(9).fill(64))).toBe('9 reads of 64 engines');
    expect(groupSizes([64, 64, 59, 48, 1, 1, 1, 1, 1, 1])).toBe('10 reads of 1-64 engines');
  });

  it('says "engine" for reads of one engine each (a tight budget: "9 reads of 1 engine", not "1 engines")', () => {
    expect(groupSizes(Array(9).fill(1))).toBe('9 reads of 1 engine');
  });
});

describe('kpromo sweep under a memory budget', () => {
  it('runs the grid in more reads when its engines do not fit --memory, with the same results', async () => {
    const f = await genTrace();
    const args = ['sweep', '--format', 'csv', '--window', '1000,2000', '--threshold', '2,3', f];
    const whole = await runCli(args);
    const tight = await runCli([...args, '--memory', '64']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(tight.code, tight.stderr).toBe(0);
    expect(whole.stderr).not.toContain('reads of the traces');
    // 64 MiB is below a bare process: one engine per read.
    expect(tight.stderr).toContain('# kpromo: 4 configurations in 4 reads of the traces (1 + 1 + 1 + 1 engines: memory budget, see --memory)');
    expect(tight.stdout).toBe(whole.stdout);
    const bad = await runCli([...args, '--memory', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--memory must be an integer in [64, 1048576], got "10"');
  });

  it('collects the engines of each read before the next in process, so the memory sizer keeps its groups', async () => {
    // 1024 configurations over 10 records, in process: 16 reads of 64 engines fit the budget. Without a collection
    // between reads, the garbage of the engines before counted as what engines cost, and the groups shrank read after
    // read (348 reads, down to 1 engine each, and a peak over the budget).
    // The built command in a process of its own: its RSS is the sizer's measure (in the test's process, it is vitest's).
    const r = spawnSync(process.execPath, [BIN, 'sweep', '--format', 'csv', '--memory', '280', '--window', '1..32', '--threshold', '1..32', SPEC, '--topology', SPEC_TOPOLOGY], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const m = /# kpromo: 1024 configurations in (\d+) reads of the traces \((.*) engines: memory budget/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(24);
    // More than eight reads are summed up, not listed.
    expect(m![2]).toMatch(/^\d+ reads of \d+(-\d+)?$/);
    expect(r.stdout.trim().split('\n').length).toBe(1025);
  });

  it('caps --jobs at the number of CPUs with a warning', async () => {
    const r = await runCli(['sweep', '--format', 'csv', '--threshold', '2,3', '--jobs', '256', SPEC]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^kpromo: warning: --jobs 256 is more than the \d+ CPUs? of this machine: using \d+$/m);
  });
});
