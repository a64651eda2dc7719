import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const BIN = path.resolve(__dirname, '../../bin/kpromo.js');
const TRACES = path.resolve(__dirname, '../../traces');
const SPEC = path.join(TRACES, 'spec-worked.csv');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-merge-'));

let generated: string | null = null;
async function genTrace(): Promise<string> {
  if (generated) return generated;
  const f = path.join(tmp(), 'g.csv');
  const g = await runCli(['gen', '--records', '20000', '--pages', '2000', '--duration', '20', '--seed', '5', '-o', f]);
  expect(g.code, g.stderr).toBe(0);
  return (generated = f);
}

/** The grid of every test: 2 x 3 = 6 configurations with ties in latency (window does not matter here). */
const GRID = ['--window', '1000,3000', '--threshold', '2..4'];

/** Runs every part K/N of a sweep and returns their JSON texts. */
async function parts(n: number, trace: string, extra: string[] = []): Promise<string[]> {
  const out: string[] = [];
  for (let k = 1; k <= n; k++) {
    const r = await runCli(['sweep', '--shard', `${k}/${n}`, ...GRID, ...extra, trace]);
    expect(r.code, r.stderr).toBe(0);
    out.push(r.stdout);
  }
  return out;
}

function writeParts(texts: readonly string[]): string[] {
  const dir = tmp();
  return texts.map((t, i) => {
    const f = path.join(dir, `part-${i + 1}.json`);
    fs.writeFileSync(f, t);
    return f;
  });
}

describe('kpromo sweep --shard / kpromo merge', () => {
  it('merges into exactly the table, JSON and CSV of the unsharded sweep, for N = 1, 2, 4, 6 and 9 (> 6 configurations)', async () => {
    const f = await genTrace();
    const whole = {
      table: await runCli(['sweep', ...GRID, f]),
      json: await runCli(['sweep', '--format', 'json', ...GRID, f]),
      csv: await runCli(['sweep', '--format', 'csv', ...GRID, f]),
      top: await runCli(['sweep', '--format', 'csv', '--top', '2', '--sort', '-promoted', ...GRID, f]),
    };
    for (const w of Object.values(whole)) expect(w.code, w.stderr).toBe(0);
    expect(whole.table.stdout).toContain('6 configurations sorted by latency_p50 ascending');
    for (const n of [1, 2, 4, 6, 9]) {
      const files = writeParts(await parts(n, f));
      // Order of the parts on the command line does not matter.
      const shuffled = [...files].reverse();
      expect((await runCli(['merge', ...shuffled])).stdout, `table N=${n}`).toBe(whole.table.stdout);
      expect((await runCli(['merge', '--format', 'json', ...files])).stdout, `json N=${n}`).toBe(whole.json.stdout);
      expect((await runCli(['merge', '--format', 'csv', ...files])).stdout, `csv N=${n}`).toBe(whole.csv.stdout);
      expect((await runCli(['merge', '--format', 'csv', '--top', '2', '--sort', '-promoted', ...files])).stdout, `top N=${n}`).toBe(whole.top.stdout);
    }
  });

  it('cuts the grid into contiguous parts that cover it once; parts past the grid are empty and read nothing', async () => {
    const f = await genTrace();
    const texts = await parts(9, f);
    const docs = texts.map((t) => JSON.parse(t) as { records: number | null; shard: { index: number; count: number }; results: { index: number; label: string }[] });
    const indices = docs.flatMap((d) => d.results.map((r) => r.index)).sort((a, b) => a - b);
    expect(indices).toEqual([0, 1, 2, 3, 4, 5]);
    // floor(k * 6 / 9): parts 1, 3, 4, 6, 7, 9 hold one configuration each; 2, 5, 8 none.
    expect(docs.map((d) => d.results.length)).toEqual([0, 1, 1, 0, 1, 1, 0, 1, 1]);
    expect(docs.filter((d) => d.results.length === 0).every((d) => d.records === null)).toBe(true);
    expect(docs.filter((d) => d.results.length > 0).every((d) => d.records === 20000)).toBe(true);
    expect(docs[8]!.shard).toMatchObject({ index: 9, count: 9 });
  });

  it('writes --csv from the merge as the unsharded sweep does', async () => {
    const f = await genTrace();
    const dir = tmp();
    const a = path.join(dir, 'whole.csv');
    const b = path.join(dir, 'merged.csv');
    expect((await runCli(['sweep', '--top', '1', '--csv', a, ...GRID, f])).code).toBe(0);
    const r = await runCli(['merge', '--top', '1', '--csv', b, ...writeParts(await parts(3, f))]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(b, 'utf8')).toBe(fs.readFileSync(a, 'utf8'));
    expect(fs.readFileSync(b, 'utf8').trimEnd().split('\n')).toHaveLength(7); // header + every configuration
  });

  it('refuses missing, repeated and foreign parts, and text that is not a part, with exit 2 and nothing on stdout', async () => {
    const texts = await parts(3, SPEC);
    const [p1, p2, p3] = writeParts(texts) as [string, string, string];
    const other = writeParts(await parts(3, SPEC, ['--period', '250']))[1]!;
    const dir = tmp();
    const plain = path.join(dir, 'plain.json');
    fs.writeFileSync(plain, (await runCli(['sweep', '--format', 'json', ...GRID, SPEC])).stdout);
    const junk = path.join(dir, 'junk.json');
    fs.writeFileSync(junk, 'pfn,nid\n');
    // A key twice in one object: JSON.parse takes the last one silently; the part is refused where the second is.
    const twice = path.join(dir, 'twice.json');
    fs.writeFileSync(twice, texts[1]!.replace('"schema_version": 1,', '"schema_version": 1,\n  "schema_version": 1,'));
    expect(fs.readFileSync(twice, 'utf8')).not.toBe(texts[1]);
    const cases: [string[], string][] = [
      [[p1, p3], 'merge: missing part 2 of 3'],
      [[p1, p2, p2, p3], `merge: ${p2} and ${p2} are both part 2 of 3`],
      [[p1, other, p3], `merge: ${other} is a part of another sweep than ${p1}`],
      [[p1, p2, p3, plain], `merge: ${plain}: not a part of a sharded sweep`],
      [[junk], `merge: ${junk}:1:1: not JSON`],
      [[p1, twice, p3], `merge: ${twice}:3:3: schema_version: duplicate key "schema_version" (first at 2:3)`],
      [[path.join(dir, 'nope.json')], `merge: cannot read ${path.join(dir, 'nope.json')}`],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['merge', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(msg);
    }
    const bad = await runCli(['sweep', '--shard', '4/3', ...GRID, SPEC]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard: K must be in [1, N], got "4/3"');
  });

  it('refuses a part whose values the sweep could not have written, naming the part and the field', async () => {
    const texts = await parts(3, SPEC);
    type Row = Record<string, Record<string, unknown>> & { label: unknown; engine: unknown };
    type Doc = Record<string, unknown> & { shard: Record<string, unknown>; results: Row[] };
    const edit = (f: (d: Doc, r: Row) => void): string => {
      const d = JSON.parse(texts[1]!) as Doc;
      f(d, d.results[0]!);
      return JSON.stringify(d);
    };
    const cases: [string, string][] = [
      [edit((_, r) => delete r['counters']!['kpromoted_mig_promoted']), 'counters.kpromoted_mig_promoted is missing'],
      // 2^64 + 1 as written: JSON.parse makes it 18446744073709552000, which no counter holds exactly.
      [edit((_, r) => (r['counters']!['kpromoted_mig_dropped'] = 1)).replace('"kpromoted_mig_dropped":1,', '"kpromoted_mig_dropped":18446744073709551617,'), 'counters.kpromoted_mig_dropped must be a non-negative integer below 2^53'],
      [edit((_, r) => (r['counters']!['kpromoted_mig_dropped'] = -1)), 'counters.kpromoted_mig_dropped must be a non-negative integer'],
      [edit((_, r) => (r['counters']!['kpromoted_bogus'] = 1)), 'counters.kpromoted_bogus is not a counter of rfc-v1'],
      [edit((_, r) => (r['metrics']!['promoted'] = -5)), 'metrics.promoted must be a non-negative integer or null, got -5'],
      [edit((_, r) => (r['metrics']!['promoted'] = 7)), 'metrics.promoted is not counters.kpromoted_mig_promoted'],
      [edit((_, r) => (r['metrics']!['fast_tier_share'] = 7.5)), 'metrics.fast_tier_share is a share of accesses: it must be in [0, 1], got 7.5'],
      [edit((_, r) => (r['metrics']!['fast_tier_share'] = 0.3)), 'metrics.share_of_instant is not metrics.fast_tier_share / metrics.instant_bound'],
      [edit((_, r) => (r['params']!['threshold'] = 77)), 'params.threshold is 77, its point says'],
      [edit((_, r) => (r['params']!['period'] = 77)), 'params.period is 77, configuration 0 has 1000'],
      [edit((_, r) => (r.label = 'window=9 threshold=9')), 'is not that of its point'],
      [edit((d) => (d['schema_version'] = 2)), 'schema_version 2 is not 1'],
      [edit((d) => (d['configurations'] = 7)), 'has configurations 7, '],
      [edit((d) => (d['engine'] = 'rfc-v1-fixed')), 'engine "rfc-v1" is not the part\'s engine "rfc-v1-fixed"'],
      [edit((d) => ((d['engine'] = 'rfc-v1-fixed'), d.results.forEach((r) => (r.engine = 'rfc-v1-fixed')))), 'has engine "rfc-v1-fixed", '],
      [edit((d) => (d.shard['count'] = 4)), 'has part 2 of 4, '],
      // A record count the sweep could not have written (it was merged and shown: "-10 records from ...").
      [edit((d) => (d['records'] = -10)), '"records" must be a non-negative integer or null, got -10'],
      // Accesses the engine ignored (no counter shows them): a count of the row, as the sweep writes it.
      [edit((_, r) => delete (r as Record<string, unknown>)['ignored_total']), 'ignored_total must be a non-negative integer (accesses the engine ignored), got undefined'],
      [edit((_, r) => ((r as Record<string, unknown>)['ignored_total'] = -1)), 'ignored_total must be a non-negative integer (accesses the engine ignored), got -1'],
      [edit((d) => (d['records'] = 1)).replace('"records":1,', '"records":1e999,'), '"records" must be a non-negative integer or null, got Infinity'],
    ];
    const dir = tmp();
    for (const [i, [text, msg]] of cases.entries()) {
      const f = path.join(dir, `tampered-${i}.json`);
      fs.writeFileSync(f, text);
      const files = writeParts(texts);
      files[1] = f;
      const r = await runCli(['merge', '--format', 'csv', ...files]);
      expect(r.code, msg).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, msg).toContain(`merge: ${f}`);
      expect(r.stderr, msg).toContain(msg);
    }
    // The untampered parts still merge.
    expect((await runCli(['merge', ...writeParts(texts)])).code).toBe(0);
  });

  it('carries the read\'s skipped lines and perf samples once: the merge equals the unsharded sweep, parts that disagree are refused', async () => {
    const dir = tmp();
    const f = path.join(dir, 'skips.txt');
    // Perf samples skipped for three reasons (phys_addr 0, cpu in no node, another event) and one bad line (--skip-bad).
    fs.writeFileSync(f, fs.readFileSync(path.resolve(__dirname, '../fixtures/perf/ibs-two-events.txt'), 'utf8') + '          stream    4242/4242    [003]  1236.000000:    ibs_op//:     zz garbage\n');
    const grid = ['--skip-bad', '--threshold', '1..3'];
    const replay = await runCli(['replay', '--format', 'json', '--skip-bad', f]);
    const whole = await runCli(['sweep', '--format', 'json', ...grid, f]);
    expect(whole.code, whole.stderr).toBe(0);
    const input = (JSON.parse(whole.stdout) as { input: { skipped: number; perf: { skipped_by_reason: Record<string, number> } } }).input;
    expect(input).toEqual((JSON.parse(replay.stdout) as { input: unknown }).input);
    expect(input.skipped).toBe(1);
    expect(input.perf.skipped_by_reason).toEqual({ phys_addr_zero: 1, phys_addr_missing: 0, cpu_not_in_topology: 1, other_event: 1, bad_line: 1 });
    const texts: string[] = [];
    for (const n of [1, 2, 4]) {
      const partTexts: string[] = [];
      for (let k = 1; k <= n; k++) {
        const r = await runCli(['sweep', '--shard', `${k}/${n}`, ...grid, f]);
        expect(r.code, r.stderr).toBe(0);
        partTexts.push(r.stdout);
      }
      const files = writeParts(partTexts);
      const m = await runCli(['merge', '--format', 'json', ...files]);
      expect(m.code, m.stderr).toBe(0);
      expect(m.stdout, `json N=${n}`).toBe(whole.stdout);
      // The table and CSV have no place for them: merge says on stderr what the parts' read skipped.
      const t = await runCli(['merge', ...files]);
      expect(t.stderr).toContain('kpromo: the parts\' read of the traces skipped 1 bad line (expected addr as bare hex 1)');
      expect(t.stderr).toContain('kpromo: perf samples skipped by reason: phys_addr_zero 1, cpu_not_in_topology 1, other_event 1');
      if (n === 4) texts.push(...partTexts);
    }
    // Part 1 of 4 is empty (floor(4 / 3) = 0 configurations before it): it read nothing and carries no counts.
    expect((JSON.parse(texts[0]!) as { input: unknown; records: unknown })).toMatchObject({ input: null, records: null });
    type Doc = Record<string, unknown> & { input: Record<string, unknown> & { perf: Record<string, Record<string, number>> } };
    const edit = (f: (d: Doc) => void): string => {
      const d = JSON.parse(texts[2]!) as Doc;
      f(d);
      return JSON.stringify(d);
    };
    const cases: [string, string][] = [
      [edit((d) => (d.input['skipped'] = 0)), 'input.skipped 0, '],
      [edit((d) => (d.input.perf['skipped_by_reason']!['phys_addr_zero'] = 5)), 'input.perf.skipped_by_reason.phys_addr_zero 5, '],
      [edit((d) => delete (d as Record<string, unknown>)['input']), '"input" must be'],
      [edit((d) => (d.input['skipped'] = -1)), 'input.skipped must be a non-negative integer'],
      [edit((d) => (d.input['records'] = 3)), 'input.records 3 is not "records" 4'],
      [edit((d) => (d['input'] = null as never)), '"input" must be'],
    ];
    for (const [i, [text, msg]] of cases.entries()) {
      const files = writeParts(texts);
      const bad = path.join(dir, `tampered-${i}.json`);
      fs.writeFileSync(bad, text);
      files[2] = bad;
      const r = await runCli(['merge', '--format', 'json', ...files]);
      expect(r.code, msg).toBe(2);
      expect(r.stdout, msg).toBe('');
      expect(r.stderr, msg).toContain(bad);
      expect(r.stderr, msg).toContain(msg);
    }
    // Parts that read the traces differently are named both.
    const other = writeParts(texts);
    fs.writeFileSync(other[2]!, edit((d) => (d.input['skipped'] = 0)));
    const r = await runCli(['merge', ...other]);
    expect(r.stderr).toContain(`merge: ${other[2]} and ${other[1]} read the traces differently: ${other[2]} has input.skipped 0, ${other[1]} has 1`);
  });

  it('runs the xargs -P recipe of docs/compare-sweep.md (4 parts, 2 at a time) and merges to the unsharded output', async () => {
    const f = await genTrace();
    const dir = tmp();
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/compare-sweep.md'), 'utf8');
    // The recipe as documented, between the markers, with `kpromo` run from this checkout.
    const m = /<!-- xargs-recipe -->\n```sh\n([\s\S]*?)```/.exec(doc);
    expect(m, 'docs/compare-sweep.md has no xargs recipe block').not.toBeNull();
    const script = m![1]!;
    expect(script).toContain('xargs -P');
    const shim = path.join(dir, 'bin');
    fs.mkdirSync(shim);
    fs.writeFileSync(path.join(shim, 'kpromo'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`, { mode: 0o755 });
    fs.copyFileSync(f, path.join(dir, 'trace.csv'));
    execFileSync('sh', ['-e', '-c', script], {
      cwd: dir,
      env: { ...process.env, PATH: `${shim}:${process.env['PATH']}`, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const whole = execFileSync(process.execPath, [BIN, 'sweep', '--format', 'csv', '--window', '1000..4000:1000', '--threshold', '2..4', 'trace.csv'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(fs.readdirSync(dir).filter((n) => /^part-\d+\.json$/.test(n)).sort()).toEqual(['part-1.json', 'part-2.json', 'part-3.json', 'part-4.json']);
    expect(fs.readFileSync(path.join(dir, 'sweep.csv'), 'utf8')).toBe(whole);
  });
});
