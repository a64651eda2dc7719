import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src/multi/metrics.js';
import { runCli } from './run-cli.js';

const METRIC_KEYS = new Set<string>(METRICS.map((m) => m.key));

const TRACES = path.resolve(__dirname, '../../traces');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-compare-'));

/** Parses `compare --format csv` into label -> (row name -> cell). */
function parseCsv(text: string): Map<string, Map<string, string>> {
  const split = (line: string): string[] => {
    const out: string[] = [];
    const re = /("([^"]|"")*"|[^,]*)(,|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null && m.index < line.length) {
      out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
      if (m[3] === '') break;
    }
    return out;
  };
  const lines = text.trimEnd().split('\n').map(split);
  const labels = lines[0]!.slice(1);
  const cols = new Map(labels.map((l) => [l, new Map<string, string>()]));
  for (const row of lines.slice(1)) labels.forEach((l, i) => cols.get(l)!.set(row[0]!, row[i + 1] ?? ''));
  return cols;
}

/** vmstat text -> name -> value text. */
function vmstat(text: string): Map<string, string> {
  return new Map(text.trimEnd().split('\n').map((l) => l.split(' ') as [string, string]));
}

/** Each configuration as compare names it and as replay flags. */
const CONFIGS: [string, string[]][] = [
  ['rfc-v1', ['--engine', 'rfc-v1']],
  ['rfc-v1-fixed', ['--engine', 'rfc-v1-fixed']],
  ['rfc-v1:window=1000,threshold=3,period=250', ['--engine', 'rfc-v1', '--window', '1000', '--threshold', '3', '--period', '250']],
  ['pghot', ['--engine', 'pghot']],
  ['pghot:precise,threshold=3', ['--engine', 'pghot', '--pghot-precise', '--threshold', '3']],
];

async function expectSameAsReplays(common: string[], trace: string): Promise<void> {
  const r = await runCli(['compare', '--format', 'csv', ...common, ...CONFIGS.flatMap(([spec]) => ['--engine', spec]), trace]);
  // Nothing on stderr but the no-range warning (the SPEC example has an access outside 2s-cxl).
  expect(r.stderr.replace(/^kpromo: (?:warning: .* fell in no pfn range .*|topology .* covers .*|fix: .*)\n/gm, '')).toBe('');
  expect(r.code).toBe(0);
  const cols = parseCsv(r.stdout);
  expect([...cols.keys()]).toEqual(CONFIGS.map(([spec]) => spec));
  for (const [spec, flags] of CONFIGS) {
    const single = await runCli(['replay', '--format', 'vmstat', ...common, ...flags, trace]);
    expect(single.code, single.stderr).toBe(0);
    const col = cols.get(spec)!;
    const counters = vmstat(single.stdout);
    for (const [name, value] of counters) expect(col.get(name), `${path.basename(trace)} ${spec} ${name}`).toBe(value);
    // Counters of the other engines are empty in this column.
    const filled = [...col].filter(([name, v]) => v !== '' && name !== 'engine' && !METRIC_KEYS.has(name)).map(([n]) => n);
    expect(filled.sort()).toEqual([...counters.keys()].sort());
  }
}

describe('kpromo compare', () => {
  it('gives each configuration the counters of its own replay (traces/*.csv)', async () => {
    for (const t of ['spec-worked', 'budget-bucket-order', 'numa-no-node']) {
      await expectSameAsReplays(['--topology', path.join(TRACES, `${t}.topology.json`)], path.join(TRACES, `${t}.csv`));
    }
  });

  it('gives each configuration the counters of its own replay (generated trace)', async () => {
    const f = path.join(tmp(), 'g.csv');
    const g = await runCli(['gen', '--records', '30000', '--pages', '3000', '--duration', '20', '--seed', '7', '-o', f]);
    expect(g.code, g.stderr).toBe(0);
    await expectSameAsReplays([], f);
  });

  it('prints settings, metrics and counters side by side; - for counters an engine lacks, n/a for metrics', async () => {
    const r = await runCli(['compare', '--engine', 'rfc-v1', '--engine', 'pghot', path.join(TRACES, 'spec-worked.csv')]);
    expect(r.code).toBe(0);
    const row = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(`│ ${name} `))?.split('│').slice(2, -1).map((c) => c.trim());
    expect(row('promoted')).toEqual(['4', '2']);
    expect(row('latency p50')).toEqual(['988 ms', 'n/a']);
    expect(row('wasted promotions')).toEqual(['3', '2']);
    expect(row('kpromoted_mig_promoted')).toEqual(['4', '-']);
    expect(row('pgpromote_success')).toEqual(['-', '2']);
    expect(row('numa_pages_migrated')).toEqual(['4', '2']);
    expect(row('window / threshold')).toEqual(['5000 ms / 2', '3000 ms / 2']);
    expect(r.stdout).toContain('10 records from');
  });

  it('defaults to every engine, and --format json has one object per configuration', async () => {
    const r = await runCli(['compare', '--format', 'json', path.join(TRACES, 'spec-worked.csv')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { records: number; results: { label: string; metrics: Record<string, unknown>; counters: Record<string, number> }[] };
    expect(doc.records).toBe(10);
    expect(doc.results.map((c) => c.label)).toEqual(['rfc-v1', 'rfc-v1-fixed', 'pghot']);
    expect(doc.results[0]!.counters['kpromoted_mig_promoted']).toBe(4);
    expect(doc.results[2]!.metrics['latency_p50']).toBeNull();
    expect(doc.results[2]!.counters).not.toHaveProperty('kpromoted_mig_promoted');
  });

  it('reads standard input', async () => {
    const csv = fs.readFileSync(path.join(TRACES, 'spec-worked.csv'), 'utf8');
    const r = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', '-'], { stdin: csv });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nkpromoted_mig_promoted,4\n');
  });

  it('fails on a bad trace line exactly like replay: exit 2, same message, nothing on stdout', async () => {
    const f = path.join(tmp(), 'bad.csv');
    fs.writeFileSync(f, 'pfn,nid,src,time\n0x200000,0,hwhints,1000\n0x200001,0,warm,1001\n');
    const replay = await runCli(['replay', f]);
    const r = await runCli(['compare', '--engine', 'rfc-v1', '--engine', 'pghot', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(replay.stderr);
    expect(r.stderr).toContain(`${f}:3:3 (src)`);
  });

  it('rejects bad configurations with exit 2, quoting the spec and the value', async () => {
    const t = path.join(TRACES, 'spec-worked.csv');
    const cases: [string[], string][] = [
      [['--engine', 'rfc-v1:window=soon'], '--engine "rfc-v1:window=soon": --window must be an integer in [0, 2147483647], got "soon"'],
      [['--engine', 'rfc-v1:colour=red'], '--engine "rfc-v1:colour=red": unknown key "colour"'],
      [['--engine', 'kpromoted'], '--engine "kpromoted": engine must be one of'],
      [['--engine', 'pghot:window=9000'], '--engine "pghot:window=9000": --window must be an integer in [1000, 3968] (vm.pghot_promote_freq_window_ms), got "9000"'],
      [['--hz', 'fast', '--engine', 'rfc-v1'], '--hz must be an integer in [1, 100000], got "fast"'],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['compare', ...args, t]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(msg);
    }
  });

  it('refuses a common option that no configuration uses (exit 2, naming the option and the engines); one some use applies to those', async () => {
    const t = path.join(TRACES, 'spec-worked.csv');
    const cases: [string[], string][] = [
      [['--hash-order', '3', '--engine', 'pghot'], '--hash-order is used by no --engine of this run: "pghot" does not use it (only rfc-v1 and rfc-v1-fixed do): leave it out or add an --engine that uses it'],
      [['--demotion', '--engine', 'pghot', '--engine', 'pghot:precise'], '--demotion is used by no --engine of this run: "pghot", "pghot:precise" do not use it (only rfc-v1 and rfc-v1-fixed do)'],
      [['--default-node', '0', '--engine', 'pghot'], '--default-node is used by no --engine of this run'],
      [['--batch', '128', '--engine', 'rfc-v1', '--engine', 'rfc-v1-fixed'], '--batch is used by no --engine of this run: "rfc-v1", "rfc-v1-fixed" do not use it (only pghot does)'],
      [['--pghot-precise', '--engine', 'rfc-v1'], '--pghot-precise is used by no --engine of this run: "rfc-v1" does not use it (only pghot does)'],
      [['--target-nid', '0', '--engine', 'rfc-v1'], '--target-nid is used by no --engine of this run'],
      [['--rate-limit', '10', '--engine', 'rfc-v1'], '--rate-limit is used by no --engine of this run'],
      [['--sources', '1', '--engine', 'rfc-v1'], '--sources is used by no --engine of this run'],
      // Every configuration that could use it sets its own: the common value would be dropped.
      [['--window', '1000', '--engine', 'rfc-v1:window=2000', '--engine', 'pghot:window=3000'], '--window is used by no --engine of this run: "rfc-v1:window=2000", "pghot:window=3000" set their own: leave it out'],
      [['--hash-order', '3', '--engine', 'rfc-v1:hash-order=5', '--engine', 'pghot'], '--hash-order is used by no --engine of this run: "pghot" does not use it (only rfc-v1 and rfc-v1-fixed do), "rfc-v1:hash-order=5" sets its own: leave it out'],
      [['--hz', '1000', '--engine', 'rfc-v1:hz=250'], '--hz is used by no --engine of this run: "rfc-v1:hz=250" sets its own'],
      [['--topology', '2s-cxl', '--engine', 'rfc-v1:topology=2s-cxl-budget'], '--topology is used by no --engine of this run'],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['compare', ...args, t]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toContain(msg);
    }
    // Used by some configurations: applied to those, no error (pghot takes --batch, rfc-v1 has no use for it).
    for (const args of [
      ['--hash-order', '3', '--engine', 'rfc-v1', '--engine', 'pghot'],
      ['--batch', '128', '--engine', 'rfc-v1', '--engine', 'pghot'],
      ['--window', '1000', '--engine', 'rfc-v1:window=2000', '--engine', 'rfc-v1'],
      ['--hash-order', '3'], // every engine by default
    ]) {
      const r = await runCli(['compare', '--format', 'json', ...args, t]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const both = JSON.parse((await runCli(['compare', '--format', 'json', '--hash-order', '3', '--engine', 'rfc-v1', '--engine', 'rfc-v1:hash-order=5', '--engine', 'pghot', t])).stdout);
    expect(both.results.map((x: { settings: { hash_order?: number } }) => x.settings.hash_order)).toEqual([3, 5, undefined]);
  });

  it('runs from the built binary (smoke)', () => {
    const bin = path.resolve(__dirname, '../../bin/kpromo.js');
    const out = execFileSync('node', [bin, 'compare', '--format', 'csv', '--engine', 'rfc-v1', path.join(TRACES, 'spec-worked.csv')], {
      env: { ...process.env, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(out).toContain('kpromoted_mig_promoted,4\n');
  });
});

describe('kpromo compare and sweep: accesses in no range', () => {
  it('warn once on stderr (the SPEC example has one access at pfn 0x500000, in no range of 2s-cxl)', async () => {
    const spec = path.resolve(__dirname, '../../traces/spec-worked.csv');
    for (const argv of [['compare', spec], ['sweep', '--threshold', '2,3', spec]]) {
      const r = await runCli(argv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(/fell in no pfn range/g)).toHaveLength(1);
      expect(r.stderr).toContain('1 of 10 accesses (10.00%)');
      expect(r.stdout).not.toContain('fell in no pfn range');
    }
  });

  it('say so plainly when no topology was chosen, as replay does (the default preset is then almost never the traced machine)', async () => {
    const spec = path.resolve(__dirname, '../../traces/spec-worked.csv');
    const plain = 'kpromo: no --topology was given, so the default preset 2s-cxl was used: a made-up machine that covers pfn 0x0 .. 0x3fffff\n';
    const chosen = 'kpromo: topology 2s-cxl covers pfn 0x0 .. 0x3fffff\n';
    for (const [argv, defaulted] of [
      [['compare', spec], true],
      [['sweep', '--threshold', '2,3', spec], true],
      [['compare', '--topology', '2s-cxl', spec], false],
      [['sweep', '--topology', '2s-cxl', '--threshold', '2,3', spec], false],
      [['compare', '--engine', 'rfc-v1:topology=2s-cxl', spec], false],
      // one configuration with the preset it names, one without any: the default was used for the second
      [['compare', '--engine', 'rfc-v1:topology=2s-cxl', '--engine', 'pghot', spec], true],
    ] as const) {
      const r = await runCli([...argv]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, argv.join(' ')).toContain(defaulted ? plain : chosen);
      expect(r.stderr, argv.join(' ')).not.toContain(defaulted ? chosen : plain);
    }
  });
});
