/**
 * kpromo on real `perf script` output (test/fixtures/perf/real/): auto-detection, --perf-fields and
 * the converted CSV give the same counters; gzip by content on any input; a FIFO read once; bounded
 * lines; what is assumed or skipped is said on stderr.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REAL_DIR, REAL_FIXTURES, realGz, realText } from '../trace/perf-real.js';
import { runCli } from './run-cli.js';

const TOPO = path.join(REAL_DIR, 'box-2tier.topology.json');
const fx = (name: string): string => path.join(REAL_DIR, name);
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-perf-real-'));
const counter = (vmstat: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(vmstat)![1]);
const replay = (args: string[], stdin?: string | Readable) =>
  runCli(['replay', '--topology', TOPO, '--format', 'vmstat', ...args], stdin !== undefined ? { stdin } : {});

// The five lists of issue 8's "done when" (with sym, with --ns, the minimal cpu,time,phys_addr, with
// period, zeros first) and the rest of the fixtures.
describe('real perf output: auto-detection = --perf-fields = the converted CSV', () => {
  for (const f of REAL_FIXTURES) {
    it(`${f.name} (-F ${f.fields}${f.ns ? ' --ns' : ''})`, async () => {
      const ev = f.event ? ['--event', 'page-faults'] : [];
      const auto = await replay([...ev, fx(f.name)]);
      expect(auto.stderr).not.toMatch(/gave no access record/);
      expect(auto.code).toBe(0);
      const exact = await replay([...ev, '--perf-fields', f.fields!, fx(f.name)]);
      expect(exact.code).toBe(0);
      expect(exact.stdout).toBe(auto.stdout);
      expect(exact.stderr).toBe(''); // nothing assumed
      const conv = await runCli(['convert', '--topology', TOPO, ...ev, fx(f.name)]);
      expect(conv.code).toBe(0);
      const csv = await replay(['-'], conv.stdout);
      expect(csv.code).toBe(0);
      expect(csv.stdout).toBe(auto.stdout);
      // Some copy-on-write pages are on the slow node (pfn >= 0x1b0000) and accessed twice: promoted.
      expect(counter(auto.stdout, 'kpromoted_recorded_accesses')).toBe(f.name.startsWith('zeros-first') ? 5996 : 4018);
      expect(counter(auto.stdout, 'numa_pages_migrated')).toBeGreaterThan(0);
    });
  }

  it('the minimal list: stderr says phys_addr was assumed from the topology and how to say it', async () => {
    const r = await replay([fx('minimal.txt.gz')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^kpromo: .*minimal\.txt\.gz: perf fields: -F cpu,time,phys_addr and -F cpu,time,addr print the same text.*read as phys_addr.*box-2tier.*To say so: --perf-fields cpu,time,phys_addr\n$/);
  });

  it("the README's command on a dump that starts with 3000 zeros, through stdin", async () => {
    const r = await replay(['--event', 'page-faults', '-'], realText('zeros-first.txt.gz'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(counter(r.stdout, 'kpromoted_recorded_accesses')).toBe(5996);
  });
});

describe('everything skipped: a warning that says why and how to fix it', () => {
  it('other events: the names seen and --event', async () => {
    const r = await replay([fx('readme.txt.gz')]);
    expect(r.code).toBe(0);
    expect(counter(r.stdout, 'kpromoted_recorded_accesses')).toBe(0);
    expect(r.stderr).toMatch(/8636 of 8636 perf samples \(100 %\) gave no access record: 8636 \(100 %\) are samples of events kpromo does not keep \(events seen: page-faults 8636\).*To keep them: --event page-faults/);
  });

  it('no phys_addr (plain perf script): record with --phys-data, print phys_addr', async () => {
    const r = await replay(['--event', 'page-faults', fx('default.txt.gz')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/have no phys_addr .*perf record -d --phys-data .*perf script -F comm,pid,tid,cpu,time,event,addr,phys_addr/);
  });

  it('phys_addr 0 only (the first 3000 lines of the zeros-first dump)', async () => {
    const text = realText('zeros-first.txt.gz').split('\n').slice(0, 3000).join('\n') + '\n';
    const r = await replay(['--event', 'page-faults', '--perf-fields', 'comm,pid,tid,cpu,time,event,addr,phys_addr', '-'], text);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/3000 \(100 %\) have phys_addr 0 .*--phys-data/);
  });

  it('no warning when records are made (convert too)', async () => {
    const r = await runCli(['convert', '--topology', TOPO, '--event', 'page-faults', fx('readme.txt.gz')]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/gave no access record/);
  });
});

describe('perf text without a time field', () => {
  it('is recognised as perf and refused with the perf message, not read as CSV', async () => {
    const r = await replay([fx('no-time.txt.gz')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no-time\.txt\.gz:1 \(time\): no time field .*keep time in perf script -F/);
    expect(r.stderr).not.toMatch(/expected 4 fields/);
  });
});

describe('gzip by its magic bytes, on any input', () => {
  it('cat t.csv.gz | kpromo replay -', async () => {
    const conv = await runCli(['convert', '--topology', TOPO, '--event', 'page-faults', fx('readme.txt.gz')]);
    const plain = await replay(['-'], conv.stdout);
    const gz = await replay(['-'], Readable.from([gzipSync(conv.stdout)]));
    expect(gz.code).toBe(0);
    expect(gz.stdout).toBe(plain.stdout);
    // One byte at a time: the magic straddles chunks.
    const bytes = gzipSync(conv.stdout);
    const slow = await replay(['-'], Readable.from((function* () { for (let i = 0; i < 64; i++) yield bytes.subarray(i, i + 1); yield bytes.subarray(64); })()));
    expect(slow.stdout).toBe(plain.stdout);
  });

  it('gzipped perf text on stdin, and in a file not named .gz, as CSV and perf', async () => {
    const auto = await replay(['--event', 'page-faults', fx('readme.txt.gz')]);
    const piped = await replay(['--event', 'page-faults', '-'], Readable.from([realGz('readme.txt.gz')]));
    expect(piped.stdout).toBe(auto.stdout);
    const dir = tmp();
    try {
      const f = path.join(dir, 'dump.txt');
      fs.writeFileSync(f, realGz('readme.txt.gz'));
      const named = await replay(['--event', 'page-faults', f]);
      expect(named.code).toBe(0);
      expect(named.stdout).toBe(auto.stdout);
      const forced = await replay(['--input', 'perf', '--event', 'page-faults', f]);
      expect(forced.stdout).toBe(auto.stdout);
      const conv = await runCli(['convert', '--topology', TOPO, '--event', 'page-faults', fx('readme.txt.gz')]);
      const c = path.join(dir, 'trace.csv');
      fs.writeFileSync(c, gzipSync(conv.stdout));
      const csv = await replay([c]);
      expect(csv.code).toBe(0);
      expect(csv.stdout).toBe(auto.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('binary input is never echoed raw: escaped and cut short', async () => {
    const junk = Buffer.alloc(300 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    junk[0] = 0x1b; // ESC
    // The perf reader quotes at most 200 characters, every control character escaped (C0 by
    // TraceError's JSON quoting, DEL and C1 by quote()).
    const perf = await replay(['--input', 'perf', '-'], Readable.from([junk]));
    expect(perf.code).toBe(2);
    expect(perf.stdout).toBe('');
    expect(perf.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(perf.stderr.length).toBeLessThan(1500);
    // Sniffed as CSV (not perf text): the CSV reader's message (robust's quoting) escapes C0 at least.
    const csv = await replay(['-'], Readable.from([junk]));
    expect(csv.code).toBe(2);
    expect(csv.stdout).toBe('');
    expect(csv.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});

describe('a FIFO given as a trace path', () => {
  const mkfifo = (p: string): boolean => {
    try {
      const r = spawn('mkfifo', [p]);
      return r.pid !== undefined;
    } catch {
      return false;
    }
  };

  it('is opened once and streamed (auto-detection and CSV)', async () => {
    const dir = tmp();
    try {
      const fifo = path.join(dir, 'trace.fifo');
      mkfifo(fifo);
      for (let i = 0; i < 50 && !fs.existsSync(fifo); i++) await new Promise((r) => setTimeout(r, 20));
      if (!fs.existsSync(fifo)) return; // no mkfifo here
      const text = realText('readme.txt.gz');
      const expected = await replay(['--event', 'page-faults', '-'], text);
      // A writer that dies of SIGPIPE if the FIFO is opened twice: `cat file > fifo`.
      const file = path.join(dir, 'dump.txt');
      fs.writeFileSync(file, text);
      const writer = spawn('sh', ['-c', `cat "${file}" > "${fifo}"`]);
      const exited = new Promise<number | null>((res) => writer.on('exit', (code) => res(code)));
      const r = await replay(['--event', 'page-faults', fifo]);
      expect(await exited).toBe(0);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected.stdout);
      // gzip through a FIFO too
      fs.writeFileSync(file, realGz('readme.txt.gz'));
      const w2 = spawn('sh', ['-c', `cat "${file}" > "${fifo}"`]);
      const e2 = new Promise<number | null>((res) => w2.on('exit', (code) => res(code)));
      const r2 = await replay(['--event', 'page-faults', fifo]);
      expect(await e2).toBe(0);
      expect(r2.stdout).toBe(expected.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('perf line cap', () => {
  it('--input perf /dev/zero ends with an error, quickly, in bounded memory', async () => {
    if (!fs.existsSync('/dev/zero')) return;
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const r = await replay(['--input', 'perf', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/dev\/zero:1: line is longer than 1048576 bytes: "(\\u0000){200}\.\.\."\n/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20);
  });
});

describe('real perf output of other perf script options (round-events, misc, pid-tid, comm-time, deltatime fixtures)', () => {
  const READ = ['--event', 'page-faults', '--nid', 'none'];
  const FIELDS = 'comm,pid,tid,cpu,time,event,addr,phys_addr';

  it('--show-round-events: the bare PERF_RECORD_FINISHED_ROUND lines are skipped and counted as non-sample lines, first or not', async () => {
    const text = realText('round-events.txt.gz');
    const rounds = text.split('\n').filter((l) => l === 'PERF_RECORD_FINISHED_ROUND').length;
    expect(rounds).toBe(3);
    const without = text.split('\n').filter((l) => !l.startsWith('PERF_RECORD_')).join('\n');
    const want = await replay([...READ, '-'], without);
    expect(want.code).toBe(0);
    expect(counter(want.stdout, 'kpromoted_recorded_accesses')).toBeGreaterThan(0);
    for (const input of [text, 'PERF_RECORD_FINISHED_ROUND\n' + text]) {
      for (const args of [[], ['--input', 'perf'], ['--input', 'perf', '--perf-fields', FIELDS], ['--perf-fields', FIELDS]]) {
        const r = await replay([...READ, ...args, '-'], input);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
        expect(r.stdout).toBe(want.stdout);
      }
      const j = await runCli(['replay', '--topology', TOPO, '--format', 'json', ...READ, '-'], { stdin: input });
      expect(j.code).toBe(0);
      expect(JSON.parse(j.stdout).input.perf.non_sample_lines).toBe(input === text ? rounds : rounds + 1);
    }
    const file = await replay([...READ, fx('round-events.txt.gz')]);
    expect(file.stdout).toBe(want.stdout);
  });

  it('-F ...,misc: detected (misc letters after the cpu), the same counters as --perf-fields', async () => {
    const auto = await replay(['--event', 'page-faults', fx('misc.txt.gz')]);
    expect(auto.stderr).toBe('');
    expect(auto.code).toBe(0);
    expect(counter(auto.stdout, 'kpromoted_recorded_accesses')).toBe(1020);
    const exact = await replay(['--event', 'page-faults', '--perf-fields', 'comm,pid,tid,cpu,misc,time,event,addr,phys_addr', fx('misc.txt.gz')]);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toBe(auto.stdout);
    const j = await runCli(['replay', '--topology', TOPO, '--format', 'json', '--event', 'page-faults', fx('misc.txt.gz')]);
    expect(JSON.parse(j.stdout).input.perf.fields).toEqual(['comm,pid,tid,cpu,misc,time,event,addr,phys_addr']);
  });

  it('-F pid,tid,cpu,time,event,phys_addr: what stderr suggests is the list detected (pid/tid, no comm)', async () => {
    const auto = await replay(['--event', 'page-faults', fx('pid-tid.txt.gz')]);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(/perf fields: -F pid,tid,cpu,time,event,phys_addr and -F pid,tid,cpu,time,event,addr print the same text.*To say so: --perf-fields pid,tid,cpu,time,event,phys_addr\n$/);
    const exact = await replay(['--event', 'page-faults', '--perf-fields', 'pid,tid,cpu,time,event,phys_addr', fx('pid-tid.txt.gz')]);
    expect(exact.stderr).toBe('');
    expect(exact.stdout).toBe(auto.stdout);
    expect(counter(auto.stdout, 'kpromoted_recorded_accesses')).toBe(1020);
  });

  it('a command named `1.000001: ` (a time token of its own): read by the sample time after it, with --perf-fields and detected', async () => {
    const text = realText('comm-time.txt.gz');
    expect(text.split('\n')[0]).toMatch(/^ +1\.000001:  +\d+\/\d+ \[\d+\] +\d+\.\d{6}: page-faults:/);
    const exact = await replay([...READ, '--perf-fields', FIELDS, fx('comm-time.txt.gz')]);
    expect(exact.stderr).toBe('');
    expect(exact.code).toBe(0);
    expect(counter(exact.stdout, 'kpromoted_recorded_accesses')).toBe(212); // awk '$NF != "0"'
    const auto = await replay([...READ, fx('comm-time.txt.gz')]);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toBe(exact.stdout);
    // The sample times, not the command name's: a jiffies count near 86290 s at HZ 250, not 1 s.
    const conv = await runCli(['convert', ...READ, '--perf-fields', FIELDS, fx('comm-time.txt.gz')]);
    const t = Number(conv.stdout.split('\n')[1]!.split(',')[3]);
    expect(t).toBe(2 ** 32 - 75000 + Math.floor(Number(/\] +(\d+\.\d+):/.exec(text.split('\n').find((l) => !/ 0$/.test(l))!)![1]) * 250));
  });
});

describe('perf script --deltatime output (times since the sample before) is refused; --reltime is read', () => {
  const FIELDS = 'comm,pid,tid,cpu,time,event,addr,phys_addr';
  it('the real --deltatime dump: exit 2 at its first time that goes back, however read', async () => {
    const text = realText('deltatime.txt.gz');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/ 0\.000000: /);
    // The first sample whose time is below the one before (deltas go back and forth).
    const times = lines.filter((l) => l !== '').map((l) => Number(/ (\d+\.\d{6}):/.exec(l)![1]));
    const k = times.findIndex((t, i) => i > 0 && t < times[i - 1]!);
    expect(k).toBeGreaterThan(0);
    for (const args of [[], ['--perf-fields', FIELDS], ['--parse-thread', 'off']]) {
      for (const input of [fx('deltatime.txt.gz'), '-']) {
        const r = await replay(['--event', 'page-faults', ...args, input], input === '-' ? text : undefined);
        expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
        expect(r.stderr).toMatch(new RegExp(`^kpromo: .*:${k + 1}:${lines[k]!.indexOf(String(times[k]!.toFixed(6))) + 1} \\(time\\): time ${times[k]!.toFixed(6)} comes before the sample before's ${times[k - 1]!.toFixed(6)} .*perf script --deltatime output`));
      }
    }
  });

  it('--reltime (times since the first sample, in order) replays as the sample times shifted to 0', async () => {
    // The readme dump with every time made relative to its first sample's, as --reltime prints it.
    const lines = realText('readme.txt.gz').split('\n').filter((l) => l !== '');
    const us = (l: string): number => { const [s, f] = /(\d+)\.(\d{6}):/.exec(l)!.slice(1) as [string, string]; return Number(s) * 1e6 + Number(f); };
    const t0 = us(lines[0]!);
    const rel = lines.map((l) => l.replace(/(\d+)\.(\d{6}):/, () => { const d = us(l) - t0; return `${Math.floor(d / 1e6)}.${String(d % 1e6).padStart(6, '0')}:`; }));
    expect(rel[0]).toMatch(/ 0\.000000: /);
    const r = await replay(['--event', 'page-faults', '-'], rel.join('\n') + '\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(counter(r.stdout, 'kpromoted_recorded_accesses')).toBe(4018);
  });
});

describe('bad perf lines: the same line, column (1-based character of the bad field), field and text however read', () => {
  const head = realText('readme.txt.gz').split('\n');
  const FIELDS = 'comm,pid,tid,cpu,time,event,addr,phys_addr';
  const KEPT = [['--event', 'page-faults'], ['--event', 'page-faults', '--perf-fields', FIELDS], ['--event', 'page-faults', '--parse-thread', 'off']];
  /**
   * Each way of reading `text` in `modes` (detected or not, threads; from a file and from a pipe) gives `want` on stderr,
   * exit 2. Samples of events not kept are read no further than their head: without `--event page-faults` only what
   * the head holds (the time; pid/tid when --perf-fields says they are there) is checked.
   */
  const refused = async (text: string, want: string, modes: readonly (readonly string[])[]): Promise<void> => {
    const file = path.join(tmp(), 'bad.txt');
    fs.writeFileSync(file, text);
    for (const args of modes) {
      for (const input of [file, '-']) {
        const r = await replay([...args, input], input === '-' ? text : undefined);
        expect({ args, input, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, input, code: 2, stdout: '', stderr: `kpromo: ${input === '-' ? '-' : file}:${want}\n` });
      }
    }
  };

  it('a malformed time: its token named', async () => {
    const bad = '             cow 31333/31333 [000] 83888.89x719: page-faults:     55774f9faeb8       1927feeb8';
    for (const before of [50, 200]) {
      await refused([...head.slice(0, before), bad, ...head.slice(before, 300)].join('\n') + '\n',
        `${before + 1}:${bad.indexOf('83888') + 1} (time): no time field (S.UUUUUU: or S.NNNNNNNNN:); kpromo needs the sample time: keep time in perf script -F: "${bad}"`,
        [...KEPT, [], ['--perf-fields', FIELDS]]);
    }
  });

  it('a pid that is no number (31x33/31333)', async () => {
    const bad = '             cow 31x33/31333 [000] 83888.893719: page-faults:     55774f9faeb8       1927feeb8';
    for (const before of [50, 200]) {
      await refused([...head.slice(0, before), bad, ...head.slice(before, 300)].join('\n') + '\n',
        `${before + 1}:${bad.indexOf('31x33') + 1} (pid): expected pid/tid (decimal) before the cpu and time: "${bad}"`,
        [...KEPT, ['--perf-fields', FIELDS]]);
    }
  });

  it('a phys_addr wider than 64 bits (19 hex digits; 2^64 as 17) is refused, never cut to its last 16 digits', async () => {
    for (const wide of ['10000000001e7ebcba8', '10000000000000000']) {
      const bad = `             cow 31333/31333 [000] 83888.894342: page-faults:     7f8677bfeba8 ${wide}`;
      for (const before of [2, 50, 200]) {
        await refused([...head.slice(0, before), bad, ...head.slice(before, 300)].join('\n') + '\n',
          `${before + 1}:${bad.indexOf(wide) + 1} (phys_addr): phys_addr has ${wide.length} hex digits, more than 64 bits: "${bad}"`,
          KEPT);
      }
    }
  });
});
