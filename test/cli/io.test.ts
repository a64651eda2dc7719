/**
 * src/cli/io.ts: standard output and error written straight to a regular file or a memory device (as Node's own
 * stream for them writes, one write(2) each), kept as streams for terminals and pipes; and what a start loads.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directWrites, writeAll } from '../../src/cli/io.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const TRACE = path.join(ROOT, 'traces/spec-worked.csv');
const TOPO = path.join(ROOT, 'traces/spec-worked.topology.json');
const dir = mkdtempSync(path.join(tmpdir(), 'kpromo-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, NO_COLOR: '1' };

function withFd<T>(p: string, flags: number, f: (fd: number) => T): T {
  const fd = openSync(p, flags);
  try {
    return f(fd);
  } finally {
    closeSync(fd);
  }
}

describe('directWrites', () => {
  it('a regular file, /dev/null and /dev/full: yes; a FIFO: no', () => {
    expect(withFd(path.join(dir, 'out.txt'), constants.O_WRONLY | constants.O_CREAT, directWrites)).toBe(true);
    if (process.platform !== 'linux') return;
    expect(withFd('/dev/null', constants.O_WRONLY, directWrites)).toBe(true);
    expect(withFd('/dev/full', constants.O_WRONLY, directWrites)).toBe(true);
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(withFd(fifo, constants.O_RDWR, directWrites)).toBe(false); // O_RDWR: Linux opens a FIFO without a peer
    expect(directWrites(1 << 20)).toBe(false); // no such descriptor
  });

  it('writeAll writes every byte of the text, UTF-8', () => {
    const p = path.join(dir, 'all.txt');
    const text = '┌─┐ é 𝄞\n'.repeat(50_000);
    withFd(p, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, (fd) => writeAll(fd, text));
    expect(readFileSync(p, 'utf8')).toBe(text);
  });
});

describe('the built command', () => {
  const args = ['replay', TRACE, '--topology', TOPO];

  it('prints the same bytes to a file, to /dev/null (no error) and to a pipe', () => {
    const piped = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
    expect(piped.status).toBe(0);
    const p = path.join(dir, 'replay.txt');
    const fd = openSync(p, 'w');
    const filed = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    expect(filed.status).toBe(0);
    expect(readFileSync(p, 'utf8')).toBe(piped.stdout);
    expect(piped.stdout).toContain('kpromoted_mig_promoted');
    const nul = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    expect(nul.status).toBe(0);
    expect(nul.stderr).toBe(piped.stderr); // the worked example's warning (a pfn in no range), and nothing else
  });

  it('a replay of a small file with output to files loads no stream, promise-fs, net, readline, os or string_decoder module of Node', () => {
    const list = path.join(dir, 'modules.txt');
    const preload = path.join(dir, 'preload.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
    const out = openSync(path.join(dir, 'r.out'), 'w');
    const err = openSync(path.join(dir, 'r.err'), 'w');
    const r = spawnSync(process.execPath, ['-r', preload, BIN, ...args], { env, stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    expect(r.status).toBe(0);
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule vm'); // the list is the real one
    for (const m of ['NativeModule stream', 'NativeModule fs/promises', 'NativeModule net', 'NativeModule internal/readline/interface', 'NativeModule internal/modules/esm/loader', 'NativeModule os', 'NativeModule string_decoder']) {
      expect(loaded, m).not.toContain(m);
    }
  });
});

describe('standard input that is a directory (`< /`)', () => {
  it('is an error naming - and EISDIR on every path that reads it, never an empty input (page, replay --parse-thread off, merge, topo --from-numactl read nothing and went on)', () => {
    const fd = openSync('/', 'r');
    try {
      for (const args of [['page', '0x1'], ['replay', '--parse-thread', 'off'], ['convert', '--parse-thread', 'off'], ['replay'], ['merge', '-'], ['topo', '--from-numactl', '-']]) {
        const r = spawnSync(process.execPath, [BIN, ...args], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', env });
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stdout, args.join(' ')).toBe('');
        expect(r.stderr, args.join(' ')).toMatch(/(-|standard input): EISDIR/);
      }
    } finally {
      closeSync(fd);
    }
  });
});
