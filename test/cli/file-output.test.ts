/**
 * Output files on real files, devices, FIFOs, symlinks and a real full filesystem (issue 10 section 1).
 * Device nodes are made with mknod and the full filesystem is a 64 KiB tmpfs (test/tmpfs.ts): both need root; the
 * tests that need them are skipped with a message where they cannot run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputs, GZIP_MEMBER_BYTES, OutputError, OutputFile } from '../../src/cli/file-output.js';
import { gunzipSync } from 'node:zlib';
import { CaptureOut } from '../../src/cli/io.js';
import { UsageError } from '../../src/errors.js';
import { mountTmpfs, needTmpfs, onTmpfs, unmountTmpfs } from '../tmpfs.js';
import { runCli } from './run-cli.js';

const TRACE = path.resolve(__dirname, '../../traces/spec-worked.csv');
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-out-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Files in `d` whose name marks them as kpromo temporaries. */
function temps(d: string): string[] {
  return fs.readdirSync(d).filter((n) => n.endsWith('.tmp'));
}

function tryMknod(file: string, major: number, minor: number): boolean {
  try {
    execFileSync('mknod', [file, 'c', String(major), String(minor)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('OutputFile: what is not a regular file is written through, never replaced', () => {
  it.runIf(isRoot)('a mknod copy of /dev/null stays a character device (--events)', async () => {
    const dev = path.join(dir, 'null-copy');
    if (!tryMknod(dev, 1, 3)) {
      console.warn('skipped: mknod is not permitted here');
      return;
    }
    const r = await runCli(['replay', '--format', 'vmstat', '--events', dev, TRACE]);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(temps(dir)).toEqual([]);
  });

  it('/dev/null itself stays a device and the run succeeds', async () => {
    const r = await runCli(['replay', '--format', 'vmstat', '--events', '/dev/null', '--timeline-csv', '/dev/null', TRACE]).catch((e) => e);
    // two outputs naming the same device are refused, like two naming the same file
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--events "\/dev\/null" and --timeline-csv "\/dev\/null" name the same file/);
    const ok = await runCli(['replay', '--format', 'vmstat', '--events', '/dev/null', TRACE]);
    expect(ok.code).toBe(0);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it.runIf(isRoot)('a mknod copy of /dev/full: the write error names the file, exit 2, the device stays', async () => {
    const dev = path.join(dir, 'full-copy');
    if (!tryMknod(dev, 1, 7)) {
      console.warn('skipped: mknod is not permitted here');
      return;
    }
    const r = await runCli(['replay', '--format', 'vmstat', '--events', dev, TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`kpromo: cannot write ${dev}: ENOSPC: no space left on device\n`);
    expect(r.stdout).toBe('');
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a FIFO is written through to its reader and stays a FIFO (convert -o)', async () => {
    const fifo = path.join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (b: Buffer) => (got += b.toString()));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = await runCli(['convert', '-o', fifo, TRACE]);
    await done;
    expect(r.code).toBe(0);
    expect(got.split('\n')[0]).toBe('pfn,nid,src,time');
    expect(got.trim().split('\n').length).toBeGreaterThan(1);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a symlink is followed: its target is replaced, the link stays a link', async () => {
    const real = path.join(dir, 'real-events.csv');
    const link = path.join(dir, 'link-events.csv');
    fs.writeFileSync(real, 'old\n');
    fs.chmodSync(real, 0o640);
    fs.symlinkSync('real-events.csv', link);
    const r = await runCli(['replay', '--format', 'vmstat', '--events', link, TRACE]);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8').split('\n')[0]).toBe('time,node,pfn,from,to,outcome');
    expect(fs.statSync(real).mode & 0o777).toBe(0o640); // the replaced file keeps its permissions
    expect(temps(dir)).toEqual([]);
  });

  it('a dangling symlink creates its target, in the target directory', async () => {
    const sub = path.join(dir, 'elsewhere');
    fs.mkdirSync(sub);
    const link = path.join(dir, 'dangling.csv');
    fs.symlinkSync(path.join(sub, 'made.csv'), link);
    const r = await runCli(['convert', '-o', link, TRACE]);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(sub, 'made.csv'), 'utf8').startsWith('pfn,nid,src,time\n')).toBe(true);
  });
});

describe('checkOutputs: every output path is checked before the run', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a directory', () => dir, /is a directory/],
    ['an empty name', () => '', /empty file name/],
    ['a missing parent', () => path.join(dir, 'no/such/dir/x.csv'), /directory .*no\/such\/dir does not exist/],
    ['a parent that is a file', () => path.join(TRACE, 'x.csv'), /not a directory/i],
  ];
  for (const [what, p, msg] of cases) {
    it(`${what}: exit 2 at once, nothing run`, async () => {
      const r = await runCli(['replay', '--events', p(), TRACE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).toMatch(/^kpromo: --events /);
      expect(r.stdout).toBe('');
    });
  }

  it('two outputs naming the same file (through different spellings)', () => {
    const a = path.join(dir, 'same.csv');
    expect(() => checkOutputs([{ option: '--events', path: a }, { option: '--timeline-csv', path: `${dir}/./same.csv` }])).toThrow(
      /--events .* and --timeline-csv .* name the same file/,
    );
    expect(() => checkOutputs([{ option: '--events', path: '-' }, { option: '--timeline-csv', path: '-' }])).toThrow(/name standard output/);
  });

  it('the report is checked before the replay, not after it (was exit 70 after the whole run)', async () => {
    const r = await runCli(['replay', '--report', dir, TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report .*: is a directory/);
  });

  it.runIf(!isRoot)('no write permission', async () => {
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro, { mode: 0o555 });
    const r = await runCli(['replay', '--events', path.join(ro, 'x.csv'), TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot create files in/);
  });

  it('no write permission (a read-only tmpfs, as root)', (ctx) =>
    onTmpfs(ctx, 'ro,size=64k', async (ro) => {
      const r = await runCli(['replay', '--events', path.join(ro, 'x.csv'), TRACE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--events .*: cannot create files in .*read-only file system/);
    }));

  it('OutputFile refuses `-` where no stdout is given', () => {
    expect(() => new OutputFile('-')).toThrow(UsageError);
  });
});

describe('an output that names a file the run reads is refused before the run', () => {
  const TOPO = path.resolve(__dirname, '../../traces/spec-worked.topology.json');
  /** A copy of `src` in a fresh directory of its own. */
  function copyIn(src: string, name: string): string {
    const d = fs.mkdtempSync(path.join(dir, 'inout-'));
    const f = path.join(d, name);
    fs.copyFileSync(src, f);
    return f;
  }

  it('replay --events TRACE, --report TOPOLOGY, --timeline-csv GOLDEN (the trace was replaced by the events after the run)', async () => {
    const trace = copyIn(TRACE, 't.csv');
    const before = fs.readFileSync(trace, 'utf8');
    const r = await runCli(['replay', '--events', trace, trace]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^kpromo: --events ".*t\.csv" names a file this run reads \(the trace ".*t\.csv"\)/);
    expect(fs.readFileSync(trace, 'utf8')).toBe(before);
    const topo = copyIn(TOPO, 'topo.json');
    const t = await runCli(['replay', '--topology', topo, '--report', topo, trace]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--report .* names a file this run reads \(the --topology file /);
    const golden = copyIn(path.resolve(__dirname, '../../traces/spec-worked.vmstat'), 'g.vmstat');
    const g = await runCli(['replay', '--topology', TOPO, '--expect', golden, '--timeline-csv', golden, trace]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/--timeline-csv .* names a file this run reads \(the --expect golden /);
  });

  it('convert -o through a symlink to its input, sweep --csv, merge --csv a part, check --junit a golden', async () => {
    const trace = copyIn(TRACE, 't.csv');
    const before = fs.readFileSync(trace, 'utf8');
    const link = path.join(path.dirname(trace), 'link.csv');
    fs.symlinkSync('t.csv', link);
    const c = await runCli(['convert', '-o', link, trace]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^kpromo: -o ".*link\.csv" names a file this run reads \(the trace /);
    const s = await runCli(['sweep', '--threshold', '1,2', '--csv', trace, trace]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^kpromo: --csv .* names a file this run reads/);
    expect(fs.readFileSync(trace, 'utf8')).toBe(before);
    const part = path.join(path.dirname(trace), 'part.json');
    fs.writeFileSync(part, (await runCli(['sweep', '--shard', '1/1', '--threshold', '1,2', trace])).stdout);
    const partText = fs.readFileSync(part, 'utf8');
    const m = await runCli(['merge', '--csv', part, part]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/^kpromo: --csv .* names a file this run reads \(the part /);
    expect(fs.readFileSync(part, 'utf8')).toBe(partText);
    const cases = fs.mkdtempSync(path.join(dir, 'check-'));
    for (const n of ['spec-worked.csv', 'spec-worked.vmstat', 'spec-worked.topology.json']) fs.copyFileSync(path.resolve(__dirname, '../../traces', n), path.join(cases, n));
    const golden = path.join(cases, 'spec-worked.vmstat');
    const goldenText = fs.readFileSync(golden, 'utf8');
    const k = await runCli(['check', '--junit', golden, cases]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/^kpromo: --junit .* names a file this run reads \(the golden /);
    expect(fs.readFileSync(golden, 'utf8')).toBe(goldenText);
  });

  it('convert -o FILE < FILE: standard input\'s own file (the built binary)', () => {
    const trace = copyIn(TRACE, 't.csv');
    const before = fs.readFileSync(trace, 'utf8');
    const fd = fs.openSync(trace, 'r');
    try {
      const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../bin/kpromo.js'), 'convert', '-o', trace], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^kpromo: -o .* names a file this run reads \(the trace on standard input\)/);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(trace, 'utf8')).toBe(before);
  });
});

describe('an output on standard output beside the command\'s own output there is refused', () => {
  const BIN = path.resolve(__dirname, '../../bin/kpromo.js');
  it('sweep --csv, merge --csv and check --junit naming /dev/stdout, or the file stdout goes to (the two were mixed on stdout)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'stdout-'));
    const part = path.join(d, 'part.json');
    fs.writeFileSync(part, spawnSync(process.execPath, [BIN, 'sweep', '--shard', '1/1', '--threshold', '1,2', TRACE], { encoding: 'utf8' }).stdout);
    const cases = path.join(d, 'cases');
    fs.mkdirSync(cases);
    for (const n of ['spec-worked.csv', 'spec-worked.vmstat', 'spec-worked.topology.json']) fs.copyFileSync(path.resolve(__dirname, '../../traces', n), path.join(cases, n));
    const runs: [string[], string][] = [
      [['sweep', '--threshold', '1,2', '--csv', '@', TRACE], '--csv'],
      [['merge', '--csv', '@', part], '--csv'],
      [['check', '--junit', '@', cases], '--junit'],
    ];
    for (const [args, option] of runs) {
      const out = path.join(d, 'out.txt');
      for (const name of ['/dev/stdout', out]) {
        fs.writeFileSync(out, '');
        const fd = fs.openSync(out, 'a');
        try {
          const r = spawnSync(process.execPath, [BIN, ...args.map((a) => (a === '@' ? name : a))], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
          expect(r.status, `${args[0]} ${name}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toMatch(new RegExp(`^kpromo: ${option} ".*" is standard output, which carries this command's own output: write it to a file`));
        } finally {
          fs.closeSync(fd);
        }
        expect(fs.readFileSync(out, 'utf8'), `${args[0]} ${name}`).toBe('');
      }
    }
  });
});

describe('replay: an output on the file its summary goes to', () => {
  it('--events FILE > FILE is refused (the events were renamed over the file and the summary printed into it was lost); --events - > FILE is fine', () => {
    const d = fs.mkdtempSync(path.join(dir, 'summary-'));
    const out = path.join(d, 'out.txt');
    const run = (args: string[]) => {
      fs.writeFileSync(out, '');
      const fd = fs.openSync(out, 'a');
      try {
        return spawnSync(process.execPath, [path.resolve(__dirname, '../../bin/kpromo.js'), 'replay', '--format', 'vmstat', ...args, TRACE], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      } finally {
        fs.closeSync(fd);
      }
    };
    const r = run(['--events', out]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^kpromo: --events ".*out\.txt" is standard output, which carries this command's own output/);
    expect(fs.readFileSync(out, 'utf8')).toBe('');
    const ok = run(['--events', '-']); // the events alone on stdout, the summary on stderr
    expect(ok.status, ok.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^time,node,pfn,from,to,outcome\n/);
  });
});

describe('- is standard output', () => {
  it('--events -: the events CSV on stdout, the summary on stderr', async () => {
    const r = await runCli(['replay', '--format', 'vmstat', '--events', '-', TRACE]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('time,node,pfn,from,to,outcome');
    expect(r.stdout).not.toMatch(/kpromoted_recorded_accesses/);
    expect(r.stderr).toMatch(/kpromoted_recorded_accesses/);
    expect(fs.existsSync('-')).toBe(false);
  });

  it('--timeline-csv -, convert -o -, gen -o -: stdout, no file named -', async () => {
    const t = await runCli(['replay', '--format', 'vmstat', '--timeline-csv', '-', TRACE]);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^time,seconds,/);
    const c = await runCli(['convert', '-o', '-', TRACE]);
    expect(c.code).toBe(0);
    expect(c.stdout.split('\n')[0]).toBe('pfn,nid,src,time');
    const g = await runCli(['gen', '--records', '5', '-o', '-']);
    expect(g.code).toBe(0);
    expect(g.stdout.split('\n').length).toBe(7);
    expect(fs.existsSync('-')).toBe(false);
  });

  it('--events - with a bad line: nothing on stdout (the CSV is spooled until the replay succeeded)', async () => {
    const r = await runCli(['replay', '--events', '-', '-'], { stdin: 'pfn,nid,src,time\n0x10,0,hwhints,5\n0x10,0,hwhint,6\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('write errors on a real full filesystem (64 KiB tmpfs)', () => {
  let full: string | null = null;
  beforeAll(() => {
    full = mountTmpfs('size=64k');
  });
  afterAll(() => {
    if (full !== null) unmountTmpfs(full);
  });

  it('gen -o on a full tmpfs: exit 2, ENOSPC with the file named, no temporary file left', async (ctx) => {
    const d = needTmpfs(ctx, full);
    const out = path.join(d, 'g.csv');
    const r = await runCli(['gen', '--records', '100000', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kpromo: cannot write ${out}: ENOSPC: no space left on device\n`);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('convert -o and replay --events on a full tmpfs: exit 2, nothing left', async (ctx) => {
    const d = needTmpfs(ctx, full);
    const big = path.join(dir, 'big.csv');
    await runCli(['gen', '--records', '20000', '-o', big]);
    const c = await runCli(['convert', '-o', path.join(d, 'c.csv'), big]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^kpromo: cannot write .*c\.csv: ENOSPC/);
    const e = await runCli(['replay', '--events', path.join(d, 'e.csv'), big]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^kpromo: cannot write .*e\.csv: ENOSPC/);
    expect(e.stdout).toBe('');
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('an OutputFile write error is an OutputError (exit 2) and removes its temporary file', (ctx) => {
    const d = needTmpfs(ctx, full);
    const f = new OutputFile(path.join(d, 'x.bin'), { option: '-o' });
    let err: unknown;
    try {
      for (let i = 0; i < 100; i++) f.write(Buffer.alloc(4096, 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutputError);
    expect((err as OutputError).exitCode).toBe(2);
    expect((err as OutputError).file).toBe(path.join(d, 'x.bin'));
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

describe('spooled standard output', () => {
  it('is copied to stdout on commit and leaves no file in the temporary directory', () => {
    const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('.kpromo-stdout')).length;
    const out = new CaptureOut();
    const f = new OutputFile('-', { stdout: out });
    f.write('a,b\n');
    expect(out.text).toBe('');
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('.kpromo-stdout')).length).toBe(before);
    f.write('\u00e9\n');
    f.commit();
    expect(out.text).toBe('a,b\n\u00e9\n');
  });

  it('discard() writes nothing', () => {
    const out = new CaptureOut();
    const f = new OutputFile('-', { stdout: out });
    f.write('x\n');
    f.discard();
    expect(out.text).toBe('');
  });
});

const BIN = path.resolve(__dirname, '../../bin/kpromo.js');

/** Runs the real CLI under bash, so that descriptors and redirections are real ones. */
function bash(script: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, K: `${process.execPath} ${BIN}`, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('paths that name this process\'s descriptors are those descriptors', () => {
  it('-o /dev/stdout and a symlink to it, with stdout a file: written at the shell\'s offset, the file not replaced', () => {
    const d = fs.mkdtempSync(path.join(dir, 'fd-'));
    fs.symlinkSync('/dev/stdout', path.join(d, 'stdout-link'));
    fs.writeFileSync(path.join(d, 'so.txt'), '');
    const ino = fs.statSync(path.join(d, 'so.txt')).ino;
    const r = bash('( echo before; $K gen --records 2 -o /dev/stdout; $K gen --records 1 -o stdout-link; $K gen --records 1 -o //dev/./stdout; echo after ) > so.txt', d);
    expect(r.status, r.stderr).toBe(0);
    // Reopened (Linux reopens a regular file at /proc/self/fd/N), the CSV overwrote "before" or the shell's echo
    // overwrote the CSV; renamed over, the shell's later writes went to the unlinked old file.
    expect(fs.statSync(path.join(d, 'so.txt')).ino).toBe(ino);
    const lines = fs.readFileSync(path.join(d, 'so.txt'), 'utf8').split('\n');
    expect(lines[0]).toBe('before');
    expect(lines.filter((l) => l === 'pfn,nid,src,time').length).toBe(3);
    expect(lines.filter((l) => l.startsWith('0x')).length).toBe(4);
    expect(lines.at(-2)).toBe('after');
    expect(fs.lstatSync(path.join(d, 'stdout-link')).isSymbolicLink()).toBe(true);
  });

  it('/dev/fd/3 and /dev/stderr get nothing when the input is bad, all of it when it is good (1 MB of events was written before the bad line)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'fd-'));
    const good = Array.from({ length: 60000 }, (_, i) => `0x${(0x200000 + (i % 5000)).toString(16)},0,hwhints,${1000 + i}`).join('\n');
    fs.writeFileSync(path.join(d, 'bad.csv'), `pfn,nid,src,time\n${good}\nbad,0,hwhints,1\n`);
    fs.writeFileSync(path.join(d, 'good.csv'), `pfn,nid,src,time\n${good}\n`);
    const bad = bash('echo before > three.txt; $K replay --format vmstat --events /dev/fd/3 bad.csv 3>>three.txt; echo "rc=$?"; $K convert -o /dev/fd/3 bad.csv 3>>three.txt; $K convert -o /dev/stderr bad.csv 2>err.txt', d);
    expect(bad.stdout).toBe('rc=2\n');
    expect(fs.readFileSync(path.join(d, 'three.txt'), 'utf8')).toBe('before\n');
    expect(fs.readFileSync(path.join(d, 'err.txt'), 'utf8')).toMatch(/^kpromo: bad\.csv:60002:1 \(pfn\)/);
    const ok = bash('echo before > three.txt; $K convert -o /dev/fd/3 good.csv 3>>three.txt', d);
    expect(ok.status, ok.stderr).toBe(0);
    const text = fs.readFileSync(path.join(d, 'three.txt'), 'utf8');
    expect(text.startsWith('before\npfn,nid,src,time\n0x200000,0,hwhints,1000\n')).toBe(true);
    expect(text.split('\n').length).toBe(60000 + 3);
  });

  it('a FIFO output gets nothing when the input is bad, all of it when it is good (its reader got the events up to the bad line)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'fifo-'));
    const good = Array.from({ length: 60000 }, (_, i) => `0x${(0x200000 + (i % 5000)).toString(16)},0,hwhints,${1000 + i}`).join('\n');
    fs.writeFileSync(path.join(d, 'bad.csv'), `pfn,nid,src,time\n${good}\nbad,0,hwhints,1\n`);
    fs.writeFileSync(path.join(d, 'good.csv'), `pfn,nid,src,time\n${good}\n`);
    const bad = bash('mkfifo f; cat f > ev.txt & $K replay --format vmstat --events f bad.csv; echo "rc=$?"; wait; cat f > cv.txt & $K convert -o f bad.csv; wait', d);
    expect(bad.stdout).toBe('rc=2\n');
    expect(fs.readFileSync(path.join(d, 'ev.txt'), 'utf8')).toBe('');
    expect(fs.readFileSync(path.join(d, 'cv.txt'), 'utf8')).toBe('');
    const ok = bash('cat f > cv.txt & $K convert -o f good.csv; wait', d);
    expect(ok.status, ok.stderr).toBe(0);
    expect(fs.readFileSync(path.join(d, 'cv.txt'), 'utf8').split('\n').length).toBe(60000 + 2);
    expect(fs.lstatSync(path.join(d, 'f')).isFIFO()).toBe(true);
  });

  it('a symlink to /dev/stdout with stdout a pipe: written to the pipe (was ENOENT after the run)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'fd-'));
    fs.symlinkSync('/dev/stdout', path.join(d, 'stdout-link'));
    const r = bash('$K gen --records 3 -o stdout-link | cat', d);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('pfn,nid,src,time');
    expect(r.stdout.trim().split('\n').length).toBe(4);
  });

  it('replay --events /dev/stdout is --events -: the summary goes to stderr, the CSV alone on stdout', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'fd-'));
    const r = bash(`$K replay --format vmstat --events /dev/stdout ${TRACE} > out.txt`, d);
    expect(r.status, r.stderr).toBe(0);
    const out = fs.readFileSync(path.join(d, 'out.txt'), 'utf8');
    expect(out.split('\n')[0]).toBe('time,node,pfn,from,to,outcome');
    expect(out).not.toContain('kpromoted_recorded_accesses');
    expect(r.stderr).toContain('kpromoted_recorded_accesses 10');
    const both = await runCli(['replay', '--events', '-', '--timeline-csv', '/proc/self/fd/1', TRACE]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--events "-" and --timeline-csv "\/proc\/self\/fd\/1" name standard output/);
  });

  it('a descriptor that is not open for writing is refused before the run', async () => {
    const r = await runCli(['gen', '--records', '2', '-o', '/dev/fd/987']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-o "\/dev\/fd\/987": cannot write descriptor 987: EBADF/);
  });
});

describe('symlinks are followed as the kernel follows them', () => {
  it('a relative link inside a symlinked directory is read from its real directory (`..` after the links)', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'ln-'));
    fs.mkdirSync(path.join(d, 'real/sub'), { recursive: true });
    fs.symlinkSync('real/sub', path.join(d, 'd'));
    fs.writeFileSync(path.join(d, 'real/target.csv'), 'old\n');
    fs.symlinkSync('../target.csv', path.join(d, 'real/sub/out.csv'));
    const r = await runCli(['gen', '--records', '2', '-o', path.join(d, 'd/out.csv')]);
    expect(r.code, r.stderr).toBe(0);
    // Resolved by text, d/../target.csv is a new file beside d; the kernel reads ../ from real/sub.
    expect(fs.readFileSync(path.join(d, 'real/target.csv'), 'utf8').split('\n')[0]).toBe('pfn,nid,src,time');
    expect(fs.existsSync(path.join(d, 'target.csv'))).toBe(false);
    expect(fs.lstatSync(path.join(d, 'real/sub/out.csv')).isSymbolicLink()).toBe(true);
    // `..` in the path given, after a symlinked directory, is the real directory's parent too.
    const r2 = await runCli(['gen', '--records', '1', '-o', `${d}/d/../x.csv`]); // not path.join: it would drop d/..
    expect(r2.code, r2.stderr).toBe(0);
    expect(fs.existsSync(path.join(d, 'real/x.csv'))).toBe(true);
    expect(fs.existsSync(path.join(d, 'x.csv'))).toBe(false);
  });
});

describe('a file that cannot be renamed over is rewritten in place', () => {
  // Needs root (to run as nobody) and a checkout nobody can read (a clone in a 0700 directory is not).
  const nobody = isRoot && spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', BIN]).status === 0;
  if (isRoot && !nobody) console.warn(`skipped: user nobody cannot read ${BIN}`);

  it.runIf(nobody)('another user\'s writable file in a sticky directory (was EPERM after the whole run)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'sticky-'));
    // nobody must reach it: every directory above it (the tests' own temporary directories) searchable
    for (let up = dir; up !== path.dirname(up) && fs.statSync(up).uid === 0 && (fs.statSync(up).mode & 0o001) === 0; up = path.dirname(up)) fs.chmodSync(up, fs.statSync(up).mode | 0o011);
    fs.chmodSync(d, 0o1777);
    const shared = path.join(d, 'shared.csv');
    fs.writeFileSync(shared, 'old\n');
    fs.chmodSync(shared, 0o666);
    const ino = fs.statSync(shared).ino;
    const trace = path.join(d, 'in.csv');
    fs.copyFileSync(TRACE, trace);
    fs.chmodSync(trace, 0o644);
    const r = spawnSync('runuser', ['-u', 'nobody', '--', 'env', 'TMPDIR=/tmp', process.execPath, BIN, 'convert', trace, '-o', shared], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const st = fs.statSync(shared);
    expect(st.ino).toBe(ino);
    expect(st.uid).toBe(0);
    expect(fs.readFileSync(shared, 'utf8').split('\n')[0]).toBe('pfn,nid,src,time');
    expect(temps(d)).toEqual([]);
  });

  it.runIf(isRoot)('an append-only directory: the rename is refused, the file is written, the emptied temporary file named', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'append-'));
    if (spawnSync('chattr', ['+a', d]).status !== 0) {
      console.warn('skipped: chattr +a is not supported here');
      return;
    }
    try {
      const r = await runCli(['gen', '--records', '100', '-o', path.join(d, 'x.csv')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/written in place \(the directory refused the rename: EPERM.*\), but its emptied temporary file .*\.x\.csv\.\d+\.\d+\.tmp could not be removed/);
      expect(fs.readFileSync(path.join(d, 'x.csv'), 'utf8').trim().split('\n').length).toBe(101);
      for (const t of temps(d)) expect(fs.statSync(path.join(d, t)).size).toBe(0);
    } finally {
      spawnSync('chattr', ['-a', d]);
    }
  });
});

describe('spooled standard output, copied asynchronously', () => {
  it('commitAsync() waits for a slow reader between chunks (the whole spool was queued in memory for a pipe)', async () => {
    let bytes = 0;
    let release: () => void = () => {};
    const out = {
      isTTY: false,
      write(text: string) {
        bytes += text.length;
      },
      drained: (): Promise<void> => new Promise<void>((resolve) => (release = resolve)),
    };
    const f = new OutputFile('-', { stdout: out });
    const chunk = 'x'.repeat(1 << 20);
    for (let i = 0; i < 4; i++) f.write(chunk);
    const done = f.commitAsync();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(bytes).toBe(1 << 20); // one chunk, then it waits for the reader
    out.drained = () => Promise.resolve();
    release();
    await done;
    expect(bytes).toBe(4 << 20);
  });

  it('commitAsync() lets the event loop run between chunks (a signal can end a long copy)', async () => {
    const out = new CaptureOut();
    const f = new OutputFile('-', { stdout: out });
    const chunk = 'x'.repeat(1 << 20);
    for (let i = 0; i < 4; i++) f.write(chunk);
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (turns < 100) setImmediate(tick);
    };
    setImmediate(tick);
    await f.commitAsync();
    expect(out.text.length).toBe(4 << 20);
    expect(turns).toBeGreaterThanOrEqual(3);
  });
});

describe('a .gz output name', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-gz-'));

  it('is written gzip-compressed, in members of bounded size that gunzip reads as one file', async () => {
    const file = path.join(dir(), 'x.csv.gz');
    const out = new OutputFile(file, { option: '-o' });
    await out.open();
    const line = 'pfn,nid,src,time\n'.repeat(1000);
    let want = '';
    while (want.length <= 2 * GZIP_MEMBER_BYTES) {
      out.write(line);
      out.write(Buffer.from(line));
      want += line + line;
    }
    out.commit();
    const bytes = fs.readFileSync(file);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.indexOf(Buffer.from([0x1f, 0x8b, 8]), 1)).toBeGreaterThan(0); // more than one member
    expect(gunzipSync(bytes).toString()).toBe(want);
  });

  it('is an empty gzip file when nothing was written; the same name without .gz stays plain', async () => {
    const d = dir();
    const gz = new OutputFile(path.join(d, 'e.gz'), { option: '-o' });
    await gz.open();
    gz.commit();
    expect(gunzipSync(fs.readFileSync(path.join(d, 'e.gz'))).length).toBe(0);
    const plain = new OutputFile(path.join(d, 'p.csv'), { option: '-o' });
    await plain.open();
    plain.write('a\n');
    plain.commit();
    expect(fs.readFileSync(path.join(d, 'p.csv'), 'utf8')).toBe('a\n');
  });

  it('gen -o and convert -o write a .gz that replay reads back', async () => {
    const d = dir();
    const spec = path.resolve(__dirname, '../../traces/spec-worked.csv');
    expect((await runCli(['convert', spec, '-o', path.join(d, 'c.csv.gz')])).code).toBe(0);
    expect((await runCli(['convert', spec, '-o', path.join(d, 'c.csv')])).code).toBe(0);
    expect(gunzipSync(fs.readFileSync(path.join(d, 'c.csv.gz'))).toString()).toBe(fs.readFileSync(path.join(d, 'c.csv'), 'utf8'));
    expect((await runCli(['gen', '--records', '1000', '-o', path.join(d, 'g.csv.gz')])).code).toBe(0);
    const r = await runCli(['replay', '--format', 'vmstat', path.join(d, 'g.csv.gz')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kpromoted_recorded_accesses 1000\n');
  });
});
