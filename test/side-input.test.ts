/**
 * Side inputs are bounded (issue 10 section 3): --topology, numactl output, sysfs files, --expect goldens and
 * check's .args are regular files of at most 16 MiB; a device or FIFO is refused at once, and deeply nested JSON
 * is a usage error (exit 2), not a stack overflow (exit 70).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSideFile, SIDE_INPUT_MAX, SideInputError } from '../src/side-input.js';
import { parseJsonBounded } from '../src/json-source.js';
import { runCli } from './cli/run-cli.js';

const TRACE = path.resolve(__dirname, '../traces/spec-worked.csv');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-side-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readSideFile', () => {
  it('reads a small regular file', () => {
    const f = path.join(dir, 'a.txt');
    fs.writeFileSync(f, 'hello\n');
    expect(readSideFile(f, 'test file')).toBe('hello\n');
  });

  it('refuses a file above the cap, with its size, before reading it', () => {
    const f = path.join(dir, 'big.json');
    fs.closeSync(fs.openSync(f, 'w'));
    fs.truncateSync(f, SIDE_INPUT_MAX + 1); // sparse: no disk used
    expect(() => readSideFile(f, 'topology file')).toThrow(/is 16777217 bytes, more than the 16777216 bytes a topology file may have/);
  });

  it('refuses devices, FIFOs and directories', () => {
    expect(() => readSideFile('/dev/zero', 'golden file')).toThrow(/not a regular file/);
    const fifo = path.join(dir, 'f.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readSideFile(fifo, 'golden file')).toThrow(/not a regular file/); // no writer: must not block
    expect(() => readSideFile(dir, 'golden file')).toThrow(/is a directory/);
  });

  it('a missing file is a SideInputError with exit 2', () => {
    let err: unknown;
    try {
      readSideFile(path.join(dir, 'none'), 'golden file');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SideInputError);
    expect((err as SideInputError).exitCode).toBe(2);
    expect((err as SideInputError).reason).toMatch(/^cannot read: ENOENT/);
  });
});

describe('side inputs through the CLI', () => {
  it('--expect /dev/zero ends at once with exit 2 (was 12.7 GB in a minute)', async () => {
    const t = Date.now();
    const r = await runCli(['replay', '--expect', '/dev/zero', TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kpromo: golden file /dev/zero: is not a regular file (a device, FIFO or socket cannot be read whole)\n');
    expect(r.stdout).toBe('');
    expect(Date.now() - t).toBeLessThan(10000);
  });

  it('--topology /dev/zero and numactl:/dev/zero are refused', async () => {
    const a = await runCli(['replay', '--topology', '/dev/zero', TRACE]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/not a regular file/);
    const b = await runCli(['replay', '--topology', 'numactl:/dev/zero', TRACE]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/not a regular file/);
    // kpromo topo streams numactl output (it also reads it from stdin), bounded at 4 MiB
    const c = await runCli(['topo', '--from-numactl', '/dev/zero']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/more than \d+ bytes/);
  });

  it('a topology file above 16 MiB is refused with its size', async () => {
    const f = path.join(dir, 'huge-topology.json');
    fs.closeSync(fs.openSync(f, 'w'));
    fs.truncateSync(f, 64 << 20);
    const r = await runCli(['replay', '--topology', f, TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is 67108864 bytes, more than the 16777216 bytes a topology file may have/);
  });

  it('a sysfs file above its cap is an error, not read whole', async () => {
    const node = path.join(dir, 'sysfs', 'node0');
    fs.mkdirSync(node, { recursive: true });
    const f = path.join(node, 'cpulist');
    fs.closeSync(fs.openSync(f, 'w'));
    fs.truncateSync(f, 32 << 20);
    const r = await runCli(['topo', '--from-sysfs', path.join(dir, 'sysfs')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sysfs file .*cpulist: is 33554432 bytes/);
  });

  it('check refuses a .args that is not a regular file', async () => {
    const d = path.join(dir, 'check');
    fs.mkdirSync(d);
    fs.copyFileSync(TRACE, path.join(d, 'w.csv'));
    fs.copyFileSync(TRACE.replace(/\.csv$/, '.vmstat'), path.join(d, 'w.vmstat'));
    fs.symlinkSync('/dev/zero', path.join(d, 'w.args'));
    const r = await runCli(['check', d]);
    expect(r.code).toBe(2);
    // The check table wraps its detail column at the terminal's width: read the cells' text as one line.
    const text = (r.stdout + r.stderr).replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ').replace(/\s+/g, ' ');
    expect(text).toMatch(/args file .*w\.args: is not a regular file/);
  });
});

describe('deeply nested JSON', () => {
  it('100 000 [ in a topology file: exit 2 with a message (was exit 70, call stack exceeded)', async () => {
    const f = path.join(dir, 'deep.json');
    fs.writeFileSync(f, '['.repeat(100000));
    const r = await runCli(['replay', '--topology', f, TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deep\.json:1:513: \[0\]\[0\].*\.\.\. \(512 steps\): not valid JSON: nested more than 512 levels deep\n/);
    expect(r.stderr).not.toMatch(/internal error|call stack/);
  });

  it('parseJsonBounded: brackets inside strings do not count; real JSON parses', () => {
    expect(parseJsonBounded(JSON.stringify({ name: '['.repeat(10000) }))).toMatchObject({ value: { name: '['.repeat(10000) } });
    expect(parseJsonBounded('{"a": "\\"[[["}')).toMatchObject({ value: { a: '"[[[' } });
    expect('error' in parseJsonBounded('{"a": ')).toBe(true);
  });
});

describe('names from files are escaped on the terminal', () => {
  it('a topology name with ESC, CR and LF: escaped in the replay table and in topo', async () => {
    const topo = JSON.parse(fs.readFileSync(TRACE.replace(/\.csv$/, '.topology.json'), 'utf8')) as { name: string };
    topo.name = 'evil\x1b[2J\r\nname';
    const f = path.join(dir, 'evil.json');
    fs.writeFileSync(f, JSON.stringify(topo));
    const r = await runCli(['replay', '--topology', f, TRACE]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b|\r/);
    expect(r.stdout).toContain('evil\\x1b[2J\\r\\nname');
    const t = await runCli(['topo', f]);
    expect(t.code).toBe(0);
    expect(t.stdout).not.toMatch(/\x1b|\r/);
    expect(t.stdout).toContain('topology evil\\x1b[2J\\r\\nname');
  });

  it('a trace file name with control characters: escaped in the table and quoted in errors', async () => {
    const f = path.join(dir, 'tr\x1b]0;pwned\x07.csv');
    fs.writeFileSync(f, 'pfn,nid,src,time\n0x10,0,hwhints,5\n');
    const r = await runCli(['replay', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b|\x07/);
    fs.writeFileSync(f, 'pfn,nid,src,time\n0x10,0,hwhint,5\n');
    const e = await runCli(['replay', f]);
    expect(e.code).toBe(2);
    expect(e.stderr).not.toMatch(/\x1b|\x07/);
    expect(e.stderr).toContain('\\u001b]0;pwned\\u0007.csv');
  });

  it('a 1 MB bad CSV line is quoted in 200 characters (was 1 MB on stderr)', async () => {
    const r = await runCli(['replay', '-'], { stdin: `pfn,nid,src,time\n0x10,0,${'h'.repeat(1 << 19)},5\n` });
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stderr).toMatch(/\.\.\. \(524288 characters\)/);
  });
});
