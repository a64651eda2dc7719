import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { earlyParseThreadsTaken } from '../../src/trace/early-worker.js';
import { primesRun } from '../../src/run/prime.js';
import { CSV_PARSE_THREAD_MIN_BYTES, PARSE_THREAD_MIN_BYTES, PRIME_MIN_BYTES } from '../../src/run/replay.js';
import { runCli } from './run-cli.js';

const EX = path.resolve(__dirname, '../../traces');
const TRACES = path.resolve(__dirname, '../../traces');
const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-cli-'));

describe('kpromo replay', () => {
  it('prints the SPEC worked example counters in vmstat format', async () => {
    const r = await runCli(['replay', '--hz', '250', '--format', 'vmstat', path.join(EX, 'spec-worked.csv')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(EX, 'spec-worked.vmstat'), 'utf8'));
    // 0x500000 is in no range of the default preset (SPEC 6): the counters leave it out, stderr says so.
    expect(r.stderr).toContain('kpromo: warning: 1 of 10 accesses (10.00%) fell in no pfn range of topology 2s-cxl (pfn 0x500000 .. 0x500000)');
    expect(r.stderr).toContain('no --topology was given, so the default preset 2s-cxl was used: a made-up machine that covers pfn 0x0 .. 0x3fffff');
    expect(r.stderr).toContain('kpromo topo --from-sysfs /sys > machine.json');
  });

  it('writes --events exactly as the SPEC example, and passes --expect', async () => {
    const dir = tmp();
    const events = path.join(dir, 'ev.csv');
    const r = await runCli([
      'replay', '--format', 'vmstat', '--topology', path.join(EX, 'spec-worked.topology.json'),
      '--events', events, '--expect', path.join(EX, 'spec-worked.vmstat'), path.join(EX, 'spec-worked.csv'),
    ]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(events, 'utf8')).toBe(fs.readFileSync(path.join(EX, 'spec-worked.events.csv'), 'utf8'));
    expect(fs.readdirSync(dir)).toEqual(['ev.csv']); // no temporary file left behind
  });

  it('reads stdin for - and for no trace', async () => {
    const csv = fs.readFileSync(path.join(EX, 'spec-worked.csv'), 'utf8');
    for (const args of [['-'], []]) {
      const r = await runCli(['replay', '--format', 'vmstat', ...args], { stdin: csv });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('kpromoted_mig_promoted 4\n');
    }
  });

  it('reports each differing counter and exits 1 on a golden mismatch', async () => {
    const dir = tmp();
    const golden = path.join(dir, 'g.vmstat');
    fs.writeFileSync(golden, 'kpromoted_mig_promoted 3\nkpromoted_record_added 5\nnuma_pages_migrated 9\n');
    const r = await runCli(['replay', '--format', 'vmstat', '--expect', golden, path.join(EX, 'spec-worked.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kpromoted_mig_promoted\s+expected 3, got 4/);
    expect(r.stderr).toMatch(/numa_pages_migrated\s+expected 9, got 4/);
    expect(r.stderr).not.toContain('record_added');
  });

  it('refuses a --bucket too large for a number (400 digits), quoting it, rather than taking Infinity', async () => {
    const huge = '9'.repeat(400);
    const r = await runCli(['replay', '--timeline', '--bucket', huge, path.join(EX, 'spec-worked.csv')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`--bucket must be a positive number of seconds, got "${huge}"`);
    expect(r.stderr).not.toContain('got null');
  });

  it('rejects a golden naming an unknown counter with exit 2 before replaying', async () => {
    const dir = tmp();
    const golden = path.join(dir, 'g.vmstat');
    fs.writeFileSync(golden, 'kpromoted_mig_promoted 4\nkpromoted_bogus 1\n');
    const r = await runCli(['replay', '--format', 'vmstat', '--expect', golden, path.join(EX, 'spec-worked.csv')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${golden}:2:1: bad golden: unknown counter "kpromoted_bogus"`);
  });

  it('a demotion counter in a golden of a run without --demotion is a bad golden, not "got NaN"', async () => {
    const dir = tmp();
    const golden = path.join(dir, 'd.vmstat');
    fs.writeFileSync(golden, 'kpromoted_mig_promoted 4\npgdemote_kswapd 0\n');
    const trace = path.join(EX, 'spec-worked.csv');
    const r = await runCli(['replay', '--format', 'vmstat', '--expect', golden, trace]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${golden}:2:1: bad golden: unknown counter "pgdemote_kswapd": the demotion counters exist only in a run with --demotion`);
    expect(r.stderr).not.toContain('NaN');
    // With --demotion the same golden is read (and compared).
    const on = await runCli(['replay', '--format', 'vmstat', '--demotion', '--expect', golden, trace]);
    expect(on.stderr).not.toContain('bad golden');
    expect(on.code).toBe(0);
  });

  it('rejects golden values a counter cannot hold exactly, and a golden that names no counter, with exit 2', async () => {
    const dir = tmp();
    const trace = path.join(EX, 'spec-worked.csv');
    const cases: [string, string][] = [
      // 2^64 + 1 would be compared as 18446744073709552000, 2^53 + 1 as 2^53: refused as written, with its column.
      ['kpromoted_recorded_accesses 18446744073709551617\n', ':1:29: bad golden: value of kpromoted_recorded_accesses is more than a counter holds exactly (2^53 - 1 = 9007199254740991): "18446744073709551617"'],
      ['# c\n  numa_pages_migrated\t9007199254740993\n', ':2:23: bad golden: value of numa_pages_migrated is more than a counter holds exactly'],
      ['numa_pages_migrated 4x\n', ':1:21: bad golden: value of numa_pages_migrated is not a non-negative integer: "4x"'],
      ['', ': bad golden: names no counter, so it would pass against any replay'],
      ['# only a comment\n\n', ': bad golden: names no counter'],
    ];
    for (const [i, [text, msg]] of cases.entries()) {
      const golden = path.join(dir, `g${i}.vmstat`);
      fs.writeFileSync(golden, text);
      const r = await runCli(['replay', '--format', 'vmstat', '--expect', golden, trace]);
      expect(r.code, text).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, text).toContain(`${golden}${msg}`);
    }
    // 2^53 - 1 is held exactly: a mismatch (exit 1), not a bad golden.
    const ok = path.join(dir, 'max.vmstat');
    fs.writeFileSync(ok, 'numa_pages_migrated 9007199254740991\n');
    const r = await runCli(['replay', '--format', 'vmstat', '--expect', ok, trace]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('numa_pages_migrated  expected 9007199254740991, got 4');
  });

  it('fails bad input with file, line, column and text, exit 2 and nothing on stdout', async () => {
    const dir = tmp();
    const trace = path.join(dir, 't.csv');
    fs.writeFileSync(trace, 'pfn,nid,src,time\n0x200000,0,hwhints,1\n# c\n0x200001,0,hwhints,1x\n');
    const r = await runCli(['replay', '--format', 'vmstat', trace]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${trace}:4:4 (time)`);
    expect(r.stderr).toContain('"1x"');
  });

  it('does not leave an events file behind when the input is bad', async () => {
    const dir = tmp();
    const trace = path.join(dir, 't.csv');
    fs.writeFileSync(trace, '0x200000,0,hwhints,1\nbad\n');
    const r = await runCli(['replay', '--events', path.join(dir, 'e.csv'), trace]);
    expect(r.code).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['t.csv']);
  });

  it('quotes bad option values and exits 2', async () => {
    const r = await runCli(['replay', '--hz', 'fast', path.join(EX, 'spec-worked.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--hz must be an integer');
    expect(r.stderr).toContain('"fast"');
    const r2 = await runCli(['replay', '--format', 'xml', path.join(EX, 'spec-worked.csv')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('xml');
    const r3 = await runCli(['replay', '--topology', 'no-such-topology', path.join(EX, 'spec-worked.csv')]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('no-such-topology');
  });

  it('prints json with counters and a summary', async () => {
    const r = await runCli(['replay', '--format', 'json', path.join(TRACES, 'numa-no-node.csv'), '--topology', path.join(TRACES, 'numa-no-node.topology.json')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.engine).toBe('rfc-v1');
    expect(doc.counters.kpromoted_mig_promoted).toBe(1);
    expect(doc.summary.unexamined).toEqual([{ hot_node: 1, records: 4 }]);
    expect(doc.summary.tracked).toBe(4);
  });

  it('prints a table with a warning about records no daemon examines, without colour when not a TTY', async () => {
    const r = await runCli(['replay', path.join(TRACES, 'numa-no-node.csv'), '--topology', path.join(TRACES, 'numa-no-node.topology.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kpromoted_mig_promoted\s+│\s+1 │/);
    expect(r.stdout).toMatch(/records never examined\s+│ 4/);
    expect(r.stdout).toContain('warning: 4 records with hot_node 1 will never be examined: node 1 has no CPUs');
    expect(r.stdout).not.toContain('\x1b[');
    const colored = await runCli(['--color', 'replay', path.join(EX, 'spec-worked.csv')]);
    expect(colored.stdout).toContain('\x1b[');
    const noColor = await runCli(['replay', path.join(EX, 'spec-worked.csv')], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\x1b[');
  });

  it('on Ctrl-C prints partial counters to stderr and exits 130', async () => {
    let fire: () => void = () => {};
    const lines = ['pfn,nid,src,time\n', '0x200000,0,hwhints,1\n0x200001,0,hwhints,2\n', '0x200002,0,hwhints,3\n'];
    const stdin = Readable.from(
      (async function* () {
        yield Buffer.from(lines[0]! + lines[1]!);
        await new Promise((r) => setTimeout(r, 10));
        fire();
        yield Buffer.from(lines[2]!);
      })(),
    );
    const r = await runCli(['replay', '--format', 'vmstat', '-'], { stdin, interrupt: (f) => (fire = f) });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/interrupted after 2 records/);
    expect(r.stderr).toContain('kpromoted_recorded_accesses 2\n');
  });

  it('gives the same counters and events with the parser on a second thread', async () => {
    const dir = tmp();
    const trace = path.join(dir, 't.csv');
    expect((await runCli(['gen', '--pages', '3000', '--records', '200000', '--duration', '30', '-o', trace])).code).toBe(0);
    const out: string[] = [];
    // 200 k records: a plain CSV file of 2-32 MiB, which auto parses on this thread after a prime (run/replay.ts replayPlan()).
    expect(fs.statSync(trace).size).toBeGreaterThanOrEqual(PRIME_MIN_BYTES);
    expect(fs.statSync(trace).size).toBeLessThan(CSV_PARSE_THREAD_MIN_BYTES);
    for (const mode of ['off', 'on', 'auto']) {
      const ev = path.join(dir, `e-${mode}.csv`);
      const taken = earlyParseThreadsTaken();
      const primes = primesRun();
      const r = await runCli(['replay', '--parse-thread', mode, '--topology', '2s-cxl-budget', '--format', 'json', '--events', ev, trace]);
      expect(r.code).toBe(0);
      // The command started the parse thread as soon as its options were read (trace/early-worker.ts).
      expect(earlyParseThreadsTaken() - taken, `threads started early and taken, --parse-thread ${mode}`).toBe(mode === 'on' ? 1 : 0);
      expect(primesRun() - primes, `V8 primed, --parse-thread ${mode}`).toBe(1);
      out.push(JSON.stringify(JSON.parse(r.stdout).counters) + fs.readFileSync(ev, 'utf8'));
    }
    expect(out[1]).toBe(out[0]);
    expect(out[2]).toBe(out[0]);
  });

  it('reads a gzip file of 4 MiB or more without a parse thread under auto (by name or by magic bytes), with the counters and events of a threaded read', async () => {
    const dir = tmp();
    const trace = path.join(dir, 't.csv');
    expect((await runCli(['gen', '--pages', '3000', '--records', '200000', '--duration', '30', '-o', trace])).code).toBe(0);
    // Stored, not compressed (level 0): a gzip file above the parse thread's size, whatever its name.
    const gz = gzipSync(fs.readFileSync(trace), { level: 0 });
    expect(gz.length).toBeGreaterThanOrEqual(PARSE_THREAD_MIN_BYTES);
    const out: string[] = [];
    for (const [mode, name] of [['on', 't.csv.gz'], ['auto', 't.csv.gz'], ['auto', 'gzip-by-magic.csv']] as const) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, gz);
      const ev = path.join(dir, `e-${mode}-${name}.csv`);
      const taken = earlyParseThreadsTaken();
      const r = await runCli(['replay', '--parse-thread', mode, '--topology', '2s-cxl-budget', '--format', 'json', '--events', ev, file]);
      expect(r.code).toBe(0);
      expect(earlyParseThreadsTaken() - taken, `threads started early and taken, --parse-thread ${mode} ${name}`).toBe(mode === 'on' ? 1 : 0);
      out.push(JSON.stringify(JSON.parse(r.stdout).counters) + fs.readFileSync(ev, 'utf8'));
    }
    expect(out[0]).toContain('kpromoted_recorded_accesses');
    expect(out[1]).toBe(out[0]);
    expect(out[2]).toBe(out[0]);
  });

  it('ends at once with its usage error when it fails after starting its parse thread (a bad golden file)', () => {
    const dir = tmp();
    const golden = path.join(dir, 'golden.vmstat');
    fs.writeFileSync(golden, 'kpromoted_no_such_counter 1\n');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'replay', '--parse-thread', 'on', '--expect', golden, path.join(ROOT, 'traces/spec-worked.csv')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.signal, 'killed by the timeout: the waiting parse thread kept the process alive').toBeNull();
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/kpromoted_no_such_counter/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('kpromo replay: accesses ignored without a counter (issue 8 section 2)', () => {
  // 0x200000, 0x200001 (node 2, CXL) are tracked; 0x400000 and 0x7fffff are in no range of 2s-cxl; 0x1 is top tier.
  const csv = 'pfn,nid,src,time\n0x200000,0,0,10\n0x400000,0,0,11\n0x1,0,0,12\n0x7fffff,0,0,13\n0x200001,0,0,14\n';

  it('table: counts them with share and pfn bounds; stderr warns, naming the explicit topology without blaming a default', async () => {
    const r = await runCli(['replay', '--topology', '2s-cxl', '-'], { stdin: csv });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/accesses ignored \(no counter\) │ 2 /);
    expect(r.stdout).toMatch(/in no pfn range +│ 2 \(40\.00%\), pfn 0x400000 \.\. 0x7fffff/);
    expect(r.stderr).toContain('2 of 5 accesses (40.00%) fell in no pfn range of topology 2s-cxl (pfn 0x400000 .. 0x7fffff)');
    expect(r.stderr).toContain('kpromo: topology 2s-cxl covers pfn 0x0 .. 0x3fffff');
    expect(r.stderr).not.toContain('no --topology was given');
  });

  it('json: summary.ignored by reason and ignored_total; vmstat counters unchanged', async () => {
    const r = await runCli(['replay', '--format', 'json', '-'], { stdin: csv });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.ignored).toEqual([
      { reason: 'no_range', accesses: 2, share: 0.4, lowest_pfn: 0x400000, highest_pfn: 0x7fffff },
      { reason: 'nonlru', accesses: 0, share: 0, lowest_pfn: null, highest_pfn: null },
      { reason: 'device', accesses: 0, share: 0, lowest_pfn: null, highest_pfn: null },
    ]);
    expect(doc.summary.ignored_total).toBe(2);
    expect(doc.counters.kpromoted_recorded_accesses).toBe(5);
    expect(doc.counters.kpromoted_record_toptier).toBe(1);
    expect(doc.counters.kpromoted_record_added).toBe(2);
    expect(r.stderr).toContain('no --topology was given, so the default preset 2s-cxl was used');
  });

  it('--analysis shows them; --expect compares counters only and still warns', async () => {
    const dir = tmp();
    const golden = path.join(dir, 'g.vmstat');
    fs.writeFileSync(golden, 'kpromoted_recorded_accesses 5\nkpromoted_record_added 2\n');
    const r = await runCli(['replay', '--analysis', '--expect', golden, '-'], { stdin: csv });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/accesses ignored \(no range \/ non-LRU \/ device\) │ no_range 2 \(40\.00%\)/);
    expect(r.stderr).toContain('fell in no pfn range');
  });

  it('no warning when every access is in a range', async () => {
    const r = await runCli(['replay', '-'], { stdin: 'pfn,nid,src,time\n0x200000,0,0,10\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/accesses ignored \(no counter\) │ 0 /);
  });
});

describe('record times near 2^53', () => {
  it('a final migrate pass past 2^53 - 1 is exit 2, nothing on stdout (it ran at a rounded time: 2^53 + 1 shown as 2^53)', async () => {
    const trace = 'pfn,nid,src,time\n0x200000,0,hwhints,9007199254740990\n0x200000,0,hwhints,9007199254740990\n';
    for (const cmd of [['replay', '--events', '-'], ['page', '0x200000'], ['compare', '--engine', 'rfc-v1', '--engine', 'rfc-v1-fixed']]) {
      const r = await runCli([...cmd, '--hz', '1000', '--period', '3', '-'], { stdin: trace });
      expect(r.code, cmd[0]).toBe(2);
      expect(r.stdout, cmd[0]).toBe('');
      expect(r.stderr, cmd[0]).toMatch(/^kpromo: a record time above 9007199254740988 puts the final migrate pass \(every 3 jiffies\) past 2\^53 - 1/);
    }
    const ok = await runCli(['replay', '--events', '-', '--hz', '1000', '--period', '3', '-'], { stdin: trace.replaceAll('9007199254740990', '9007199254740988') });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('time,node,pfn,from,to,outcome\n9007199254740991,0,2097152,2,0,promoted\n');
  });
});
