/** Help and option consistency: every subcommand's help, its examples (run as printed), lazy command loading. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../src/cli/help.js';
import { COMMANDS, commandOf } from '../../src/cli/main.js';
import { CaptureOut } from '../../src/cli/io.js';
import { runCli } from './run-cli.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');

/** Option lines of a help text, joined with their wrapped continuation lines. */
function optionEntries(help: string): string[] {
  const out: string[] = [];
  for (const line of help.split('\n')) {
    if (/^ {2}-/.test(line)) out.push(line.trim());
    else if (/^ {4,}\S/.test(line) && out.length > 0) out[out.length - 1] += ' ' + line.trim();
  }
  return out;
}

describe('help', () => {
  it('lists every command with the usage and description of the real command, loading only the one that runs', async () => {
    const ctx = { io: { stdout: new CaptureOut(), stderr: new CaptureOut(), stdin: process.stdin, env: {}, onInterrupt: () => () => {} }, color: () => { throw new Error('unused'); }, setExit: () => {} };
    for (const entry of COMMANDS) {
      const real = (await entry.load())(ctx as never);
      expect(real.name()).toBe(entry.name);
      expect(real.usage()).toBe(entry.usage);
      expect(real.description()).toBe(entry.description);
    }
    expect(commandOf(['--no-color', 'replay', 'x.csv'])?.name).toBe('replay');
    expect(commandOf(['help', 'sweep'])?.name).toBe('sweep');
    expect(commandOf(['--version'])).toBeNull();
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(`  ${c.name} ${c.usage}`);
  });

  it('every subcommand ends with 2-3 examples, shows defaults one way, and lists only options it accepts', async () => {
    for (const c of COMMANDS) {
      const r = await runCli([c.name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\nExamples:\n').length, `${c.name}: one Examples block`).toBe(2);
      const tail = r.stdout.slice(r.stdout.lastIndexOf('\nExamples:\n') + 1);
      const examples = tail.split('\n').filter((l) => l.startsWith('  $ '));
      expect(examples.length, c.name).toBeGreaterThanOrEqual(2);
      expect(examples.length, c.name).toBeLessThanOrEqual(3);
      expect(tail.trimEnd().split('\n').slice(1)).toEqual(examples); // the examples end the help
      expect(r.stdout, c.name).not.toMatch(/default: "/); // no quoted defaults
      expect(r.stdout, c.name).not.toMatch(/choices: "/);
      for (const entry of optionEntries(r.stdout)) expect((entry.replace(/^\S+( <[^>]+>)?/, "").match(/\bdefault\b/g) ?? []).length, entry).toBeLessThanOrEqual(1);
    }
    const page = await runCli(['page', '--help']);
    expect(page.stdout).not.toMatch(/--pghot-precise|--target-nid|--rate-limit|--sources|--batch/);
    expect(page.stdout.replace(/\s+/g, ' ')).toContain('(one of: rfc-v1, rfc-v1-fixed; default: rfc-v1)');
    const gen = await runCli(['gen', '--help']);
    expect(gen.stdout).toContain('-o, --output <file>');
    expect(gen.stdout).not.toContain('--out ');
  });

  it('--jobs help of compare and sweep says what the thread rules do (capped with a warning; the load does not decide)', async () => {
    for (const name of ['compare', 'sweep']) {
      const help = (await runCli([name, '--help'])).stdout.replace(/\s+/g, ' ');
      expect(help, name).toContain('at most one per CPU (a larger N runs with one per CPU, with a warning); default: one per CPU when the trace is large enough');
      expect(help, name).not.toMatch(/idle|two per CPU/);
    }
  });

  it('gen -o/--output writes the file; --out stays a hidden alias', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-help-'));
    for (const flag of ['-o', '--output', '--out']) {
      const f = path.join(dir, `t${flag}.csv`);
      const r = await runCli(['gen', '--records', '5', flag, f]);
      expect(r.code, flag).toBe(0);
      expect(fs.readFileSync(f, 'utf8').split('\n')[0]).toBe('pfn,nid,src,time');
    }
  });

  it('runs every example as printed (from a copy of the repository traces)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-examples-'));
    fs.cpSync(path.join(ROOT, 'traces'), path.join(dir, 'traces'), { recursive: true });
    const shim = path.join(dir, 'bin');
    fs.mkdirSync(shim);
    fs.writeFileSync(path.join(shim, 'kpromo'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${shim}:${process.env.PATH}`, NO_COLOR: '1' };
    let ran = 0;
    for (const [name, list] of Object.entries(EXAMPLES)) {
      for (const example of list) {
        // Not run here: examples that read a real machine's /sys or need perf and a perf.data recording.
        if (example.includes('/sys') || example.startsWith('perf ')) continue;
        const r = spawnSync('sh', ['-c', `set -e; ${example}`], { cwd: dir, env, encoding: 'utf8' });
        expect(r.status, `${name}: ${example}\n${r.stderr}`).toBe(0);
        expect(r.stdout.length + (fs.readdirSync(dir).length > 2 ? 1 : 0), example).toBeGreaterThan(0);
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(16);
  });
});

describe('option values and options that do nothing', () => {
  const SPEC = path.join(ROOT, 'traces/spec-worked.csv');
  it.each([
    [['replay', '--threshold', '0', SPEC], '--threshold must be an integer in [1, 2147483647], got "0"'],
    [['replay', '--hz', '0', SPEC], '--hz must be an integer in [1, 100000], got "0"'],
    [['replay', '--bucket', '10', SPEC], '--bucket groups timeline rows: give it with --timeline, --timeline-csv or --report'],
    // numbers as written: no spaces (the check trimmed them, and Number() took the rest)
    [['replay', '--timeline', '--bucket', ' 5', SPEC], '--bucket must be a positive number of seconds, got " 5"'],
    [['replay', '--timeline', '--bucket', '5 ', SPEC], '--bucket must be a positive number of seconds, got "5 "'],
    [['replay', '--events-pfn', 'hex', SPEC], '--events-pfn sets the pfn column of --events: give it with --events FILE'],
    // Typed, the default value too: only the default left alone is no error.
    [['replay', '--events-pfn', 'dec', SPEC], '--events-pfn sets the pfn column of --events: give it with --events FILE'],
    [['replay', '--input', 'csv', '--nid', '0', SPEC], '--nid applies to perf samples: not used with --input csv'],
    [['replay', '--input', 'csv', '--page-size', '4096', '--nid', 'cpu', SPEC], '--nid and --page-size apply to perf samples: not used with --input csv'],
    [['compare', '--input', 'csv', '--page-size', '2M', SPEC], '--page-size applies to perf samples: not used with --input csv'],
    [['sweep', '--input', 'csv', '--nid', 'none', '--threshold', '1,2', SPEC], '--nid applies to perf samples: not used with --input csv'],
    [['page', '--input', 'csv', '--nid', 'none', '0x200000', SPEC], '--nid applies to perf samples: not used with --input csv'],
    [['convert', '--input', 'csv', '--hz', '1000', SPEC], '--hz applies to perf samples: not used with --input csv'],
    [['convert', '--input', 'csv', '--topology', '2s-cxl', '--nid', '0', SPEC], '--topology and --nid apply to perf samples: not used with --input csv'],
    [['replay', '--input', 'perf', '--parser', 'csv-parse', SPEC], '--parser applies to CSV traces: not used with --input perf'],
    [['convert', '--input', 'perf', '--parser', 'fast', SPEC], '--parser applies to CSV traces: not used with --input perf'],
    [['topo', '--list', '--json'], '--list prints the preset names: give it alone (--json)'],
    [['topo', '--list', '2s-cxl'], '--list prints the preset names: give it alone ("2s-cxl")'],
    [['topo', '--json', '--page-size', '8192', '2s-cxl'], '--page-size sizes the memory sections of the table and the pages of --from-sysfs / --from-numactl: not used by --json of a topology'],
    [['topo', '2s-cxl', '--from-numactl', '-'], 'the topology "2s-cxl" and --from-numactl both give the topology: keep one'],
    [['gen', '--phase-records', '10'], '--phase-records applies to --pattern phase, not zipf'],
    [['gen', '--pattern', 'mix', '--phase-records', '10'], '--phase-records applies to --pattern phase, not mix'],
    [['gen', '--pattern', 'phase', '--scan-fraction', '0.5'], '--scan-fraction applies to --pattern mix, not phase'],
    [['gen', '--pattern', 'scan', '--exponent', '2'], '--exponent shapes the hot set of zipf, phase and mix: not used by --pattern scan'],
    [['replay', '--format', 'vmstat', '--analysis', SPEC], '--analysis prints in the table and json formats, not in --format vmstat'],
    [['replay', '--format', 'vmstat', '--timeline', SPEC], '--timeline prints in the table and json formats, not in --format vmstat'],
    [['replay', '--engine', 'rfc-v1', '--pghot-precise', SPEC], '--pghot-precise is not used by --engine rfc-v1 (only by pghot)'],
    [['replay', '--target-nid', '0', SPEC], '--target-nid is not used by --engine rfc-v1 (only by pghot)'],
    [['replay', '--engine', 'pghot', '--demotion', SPEC], '--demotion is not used by --engine pghot (only by rfc-v1 and rfc-v1-fixed)'],
    [['replay', '--engine', 'pghot', '--hash-order', '8', SPEC], '--hash-order is not used by --engine pghot'],
    [['sweep', '--engine', 'rfc-v1', '--rate-limit', '5', '--threshold', '1,2', SPEC], '--rate-limit is not used by --engine rfc-v1'],
    [['replay', '--input', 'csv', '--perf-fields', 'cpu,phys_addr', SPEC], '--perf-fields selects perf samples: not used with --input csv'],
    [['replay', 'no-such-trace.csv'], 'kpromo: no-such-trace.csv: ENOENT: no such file or directory\n'],
  ])('%j is refused with exit 2', async (argv, message) => {
    const r = await runCli(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/:0:/);
  });

  // With --input auto the kind of an input is known only once it is read: perf options typed for a CSV trace are
  // said to have changed nothing, after the run (the counters are the CSV's), never silently dropped.
  const PERF_ONLY = path.join(ROOT, 'test/fixtures/perf/ibs-F-basic.txt');
  it.each([
    [['replay', '--format', 'vmstat', '--nid', '0', SPEC], 'kpromo: warning: --nid applies to perf samples, and the input was CSV: it changed nothing\n'],
    [['replay', '--format', 'vmstat', '--page-size', '2M', '--event', 'x', SPEC, SPEC], 'kpromo: warning: --event and --page-size apply to perf samples, and every input was CSV: they changed nothing\n'],
    [['convert', '-o', '/dev/null', '--hz', '1000', SPEC], 'kpromo: warning: --hz applies to perf samples, and the input was CSV: it changed nothing\n'],
    [['page', '--nid', 'none', '0x200000', SPEC], 'kpromo: warning: --nid applies to perf samples'],
    [['compare', '--engine', 'rfc-v1', '--engine', 'pghot', '--page-size', '4096', SPEC], 'kpromo: warning: --page-size applies to perf samples'],
    [['sweep', '--threshold', '1,2', '--perf-fields', 'cpu,time,event,phys_addr', SPEC], 'kpromo: warning: --perf-fields applies to perf samples'],
  ])('%j runs (exit 0) and says the perf options changed nothing', async (argv, message) => {
    const r = await runCli(argv as string[]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(message);
  });

  it('perf options that a perf input used, or left at their defaults, bring no such warning', async () => {
    for (const argv of [
      ['replay', '--format', 'vmstat', '--nid', '0', SPEC, PERF_ONLY],
      ['replay', '--format', 'vmstat', '--nid', '0', PERF_ONLY],
      ['replay', '--format', 'vmstat', SPEC],
    ]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stderr, argv.join(' ')).not.toMatch(/to perf samples/);
    }
  });

  it('--events-pfn hex writes 0x pfns; the default stays the SPEC decimal form', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-pfn-'));
    const topo = path.join(ROOT, 'traces/spec-worked.topology.json');
    const dec = path.join(dir, 'dec.csv');
    const hex = path.join(dir, 'hex.csv');
    expect((await runCli(['replay', '--topology', topo, '--events', dec, SPEC])).code).toBe(0);
    expect((await runCli(['replay', '--topology', topo, '--events', hex, '--events-pfn', 'hex', SPEC])).code).toBe(0);
    expect(fs.readFileSync(dec, 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'traces/spec-worked.events.csv'), 'utf8'));
    expect(fs.readFileSync(hex, 'utf8').split('\n')[2]).toBe('1250,0,0x200004,2,0,promoted'); // 2097156 = 0x200004
  });

  it('help NAME for no command is refused as `kpromo NAME` is: the name said, exit 2, nothing on stdout', async () => {
    const direct = await runCli(['bogus']);
    const help = await runCli(['help', 'bogus']);
    expect(help.code).toBe(2);
    expect(help.stdout).toBe('');
    expect(help.stderr).toContain("error: unknown command 'bogus'");
    expect(help).toEqual(direct);
    expect((await runCli(['--no-color', 'help', 'replya'])).stderr).toContain('(Did you mean replay?)');
    expect((await runCli(['help', 'replay'])).stdout).toContain('Usage: kpromo replay');
  });
});
