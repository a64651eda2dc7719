import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../trace/perf-gen.js';
import { runCli } from './run-cli.js';

const FIX = path.resolve(__dirname, '../fixtures/perf');
const fx = (name: string): string => path.join(FIX, name);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-perf-'));
const counter = (vmstat: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(vmstat)![1]);
const IBS_F = 'comm,pid,tid,cpu,time,event,addr,phys_addr';

// Records each fixture gives at HZ 250 on 2s-cxl with --nid cpu (derived by hand in test/trace/perf-read.test.ts):
// the IBS files 4 (S3 cpu 20 in no node, S4 phys 0), Intel 2 (one phys 0, one cycles), Intel without phys_addr 0.
const EXPECTED_RECORDS: Record<string, number> = {
  'ibs-F-basic.txt': 4, 'ibs-F-full.txt': 4, 'ibs-F-ns.txt': 4, 'ibs-F-oldpid.txt': 4, 'ibs-F-oldpid-full.txt': 4,
  'ibs-F-minimal.txt': 4, 'ibs-two-events.txt': 4, 'intel-default.txt': 2, 'intel-default-nophys.txt': 0,
};

describe('perf input: replay equals replaying the converted CSV', () => {
  for (const f of fixtures()) {
    // ibs-F-minimal.txt cannot be detected (cpu,time,addr prints the same text): it needs its -F list.
    const extra = f.name === 'ibs-F-minimal.txt' ? ['--perf-fields', f.perfFields!] : [];
    for (const engine of ['rfc-v1', 'pghot']) {
      it(`${f.name} (${engine})`, async () => {
        const direct = await runCli(['replay', '--engine', engine, '--format', 'vmstat', ...extra, fx(f.name)]);
        expect(direct.code).toBe(0);
        // Every perf sample is a hardware hint (src 0).
        expect(counter(direct.stdout, engine === 'pghot' ? 'pghot_recorded_hwhints' : 'kpromoted_recorded_accesses')).toBe(EXPECTED_RECORDS[f.name]);
        const conv = await runCli(['convert', ...extra, fx(f.name)]);
        expect(conv.code).toBe(0);
        expect(conv.stdout.split('\n')[0]).toBe('pfn,nid,src,time');
        expect(conv.stdout.split('\n').length - 2).toBe(EXPECTED_RECORDS[f.name]);
        const replayed = await runCli(['replay', '--engine', engine, '--format', 'vmstat', '-'], { stdin: conv.stdout });
        expect(replayed.code).toBe(0);
        expect(replayed.stdout).toBe(direct.stdout);
      });
    }
  }
});

describe('perf input: detection and options', () => {
  it('auto-detection, --input perf and --perf-fields give the same counters', async () => {
    const auto = await runCli(['replay', '--format', 'vmstat', fx('ibs-F-full.txt')]);
    const forced = await runCli(['replay', '--format', 'vmstat', '--input', 'perf', fx('ibs-F-full.txt')]);
    const exact = await runCli(['replay', '--format', 'vmstat', '--perf-fields', 'comm,pid,tid,cpu,time,event,addr,data_src,weight,ip,sym,phys_addr', fx('ibs-F-full.txt')]);
    expect(auto.code + forced.code + exact.code).toBe(0);
    expect(counter(auto.stdout, 'kpromoted_recorded_accesses')).toBe(4);
    expect(forced.stdout).toBe(auto.stdout);
    expect(exact.stdout).toBe(auto.stdout);
  });

  it('reads perf text from stdin (- and no argument)', async () => {
    const text = fs.readFileSync(fx('ibs-F-basic.txt'), 'utf8');
    const file = await runCli(['replay', '--format', 'vmstat', fx('ibs-F-basic.txt')]);
    for (const args of [['-'], []]) {
      const r = await runCli(['replay', '--format', 'vmstat', ...args], { stdin: text });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(file.stdout);
    }
  });

  it('--nid none, 0 and cpu set the nid column', async () => {
    const nids = async (mode: string) => {
      const r = await runCli(['convert', '--nid', mode, fx('ibs-F-basic.txt')]);
      expect(r.code).toBe(0);
      return r.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    };
    // cpu: S1 cpu 3 -> 0, S2 cpu 12, S5 cpu 8, S6 cpu 15 -> 1; S3 (cpu 20) and S4 (phys 0) give none.
    expect(await nids('cpu')).toEqual(['0', '1', '1', '1']);
    // none / 0: S3 counts too (a CPU in no node matters only for --nid cpu).
    expect(await nids('none')).toEqual(['-1', '-1', '-1', '-1', '-1']);
    expect(await nids('0')).toEqual(['0', '0', '0', '0', '0']);
    const bad = await runCli(['convert', '--nid', 'two', fx('ibs-F-basic.txt')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"two"');
  });

  it('--event keeps only the named events (comma list; commas inside /.../ terms stay)', async () => {
    const r = await runCli(['convert', '--event', 'cpu/mem-stores/P,cpu/mem-loads,ldlat=30/P', fx('intel-default.txt')]);
    expect(r.code).toBe(0);
    // I1 load cpu 1 -> node 0, phys 0x44e96a308 -> pfn 0x44e96a; I2 store cpu 9 -> node 1, pfn 0xcfb52b; both at
    // 544966.88238x s -> 4294892296 + floor(136241720.59x) = 4431134016; I3 phys 0; cycles:P is other_event.
    expect(r.stdout).toBe('pfn,nid,src,time\n0x44e96a,0,hwhints,4431134016\n0xcfb52b,1,hwhints,4431134016\n');
    expect(r.stderr).toContain('phys_addr_zero 1, other_event 1');
    const stores = await runCli(['convert', '--event', 'cpu/mem-stores/P', fx('intel-default.txt')]);
    expect(stores.stdout).toBe('pfn,nid,src,time\n0xcfb52b,1,hwhints,4431134016\n');
    expect(stores.stderr).toContain('other_event 3');
  });

  it('--events FILE works with perf input: same events as the converted CSV', async () => {
    const dir = tmp();
    const a = path.join(dir, 'a.csv');
    const b = path.join(dir, 'b.csv');
    // Page 0x20000a (node 2, CXL) accessed 3 times from cpu 3 (node 0) within a window, then a late sample
    // so passes run: kpromoted0 examines the record (a candidate for promotion to node 0). A hex letter in
    // phys_addr keeps the shape detectable (all-decimal could be a weight).
    const line = fs.readFileSync(fx('ibs-F-basic.txt'), 'utf8').split('\n')[0]!;
    const at = (t: string) => line.replace('1234.567890', t).replace('8a5398920', '20000a000') + '\n';
    const perf = path.join(dir, 'hot.txt');
    fs.writeFileSync(perf, at('1234.600000') + at('1234.700000') + at('1234.800000') + at('1240.000000'));
    const r1 = await runCli(['replay', '--format', 'vmstat', '--events', a, perf]);
    expect(r1.code).toBe(0);
    expect(counter(r1.stdout, 'kpromoted_recorded_accesses')).toBe(4);
    const conv = await runCli(['convert', perf]);
    const r2 = await runCli(['replay', '--format', 'vmstat', '--events', b, '-'], { stdin: conv.stdout });
    expect(r2.stdout).toBe(r1.stdout);
    const events = fs.readFileSync(a, 'utf8');
    expect(events.split('\n')[0]).toBe('time,node,pfn,from,to,outcome');
    expect(events).toMatch(/^\d+,0,2097162,2,0,\w+$/m); // pfn 0x20000a
    expect(fs.readFileSync(b, 'utf8')).toBe(events);
  });

  it('shows samples skipped by reason in the table and in json', async () => {
    const table = await runCli(['replay', fx('ibs-two-events.txt')]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/samples skipped by reason\s*│ phys_addr_zero 1, cpu_not_in_topology 1, other_event 1/);
    const json = await runCli(['replay', '--format', 'json', fx('ibs-two-events.txt')]);
    const doc = JSON.parse(json.stdout) as { input: { records: number; formats: string[]; perf: { skipped_by_reason: Record<string, number>; events: Record<string, number> } } };
    expect(doc.input.records).toBe(4);
    expect(doc.input.formats).toEqual(['perf']);
    expect(doc.input.perf.skipped_by_reason).toEqual({ phys_addr_zero: 1, phys_addr_missing: 0, cpu_not_in_topology: 1, other_event: 1, bad_line: 0 });
    expect(doc.input.perf.events).toEqual({ 'ibs_op//': 6, 'ibs_fetch//': 1 });
  });
});

describe('perf input: Ctrl-C', () => {
  it('stops a perf replay between chunks: exit 130, partial counters on stderr, nothing on stdout', async () => {
    const text = fs.readFileSync(fx('ibs-F-basic.txt'), 'utf8');
    let fire: () => void = () => {};
    let n = 0;
    const stdin = Readable.from((function* () {
      for (let i = 0; i < 1000; i++) {
        if (++n === 3) fire();
        yield Buffer.from(text);
      }
    })());
    const r = await runCli(['replay', '--format', 'vmstat', '-'], { stdin, interrupt: (f) => (fire = f) });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('interrupted after');
    expect(n).toBeLessThan(1000);
  });
});

describe('perf input: bad lines', () => {
  const good = fs.readFileSync(fx('ibs-F-basic.txt'), 'utf8').split('\n');
  const withBad = [good[0], 'garbage line', good[1], good[2], '          stream    4242/4242    [003]  oops: ibs_op//:', ...good.slice(3)].join('\n');

  it('a bad perf line is exit 2 naming file:line, with nothing on stdout', async () => {
    const dir = tmp();
    const f = path.join(dir, 'bad.txt');
    fs.writeFileSync(f, withBad);
    for (const args of [[], ['--input', 'perf'], ['--perf-fields', IBS_F]]) {
      const r = await runCli(['replay', '--format', 'vmstat', ...args, f]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${f}:2`);
      expect(r.stderr).toContain('garbage line');
    }
  });

  it('--skip-bad skips them, lists their line numbers on stderr and exits 0', async () => {
    const r = await runCli(['replay', '--format', 'vmstat', '--skip-bad', '--perf-fields', IBS_F, '-'], { stdin: withBad });
    expect(r.code).toBe(0);
    expect(counter(r.stdout, 'kpromoted_recorded_accesses')).toBe(4);
    expect(r.stderr).toContain('kpromo: skipped 2 bad lines');
    expect(r.stderr).toContain('-:2: ');
    expect(r.stderr).toContain('-:5: ');
    expect(r.stderr).toContain('"garbage line"');
  });

  it('--skip-bad works for CSV too', async () => {
    const csv = 'pfn,nid,src,time\n1,0,0,1\n2,0,nope,2\n3,0,0\n4,0,0,4\n';
    const strict = await runCli(['replay', '--format', 'vmstat', '-'], { stdin: csv });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toContain('-:3:3 (src)');
    const r = await runCli(['replay', '--format', 'vmstat', '--skip-bad', '-'], { stdin: csv });
    expect(r.code).toBe(0);
    expect(counter(r.stdout, 'kpromoted_recorded_accesses')).toBe(2);
    expect(r.stderr).toContain('kpromo: skipped 2 bad lines');
    expect(r.stderr).toContain('-:3: unknown source name');
    expect(r.stderr).toContain('-:4: expected 4 fields, found 3');
    const json = await runCli(['replay', '--format', 'json', '--skip-bad', '-'], { stdin: csv });
    const doc = JSON.parse(json.stdout) as { input: { skipped: number; bad_lines_by_reason: Record<string, number> } };
    expect(doc.input.skipped).toBe(2);
    expect(doc.input.bad_lines_by_reason).toEqual({ 'unknown source name': 1, 'expected 4 fields, found 3': 1 });
  });

  it('option values are checked and quoted', async () => {
    for (const [args, quoted] of [
      [['--page-size', '3K'], '"3K"'],
      // integer values are digits as written: no spaces, as every other option's
      [['--page-size', ' 4096'], '" 4096"'],
      [['--page-size', '4096 '], '"4096 "'],
      [['--page-size', '4 K'], '"4 K"'],
      [['--nid', ' 0'], '" 0"'],
      [['--nid', '0 '], '"0 "'],
      [['--perf-fields', 'comm,bogus'], '"bogus"'],
      [['--nid', '9'], 'no node 9'],
      [['--input', 'xml'], 'xml'],
    ] as const) {
      const r = await runCli(['replay', ...args, fx('ibs-F-basic.txt')]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(quoted);
    }
  });

  it('--page-size accepts K, M and G forms', async () => {
    const a = await runCli(['convert', '--page-size', '2M', fx('ibs-F-basic.txt')]);
    const b = await runCli(['convert', '--page-size', '2097152', fx('ibs-F-basic.txt')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    // 0x8a5398920 >> 21 = 0x4529
    expect(a.stdout.split('\n')[1]).toBe('0x4529,0,hwhints,4295200937');
  });
});

describe('several perf text files', () => {
  it('replay of a perf file cut in three (each read in blocks, with a parse thread) gives the counters, events and stats of the whole', async () => {
    const { PerfLinePrinter } = await import('../../bench/perf-trace.js');
    const d = tmp();
    // 150 k records over 2s-cxl (`kpromo gen`), printed as perf prints IBS samples: 14 MB, blocks of 1 MiB.
    const csvFile = path.join(d, 'trace.csv');
    expect((await runCli(['gen', '--records', '150000', '--pages', '60000', '-o', csvFile])).code).toBe(0);
    let text = '';
    const printer = new PerfLinePrinter((chunk) => (text += chunk));
    const { readTraces } = await import('../../src/trace/read.js');
    await readTraces([{ name: csvFile }], printer);
    printer.flush();
    const lines = text.split(/(?<=\n)/);
    const cut = [0, 40000, 95000, lines.length];
    const parts = [0, 1, 2].map((k) => {
      const p = path.join(d, `part${k}.txt`);
      fs.writeFileSync(p, lines.slice(cut[k], cut[k + 1]).join(''));
      return p;
    });
    const whole = path.join(d, 'whole.txt');
    fs.writeFileSync(whole, text);
    const run = async (files: string[], events: string) => {
      const r = await runCli(['replay', '--parse-thread', 'on', '--format', 'json', '--events', events, ...files]);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as Record<string, unknown>;
      delete j.traces;
      return { json: j, events: fs.readFileSync(events, 'utf8') };
    };
    const one = await run([whole], path.join(d, 'e1.csv'));
    const three = await run(parts, path.join(d, 'e3.csv'));
    // The same but for the files read.
    const input = three.json.input as { files: number; formats: string[]; perf: { files?: number } };
    expect(input.files).toBe(3);
    expect(input.formats).toEqual(['perf', 'perf', 'perf']);
    input.files = 1;
    input.formats = ['perf'];
    if (input.perf.files !== undefined) {
      expect(input.perf.files).toBe(3);
      input.perf.files = 1;
    }
    expect(three.json).toEqual(one.json);
    expect(three.events).toBe(one.events);
    expect(JSON.stringify(three.json)).toMatch(/"samples":150000/);
    // And the counters of the CSV it was printed from, but for the sources (every perf sample is a hardware hint).
    const bySource = (vmstat: string) => vmstat.replace(/^kpromoted_recorded_(hwhints|pgtscans) \d+\n/gm, '');
    const fromCsv = await runCli(['replay', '--format', 'vmstat', csvFile]);
    const fromParts = await runCli(['replay', '--parse-thread', 'on', '--format', 'vmstat', ...parts]);
    expect(counter(fromParts.stdout, 'kpromoted_recorded_hwhints')).toBe(150000);
    expect(bySource(fromParts.stdout)).toBe(bySource(fromCsv.stdout));
  }, 60_000);
});
