/**
 * Ctrl-C, SIGTERM and SIGHUP through a real pseudo-terminal (issue 10 section 4), N tries per case (20 by
 * default; KPROMO_SIGNAL_TRIES changes it). test/cli/pty-signal.py puts the built binary on a pty as its
 * controlling terminal and types Ctrl-C there (the line discipline sends SIGINT), or sends SIGTERM/SIGHUP with
 * kill(2), once the command is in the state under test: reading (its progress line is shown), or idle (waiting
 * on a pipe, a terminal or a FIFO with no writer: no CPU used for 150 ms).
 *
 * The cases the issue names (replay of a file with the parse thread, a pipe, stdin and a TTY; convert; gen) run
 * TRIES times; the others FEW times (5), to keep the suite short on a shared machine.
 *
 * Each try must end with 128 + the signal number (130, 143, 129; a death by the signal counts as the same, as a
 * shell shows it), with the partial counters on stderr where a replay had started, and no temporary file.
 * The bound asserted per try is 2 s, to catch a hang on a loaded machine; the figures (median and max time from
 * signal to exit) are printed, and the median must be under the target, 0.5 s (one slow try is the
 * machine; a slow median is kpromo: compare on worker threads had 0.43 s until its read stopped blocking).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const PTY = path.join(__dirname, 'pty-signal.py');
const TRIES = Number(process.env.KPROMO_SIGNAL_TRIES ?? 20);
/** Tries for the cases beyond the list (replay of a file, pipe, stdin, TTY; convert; gen). */
const FEW = Math.min(TRIES, 5);
const hasPython = spawnSync('python3', ['-c', 'import pty, termios'], { stdio: 'ignore' }).status === 0;

interface Try {
  try: number;
  status: number | null;
  signaled: boolean | null;
  ms: number;
  ready: boolean;
  out: string;
}

interface Case {
  argv: string[];
  signal?: 'ctrl-c' | 'SIGTERM' | 'SIGHUP';
  stdin?: string;
  wait_for?: string;
  wait_idle?: boolean;
  wait_glob?: string;
  wait_cpu?: number;
  delay?: [number, number];
  tries?: number;
  /** Options for node itself, before the script (V8 flags). */
  node?: string[];
  /** Type Ctrl-S (XOFF) first, and send the signal once the command blocks in a write to the stopped terminal. */
  xoff?: boolean;
  /** false: do not wait for kpromo's handlers (a piece run under the signals' default actions has none). */
  handlers?: boolean;
}

let dir: string;
let big: string;

function runTries(c: Case): Try[] {
  const cfg = {
    argv: [process.execPath, ...(c.node ?? []), BIN, ...c.argv],
    tries: c.tries ?? TRIES,
    parallel: 4,
    signal: c.signal ?? 'ctrl-c',
    stdin: c.stdin ?? 'null',
    cwd: dir,
    env: { NO_COLOR: '1' },
    timeout: 20,
    // After the command's first progress line: the replays of big.csv run 0.8-1.8 s and show that line at 0.2-0.45 s, so
    // a signal up to 0.2 s later still finds the read under way (with 0.3 s a fast try once ended before its SIGTERM came,
    // its output complete, 2026-12-03).
    delay: c.delay ?? [0.02, 0.2],
    ...(c.wait_for ? { wait_for: c.wait_for } : {}),
    ...(c.wait_idle ? { wait_idle: true } : {}),
    ...(c.wait_glob ? { wait_glob: c.wait_glob } : {}),
    ...(c.wait_cpu ? { wait_cpu: c.wait_cpu } : {}),
    ...(c.xoff ? { xoff: true } : {}),
    ...(c.handlers === false ? { handlers: false } : {}),
  };
  const r = spawnSync('python3', [PTY, JSON.stringify(cfg)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`pty-signal.py failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Try);
}

function figures(name: string, tries: Try[]): void {
  const ms = tries.map((t) => t.ms).sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)]!;
  console.log(`${name}: ${tries.length} tries, signal to exit median ${med.toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms (noisy: shared machine)`);
  expect(med, `${name}: median time from signal to exit`).toBeLessThan(500);
}

/** Every try ended by the signal, in time, in the state it was meant to be in. */
function expectAll(name: string, tries: Try[], code: number, check?: (t: Try) => void): void {
  figures(name, tries);
  expect(tries.length).toBe(tries[0] ? tries.length : TRIES);
  for (const t of tries) {
    // The tail of the output, and a crash's header where there is one (the failed assertion, before the stack).
    const crash = /Assertion failed|FATAL ERROR|Fatal error|Check failed/.exec(t.out);
    const head = crash ? `${JSON.stringify(t.out.slice(Math.max(0, crash.index - 300), crash.index + 300))} ... ` : '';
    const where = `try ${t.try}: ${head}${JSON.stringify(t.out.slice(-600))}`;
    expect(t.ready, where).toBe(true);
    expect(t.status, where).toBe(code);
    expect(t.ms, where).toBeLessThan(2000);
    expect(t.out, where).not.toMatch(/internal error|    at /);
    check?.(t);
  }
}

const PARTIAL = /interrupted[^\n]*\r?\n(?:[^\n]*\r?\n)*?kpromoted_recorded_accesses \d+/;

describe.runIf(hasPython)('signals through a real pty', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-sig-'));
    big = path.join(dir, 'big.csv');
    // About 480 MB: above the 4 MiB from which a replay parses on a second thread, and about a second of replay on a
    // quiet machine. The engine got faster three times: with 6 M records, then with 10 M records over the default 1 M
    // pages (0.55-0.75 s), then with 10 M records over 2 M pages (0.65 s since 2026-12-02 16:20, when promoted pages
    // stopped costing their next access a trip through their state), a try could finish before its signal (sent
    // 20-200 ms after the first progress line). 2 M pages accessed uniformly make most accesses slow-tier ones, which
    // cost the engine more; 16 M records of them replay in 0.78-0.83 s.
    const g = spawnSync(process.execPath, [BIN, 'gen', '--records', '16000000', '--pages', '2000000', '--exponent', '0', '-o', big], { encoding: 'utf8' });
    if (g.status !== 0) throw new Error(g.stderr);
    spawnSync('mkfifo', [path.join(dir, 'fifo')]);
    // Long passes: 4 M accesses to 2.4 M distinct pages of a 32 M-page CXL node in 1.2 s, over a topology whose DRAM
    // nodes have tiny budgets (so migrations fail and every record is kept and walked again): the first pass walks
    // about 2.4 M records (about 0.6 s in one piece on this machine) and the final pass as many.
    fs.writeFileSync(
      path.join(dir, 'long-pass.json'),
      JSON.stringify({
        name: 'long-pass',
        nodes: [
          { id: 0, cpus: '0-7', adistance: 576, pfn_ranges: [{ start: '0x0', end: '0x100000' }], free_pages: 64, high_wmark_pages: 32 },
          { id: 1, cpus: '8-15', adistance: 576, pfn_ranges: [{ start: '0x100000', end: '0x200000' }], free_pages: 64, high_wmark_pages: 32 },
          { id: 2, adistance: 2880, pfn_ranges: [{ start: '0x200000', end: '0x2200000' }] },
        ],
      }),
    );
    const l = spawnSync(process.execPath, [BIN, 'gen', '--records', '4000000', '--pages', '4000000', '--slow-span', '33554432', '--exponent', '0', '--duration', '1.2', '-o', path.join(dir, 'long.csv')], { encoding: 'utf8' });
    if (l.status !== 0) throw new Error(l.stderr);
    // A million accesses to distinct pages in 1.2 s: the first migrate pass promotes about 500 000 pages.
    const p = spawnSync(process.execPath, [BIN, 'gen', '--records', '1000000', '--pages', '2000000', '--exponent', '0', '--duration', '1.2', '-o', path.join(dir, 'pass.csv')], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(p.stderr);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replay of a large file, parse thread (auto): Ctrl-C ends it with 130 and the partial counters', () => {
    const tries = runTries({ argv: ['replay', '--format', 'vmstat', 'big.csv'], wait_for: 'records' });
    expectAll('replay file (thread)', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
  });

  it('replay of a large file, --parse-thread off: Ctrl-C, 130, partial counters', () => {
    const tries = runTries({ argv: ['replay', '--parse-thread', 'off', '--format', 'vmstat', 'big.csv'], wait_for: 'records', tries: FEW });
    expectAll('replay file (no thread)', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
  });

  it('replay of a pipe carrying a large trace on stdin: Ctrl-C, 130, partial counters', () => {
    const tries = runTries({ argv: ['replay', '--format', 'vmstat', '-'], stdin: `file:${path.join(dir, 'big.csv')}`, wait_for: 'records' });
    expectAll('replay pipe', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
  });

  it('replay of an idle pipe with --parse-thread off: Ctrl-C, 130, partial counters', () => {
    const tries = runTries({ argv: ['replay', '--parse-thread', 'off', '--format', 'vmstat', '-'], stdin: 'idle-pipe', wait_idle: true });
    expectAll('replay idle pipe (no thread)', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
  });

  it('replay of an idle pipe (stdin forwarded to the parse thread): Ctrl-C, 130', () => {
    const tries = runTries({ argv: ['replay', '--format', 'vmstat', '-'], stdin: 'idle-pipe', wait_idle: true, tries: FEW });
    expectAll('replay idle pipe (thread)', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
  });

  it('replay of a trace read from the terminal: Ctrl-C, 130, partial counters', () => {
    const tries = runTries({ argv: ['replay', '--format', 'vmstat'], stdin: 'tty', wait_idle: true });
    expectAll('replay tty', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
  });

  it('replay of a FIFO that has no writer: Ctrl-C, 130', () => {
    const tries = runTries({ argv: ['replay', '--format', 'vmstat', 'fifo'], wait_idle: true, tries: FEW });
    expectAll('replay fifo without writer', tries, 130);
  });

  // long.csv: each pass walks about 2.4 M records; a try stopped inside one says "part way through a migrate pass".
  // Passes run in slices with a turn of the event loop between them (RfcV1Engine.sliceRecords, run/slices.ts): in one
  // piece, a signal that came during the first pass waited for its end (up to about 0.6 s here).
  const LONG = ['--topology', 'long-pass.json', '--format', 'vmstat', 'long.csv'];
  const insidePass = (t: Try) => /interrupted after \d+ records, part way through a migrate pass: partial counters/.test(t.out);

  it('a long migrate pass (2.4 M records walked): Ctrl-C cuts it short, 130, partial counters', () => {
    // Signalled once the terminal shows a pass part way (the progress line, between slices), plus up to 0.1 s.
    const tries = runTries({ argv: ['replay', '--parse-thread', 'off', ...LONG], wait_for: 'migrate pass at jiffies', delay: [0, 0.1] });
    expectAll('replay long pass', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
    // The signal follows the pass's own progress line: most tries stop inside that pass.
    expect(tries.filter(insidePass).length, 'tries stopped inside a pass').toBeGreaterThanOrEqual(tries.length / 2);
  });

  it('a long migrate pass with the parse thread: Ctrl-C cuts it short, 130', () => {
    const tries = runTries({ argv: ['replay', '--parse-thread', 'on', ...LONG], wait_for: 'migrate pass at jiffies', delay: [0, 0.1], tries: FEW });
    expectAll('replay long pass (thread)', tries, 130, (t) => expect(t.out).toMatch(PARTIAL));
    expect(tries.filter(insidePass).length, 'tries stopped inside a pass').toBeGreaterThanOrEqual(tries.length / 2);
  });

  it('page inside a long migrate pass: Ctrl-C cuts it short, 130, nothing written', () => {
    // page ran its passes in one piece (about 1.2 s from the signal when it came in the first one): they now run in
    // slices as a replay's do, and its progress line shows the pass part way.
    const tries = runTries({ argv: ['page', '--topology', 'long-pass.json', '0x200000', 'long.csv'], wait_for: 'migrate pass at jiffies', delay: [0, 0.1], tries: FEW });
    expectAll('page long pass', tries, 130, (t) => expect(t.out).toMatch(/kpromo page: interrupted after \d+ records(?:, part way through a migrate pass)?; nothing written/));
  });

  it('compare inside a long migrate pass: Ctrl-C, 130, the partial counters of each configuration', () => {
    // long.csv over long-pass.json (its passes walk about 2.4 M records each, in slices): compare of two engines reads the
    // 3 437 985 records before the first pass in about 3.7 s of CPU and walks that pass until about 5.5 s; the whole run
    // takes 3.9 s alone (2026-12-04: a Ctrl-C after 4.0 or 5.0 s of CPU always stopped it at that record). On pass.csv
    // compare now ends in 0.7 s: a try to be signalled after 0.8 s of CPU and up to 0.3 s more ended before the signal
    // (a clean-clone CI run, 2026-12-04 00:18), and the others stopped at 520-660 k records, before the first pass (830 k).
    const tries = runTries({
      argv: ['compare', '--engine', 'rfc-v1', '--engine', 'rfc-v1-fixed', '--topology', 'long-pass.json', 'long.csv'],
      wait_cpu: 4.4,
      delay: [0, 0.1],
      tries: FEW,
    });
    expectAll('compare long pass', tries, 130, partialOfEach(2));
  });

  it('convert of a large file to -o: Ctrl-C, 130, no temporary file, no output', () => {
    const tries = runTries({ argv: ['convert', '-o', 'c{try}.csv', 'big.csv'], wait_for: 'records' });
    expectAll('convert file', tries, 130, (t) => expect(t.out).toMatch(/interrupted/));
    expect(fs.readdirSync(dir).filter((n) => /^\.?c\d+\.csv/.test(n))).toEqual([]);
  });

  it('convert of an idle pipe: Ctrl-C, 130', () => {
    const tries = runTries({ argv: ['convert', '-'], stdin: 'idle-pipe', wait_idle: true, tries: FEW });
    expectAll('convert idle pipe', tries, 130, (t) => expect(t.out).toMatch(/interrupted/));
  });

  it('gen -o FILE: Ctrl-C, 130, the temporary file removed', () => {
    const tries = runTries({ argv: ['gen', '--records', '100000000', '-o', 'g{try}.csv'], wait_glob: '.g{try}.csv.*.tmp' });
    expectAll('gen -o', tries, 130);
    expect(fs.readdirSync(dir).filter((n) => /^\.?g\d+\.csv/.test(n))).toEqual([]);
  });

  it('gen to the terminal: Ctrl-C, 130', () => {
    const tries = runTries({ argv: ['gen', '--records', '100000000'], wait_for: 'pfn,nid,src,time' });
    expectAll('gen tty', tries, 130);
  });

  it('gen and replay --events - on a terminal paused with Ctrl-S: Ctrl-C, 130 (the write blocked; the terminal restarts output on Ctrl-C)', () => {
    // Linux's line discipline restarts a stopped terminal when it turns Ctrl-C into SIGINT (n_tty, I_IXON): the
    // blocked write returns and the signal is handled. A command that ignored the terminal's restart would hang here.
    const gen = runTries({ argv: ['gen', '--records', '100000000'], wait_for: 'pfn,nid,src,time', xoff: true, tries: 4 });
    expectAll('gen tty after Ctrl-S', gen, 130);
    const ev = runTries({ argv: ['replay', '--events', '-', 'big.csv'], wait_for: 'promoted', xoff: true, tries: 4 });
    expectAll('replay --events - after Ctrl-S', ev, 130);
  });

  it('SIGTERM ends a replay with 143 and SIGHUP with 129, partial counters on stderr', () => {
    const term = runTries({ argv: ['replay', '--format', 'vmstat', 'big.csv'], signal: 'SIGTERM', wait_for: 'records', tries: FEW });
    expectAll('replay SIGTERM', term, 143, (t) => expect(t.out).toMatch(PARTIAL));
    const hup = runTries({ argv: ['replay', '--format', 'vmstat', 'big.csv'], signal: 'SIGHUP', wait_for: 'records', tries: FEW });
    expectAll('replay SIGHUP', hup, 129, (t) => expect(t.out).toMatch(PARTIAL));
  });

  /** Partial counters of every configuration of a compare/sweep: one `# LABEL (ENGINE)` block each. */
  const partialOfEach = (labels: number) => (t: Try) => {
    expect(t.out).toMatch(/interrupted[^\n]*partial counters of each configuration/);
    expect(t.out.match(/^# [^\n]*\((?:rfc-v1|rfc-v1-fixed|pghot)\):/gm)?.length, t.out.slice(-800)).toBe(labels);
  };

  it('compare of three engines on a large file: Ctrl-C, 130, the partial counters of each', () => {
    const tries = runTries({ argv: ['compare', '--engine', 'rfc-v1', '--engine', 'rfc-v1-fixed', '--engine', 'pghot', 'big.csv'], wait_for: 'records' });
    expectAll('compare file', tries, 130, partialOfEach(3));
  });

  it('compare whose compile jobs V8 keeps 30 ms longer: Ctrl-C still ends it with 130, not an abort as its lanes end', () => {
    // Node 20 aborted (exit 134, "Assertion failed: (data.first) != nullptr" in NodePlatform::ForIsolate) when a lane
    // ended while one of its optimizing compile jobs still ran on a background thread (src/trace/start-worker.ts):
    // once in a CI run of the test above. --concurrent-recompilation-delay keeps every job running longer, and so
    // makes the abort likelier: before the fix, 2 of 40 tries through this pty, and 4-15 % of tries signalled from a
    // shell (6 of 40, 9 of 60). The end-to-end check; test/trace/start-worker.test.ts checks the cause every time.
    const argv = ['compare', '--engine', 'rfc-v1', '--engine', 'rfc-v1-fixed', '--engine', 'pghot', 'big.csv'];
    const tries = runTries({ argv, node: ['--concurrent-recompilation-delay=30'], wait_for: 'records' });
    expectAll('compare, compile jobs kept 30 ms longer', tries, 130, partialOfEach(3));
  });

  it('sweep of four configurations on a large file: Ctrl-C, 130, the partial counters of each; SIGTERM 143, SIGHUP 129', () => {
    const argv = ['sweep', '--window', '1000,5000', '--threshold', '2,3', 'big.csv'];
    const tries = runTries({ argv, wait_for: 'records' });
    expectAll('sweep file', tries, 130, partialOfEach(4));
    const term = runTries({ argv, signal: 'SIGTERM', wait_for: 'records', tries: FEW });
    expectAll('sweep SIGTERM', term, 143, partialOfEach(4));
    const hup = runTries({ argv, signal: 'SIGHUP', wait_for: 'records', tries: FEW });
    expectAll('sweep SIGHUP', hup, 129, partialOfEach(4));
  });

  it('replay --events and gen -o to a FIFO whose reader stopped reading: Ctrl-C, 130 (the write blocked the process until the reader went away)', () => {
    const fifo = path.join(dir, 'stalled');
    spawnSync('mkfifo', [fifo]);
    // A reader that opens the FIFO and never reads: the copy of the events fills the pipe and waits.
    const reader = spawn('python3', ['-c', `import os, time; fd = os.open(${JSON.stringify(fifo)}, os.O_RDONLY); time.sleep(600)`], { stdio: 'ignore' });
    try {
      const tries = runTries({ argv: ['replay', '--format', 'vmstat', '--events', 'stalled', 'pass.csv'], wait_idle: true, tries: FEW });
      expectAll('replay --events to a stalled FIFO', tries, 130);
      // gen streams to it (no spool): each write waits on a thread-pool thread.
      const gen = runTries({ argv: ['gen', '--records', '1000000', '-o', 'stalled'], wait_idle: true, tries: FEW });
      expectAll('gen -o to a stalled FIFO', gen, 130);
    } finally {
      reader.kill();
    }
  });

  it('SIGTERM and SIGHUP on an idle pipe and on gen -o: 143 and 129, no temporary file', () => {
    const term = runTries({ argv: ['replay', '--parse-thread', 'off', '-'], stdin: 'idle-pipe', signal: 'SIGTERM', wait_idle: true, tries: FEW });
    expectAll('idle pipe SIGTERM', term, 143, (t) => expect(t.out).toMatch(PARTIAL));
    const hup = runTries({ argv: ['gen', '--records', '100000000', '-o', 'h{try}.csv'], signal: 'SIGHUP', wait_glob: '.h{try}.csv.*.tmp', tries: FEW });
    expectAll('gen SIGHUP', hup, 129);
    expect(fs.readdirSync(dir).filter((n) => /^\.?h\d+\.csv/.test(n))).toEqual([]);
  });

  // `cat big.csv | kpromo ... -`: Ctrl-C ends cat too, and the end of its pipe (often in the middle of a line) could
  // reach kpromo's event loop before its own SIGINT did: page and convert then printed a parse error (exit 2) or a
  // whole report of the cut input (exit 0).
  it('replay, page and convert of `cat FILE |`: Ctrl-C, 130, never the cut line\'s parse error nor a report', () => {
    const rep = runTries({ argv: ['replay', '--format', 'vmstat', '-'], stdin: 'cat:big.csv', tries: FEW });
    expectAll('replay of cat |', rep, 130, (t) => {
      expect(t.out).toMatch(/kpromo: interrupted/);
      expect(t.out).not.toMatch(/expected 4 fields/);
    });
    const page = runTries({ argv: ['page', '0x200000', '-'], stdin: 'cat:big.csv', tries: FEW });
    expectAll('page of cat |', page, 130, (t) => {
      expect(t.out).toMatch(/kpromo page: interrupted/);
      expect(t.out).not.toMatch(/expected 4 fields|^page /m);
    });
    const conv = runTries({ argv: ['convert', '-o', 'cc{try}.csv', '-'], stdin: 'cat:big.csv', tries: FEW });
    expectAll('convert of cat |', conv, 130, (t) => expect(t.out).toMatch(/kpromo convert: interrupted/));
    expect(fs.readdirSync(dir).filter((n) => /^\.?cc\d+\.csv/.test(n))).toEqual([]);
  });

  // Outputs that are FIFOs with no reader: their open() waits, off the main thread, where a signal still ends the
  // command (it was a blocking open on the main thread: only SIGKILL ended it).
  it('sweep --csv, merge --csv and check --junit to a FIFO with no reader: Ctrl-C, 130', () => {
    fs.copyFileSync(path.join(ROOT, 'traces/spec-worked.csv'), path.join(dir, 'spec.csv'));
    const cases = path.join(dir, 'cases');
    fs.mkdirSync(cases, { recursive: true });
    for (const ext of ['.csv', '.topology.json', '.vmstat']) fs.copyFileSync(path.join(ROOT, `traces/spec-worked${ext}`), path.join(cases, `spec-worked${ext}`));
    for (const k of [1, 2]) {
      const r = spawnSync(process.execPath, [BIN, 'sweep', '--shard', `${k}/2`, '--threshold', '1..4', '--format', 'json', 'spec.csv'], { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      fs.writeFileSync(path.join(dir, `part-${k}.json`), r.stdout);
    }
    for (const argv of [
      ['sweep', '--threshold', '1,2', '--csv', 'fifo', 'spec.csv'],
      ['merge', '--csv', 'fifo', 'part-1.json', 'part-2.json'],
      ['check', '--junit', 'fifo', 'cases'],
    ]) {
      const tries = runTries({ argv, wait_idle: true, tries: FEW });
      expectAll(`${argv[0]} to a fifo`, tries, 130);
    }
  });
  // merge reads its parts as streams, then parses and merges them in one synchronous piece, and prints: a signal that came
  // in that piece reached its handler only after the command returned, and main() took its handlers away first (the one
  // setImmediate it waited for ran in the same check phase as the read's last callback, before any poll phase): the
  // signal was lost and merge ended 0 with its whole output (8 of 8 tries). Now main() waits for a poll phase
  // (pendingSignalsDelivered()), and merge parses and merges under the signals' default actions, then gives a signal its
  // turn before it prints.
  it('merge of two large parts, signalled during its parse and merge: 130 (143, 129), not 0', () => {
    fs.copyFileSync(path.join(ROOT, 'traces/spec-worked.csv'), path.join(dir, 'spec.csv'));
    for (const k of [1, 2]) {
      const r = spawnSync(process.execPath, [BIN, 'sweep', '--shard', `${k}/2`, '--window', '1..64', '--threshold', '1..32', '--hash-order', '1', '--format', 'json', 'spec.csv'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(r.stderr);
      fs.writeFileSync(path.join(dir, `big-part-${k}.json`), r.stdout);
    }
    // About 0.1 s of CPU time is start-up and the read; the parse and merge of 2048 configurations follow (0.45-0.6 s of
    // CPU in all here; with 1024, 0.3-0.45 s, and once in a whole suite's run the merge ended before its signal, sent
    // 0.15 s of CPU in, plus up to 50 ms).
    // Never half the output: a signal that came during a part's parse or the merge ends the command before its output
    // (the parses and the merge run under the signals' default actions, withDefaultSignals(): no handler is waited
    // for); one that comes as the output is written (a few tries on a loaded machine) finds it written whole.
    const argv = ['merge', '--format', 'json', 'big-part-1.json', 'big-part-2.json'];
    const when = { wait_cpu: 0.15, handlers: false, delay: [0, 0.05] as [number, number], tries: FEW };
    const nothing = (t: Try) => {
      if (/schema_version/.test(t.out)) expect(t.out).toMatch(/\n}\r?\n/);
    };
    expectAll('merge of large parts', runTries({ argv, ...when }), 130, nothing);
    expectAll('merge of large parts, SIGTERM', runTries({ argv, signal: 'SIGTERM', ...when }), 143, nothing);
    expectAll('merge of large parts, SIGHUP', runTries({ argv, signal: 'SIGHUP', ...when }), 129, nothing);
    // A hand-made part of 40 MB (a part's results repeated: refused by the merge, after its parse of about a second).
    const part = JSON.parse(fs.readFileSync(path.join(dir, 'big-part-1.json'), 'utf8')) as { results: unknown[] };
    part.results = Array.from({ length: 30 }, () => part.results).flat();
    fs.writeFileSync(path.join(dir, 'huge-part.json'), JSON.stringify(part, null, 2));
    const huge = runTries({ argv: ['merge', 'huge-part.json', 'big-part-2.json'], ...when, wait_cpu: 0.2 });
    expectAll('merge of a 40 MB part', huge, 130, (t) => expect(t.out).not.toMatch(/kpromo: merge:/));
  });
  // topo --from-sysfs reads a tree of files in one synchronous piece (30 000 memory blocks: about 1 s here): a signal
  // waited for its end (1.1-2.3 s from the signal on a tree of 45 000) and the whole topology was printed before the
  // process died of it. The read now runs under the signals' default actions (withDefaultSignals(): nothing to clean up).
  it('topo --from-sysfs of a large tree: Ctrl-C, SIGTERM, SIGHUP end the read at once, nothing printed', () => {
    const tree = path.join(dir, 'sysfs-large');
    fs.cpSync(path.join(ROOT, 'test/fixtures/sysfs-2s-cxl'), tree, { recursive: true });
    // Memory blocks without files: phys_index is then the block's own number, state online.
    for (let i = 0; i < 30000; i++) fs.mkdirSync(path.join(tree, `devices/system/node/node2/memory${100 + i}`));
    // Signalled once the command used 0.2 s of CPU time (start-up takes about 0.1 s), inside the read: kpromo's own
    // handlers are not waited for, as the read runs without them.
    const argv = ['topo', '--from-sysfs', 'sysfs-large'];
    const when = { wait_cpu: 0.2, handlers: false, delay: [0, 0.1] as [number, number], tries: FEW };
    const nothing = (t: Try) => expect(t.out).not.toMatch(/"nodes"|pfn_ranges/);
    expectAll('topo --from-sysfs, large tree', runTries({ argv, ...when }), 130, nothing);
    expectAll('topo --from-sysfs, SIGTERM', runTries({ argv, signal: 'SIGTERM', ...when }), 143, nothing);
    expectAll('topo --from-sysfs, SIGHUP', runTries({ argv, signal: 'SIGHUP', ...when }), 129, nothing);
  });
  // check had no stop handler: a signal ended the process at once, with the progress line left on the terminal and no
  // word of the cases already run. Now the replay of the case under way stops, the cases run so far are listed on
  // stderr, no golden of the stopped case is written (--update), and no JUnit report either.
  it('check, check --junit and check --update during a large case: 130, the cases run so far on stderr, goldens untouched', () => {
    const cases = path.join(dir, 'check-large');
    fs.mkdirSync(cases);
    for (const ext of ['.csv', '.topology.json', '.vmstat']) fs.copyFileSync(path.join(ROOT, `traces/spec-worked${ext}`), path.join(cases, `a-spec${ext}`));
    fs.linkSync(big, path.join(cases, 'b-big.csv'));
    // A golden that the replay would not match: the case runs (a missing one is an error before its replay).
    const golden = 'kpromoted_recorded_accesses 1\n';
    fs.writeFileSync(path.join(cases, 'b-big.vmstat'), golden);
    // The read of b-big.csv (its size has three digits of MiB; about 1 s of reading): signalled at most 50 ms after its
    // first progress line.
    const wait_for = 'MiB of \\d{3} MiB';
    const delay: [number, number] = [0, 0.05];
    const soFar = (what: RegExp) => (t: Try) => {
      expect(t.out).toMatch(/kpromo check: interrupted during b-big after \d+ records/);
      expect(t.out).toMatch(/a-spec +│ +10 │ (?:pass|unchanged)/);
      expect(t.out).toMatch(what);
    };
    expectAll('check', runTries({ argv: ['check', 'check-large'], wait_for, delay, tries: FEW }), 130, soFar(/1 passed, 0 failed, 0 errors before it/));
    const junit = runTries({ argv: ['check', '--junit', 'cj{try}.xml', 'check-large'], wait_for, delay, tries: FEW });
    expectAll('check --junit', junit, 130, soFar(/no JUnit report written/));
    expect(fs.readdirSync(dir).filter((n) => /^\.?cj\d+\.xml/.test(n))).toEqual([]);
    const update = runTries({ argv: ['check', '--update', 'check-large'], wait_for, delay, tries: FEW });
    expectAll('check --update', update, 130, soFar(/0 updated, 1 unchanged, 0 errors before it; no golden of b-big written/));
    expect(fs.readFileSync(path.join(cases, 'b-big.vmstat'), 'utf8')).toBe(golden);
    expect(fs.readdirSync(cases).sort()).toEqual(['a-spec.csv', 'a-spec.topology.json', 'a-spec.vmstat', 'b-big.csv', 'b-big.vmstat']);
    const term = runTries({ argv: ['check', 'check-large'], signal: 'SIGTERM', wait_for, delay, tries: FEW });
    expectAll('check SIGTERM', term, 143, soFar(/1 passed/));
    const hup = runTries({ argv: ['check', 'check-large'], signal: 'SIGHUP', wait_for, delay, tries: FEW });
    expectAll('check SIGHUP', hup, 129, soFar(/1 passed/));
  });
  // Waiting on an idle pipe, page cannot see the stop: the watchdog ends the process (250 ms). It printed nothing then;
  // now it says it was interrupted, as convert does. merge and topo --from-numactl reading an idle pipe, a FIFO with
  // no writer or the terminal have nothing to say, and end at once (no stop handler: the first signal ends them).
  it('page (and of a large file), merge and topo --from-numactl waiting on an idle pipe, a FIFO or the terminal: Ctrl-C, 130', () => {
    const page = runTries({ argv: ['page', '0x1', '-'], stdin: 'idle-pipe', wait_idle: true, tries: FEW });
    expectAll('page idle pipe', page, 130, (t) => expect(t.out).toMatch(/kpromo page: interrupted; nothing written/));
    const pageFile = runTries({ argv: ['page', '0x200000', 'big.csv'], wait_for: 'records', tries: FEW });
    expectAll('page of a large file', pageFile, 130, (t) => expect(t.out).toMatch(/kpromo page: interrupted after \d+ records(?:, part way through a migrate pass)?; nothing written/));
    expectAll('merge of an idle pipe', runTries({ argv: ['merge', '-'], stdin: 'idle-pipe', wait_idle: true, tries: FEW }), 130);
    expectAll('merge of a FIFO without writer', runTries({ argv: ['merge', 'fifo'], wait_idle: true, tries: FEW }), 130);
    expectAll('topo --from-numactl idle pipe', runTries({ argv: ['topo', '--from-numactl', '-'], stdin: 'idle-pipe', wait_idle: true, tries: FEW }), 130);
    expectAll('topo --from-numactl tty', runTries({ argv: ['topo', '--from-numactl', '-'], stdin: 'tty', wait_idle: true, tries: FEW }), 130);
    expectAll('topo --from-numactl FIFO', runTries({ argv: ['topo', '--from-numactl', 'fifo'], wait_idle: true, tries: FEW }), 130);
    // gen whose FIFO has no reader waits in its open (off the main thread): it said nothing as the watchdog ended it.
    const gen = runTries({ argv: ['gen', '-o', 'fifo'], wait_idle: true, tries: FEW });
    expectAll('gen -o FIFO without reader', gen, 130, (t) => expect(t.out).toMatch(/kpromo gen: interrupted/));
  });
  it('outputs being written (.gz names too): replay --events/--timeline-csv/--report, convert -o, gen -o, sweep --csv over several reads: 130, no file, no temporary file', () => {
    const left = (re: RegExp) => fs.readdirSync(dir).filter((n) => re.test(n));
    const rep = runTries({ argv: ['replay', '--format', 'vmstat', '--events', 'oe{try}.csv.gz', '--timeline-csv', 'ot{try}.csv', '--report', 'or{try}.html', 'big.csv'], wait_for: 'records', tries: FEW });
    expectAll('replay with three outputs', rep, 130, (t) => expect(t.out).toMatch(PARTIAL));
    expect(left(/^\.?o[etr]\d+\./)).toEqual([]);
    const conv = runTries({ argv: ['convert', '-o', 'oc{try}.csv.gz', 'big.csv'], wait_for: 'records', tries: FEW });
    expectAll('convert -o .gz', conv, 130, (t) => expect(t.out).toMatch(/kpromo convert: interrupted/));
    const gen = runTries({ argv: ['gen', '--records', '100000000', '-o', 'og{try}.csv.gz'], wait_glob: '.og{try}.csv.gz.*.tmp', tries: FEW });
    expectAll('gen -o .gz', gen, 130);
    expect(left(/^\.?o[cg]\d+\./)).toEqual([]);
    // --memory 64 with 16 M hash buckets each: two engines a read, so two reads of pass.csv (about 1 s each here); the
    // signal comes at any time in the first 1.5 s, so in either read or between them.
    const argv = ['sweep', '--window', '1000,5000', '--threshold', '2,3', '--hash-order', '24', '--memory', '64', '--csv', 'os{try}.csv', 'pass.csv'];
    const sweep = runTries({ argv, delay: [0, 1.5], tries: FEW });
    expectAll('sweep --csv over two reads', sweep, 130, partialOfEach(4));
    expect(left(/^\.?os\d+\./)).toEqual([]);
  });
  // A sweep of 4096 configurations over a tiny trace runs its engines on this thread (one group): building them, their
  // final passes and their metrics took 5-6 s of CPU in one piece, so a signal waited for the end (6-9 s) and the
  // table and the --csv file were written whole before the process died of it. Those loops now turn the event loop
  // every 20 ms (run/slices.ts turnPacer()) and stop there.
  it('sweep of 4096 configurations (built, finished, measured on this thread): Ctrl-C, 130 within the median, no --csv file', () => {
    fs.copyFileSync(path.join(ROOT, 'traces/spec-worked.csv'), path.join(dir, 'spec.csv'));
    const argv = ['sweep', '--window', '1..64', '--threshold', '1..64', '--hash-order', '1', '--csv', 'grid{try}.csv', 'spec.csv'];
    const tries = runTries({ argv, delay: [0.2, 3], tries: FEW });
    expectAll('sweep of 4096 configurations', tries, 130, (t) => expect(t.out).toMatch(/interrupted/));
    expect(fs.readdirSync(dir).filter((n) => /^\.?grid\d+\.csv/.test(n))).toEqual([]);
  });
});

describe.skipIf(hasPython)('signals through a real pty', () => {
  it('skipped: python3 with the pty module is needed', () => {
    console.warn('skipped: python3 with the pty and termios modules is not available');
  });
});
