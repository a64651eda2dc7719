/**
 * bin/early-thread.js: the parse thread a `kpromo replay` of a large file starts before the CLI loads, which
 * src/trace/early-worker.ts adopts as its thread started early (or ends, when the replay's plan has no parse thread).
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_PARSE_THREAD_MIN_BYTES } from '../../src/run/replay.js';
import { DEFAULT_INPUT_SETTINGS } from '../../src/trace/input.js';
import { dropPreStartedThread, earlyParseThreadsTaken, startParseThreadEarly } from '../../src/trace/early-worker.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { PARSE_THREAD_LIMITS } from '../../src/trace/worker-link.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';

const require = createRequire(import.meta.url);
const early = require('../../bin/early-thread.js') as {
  wantsParseThread(args: string[], stat?: (p: string) => { isFile(): boolean; size: number }): boolean;
  startEarlyThread(args: string[], stat?: (p: string) => { isFile(): boolean; size: number }): Worker | null;
  MIN_BYTES: number;
  LIMITS: object;
};
const BUNDLE_WORKER = path.resolve(__dirname, '../../dist/bundle/parse-worker.cjs');

/** A stat that says `big` is a regular file of 64 MiB, `small` one of 1 MiB, `dir` a directory. */
const fakeStat = (p: string) => {
  if (p === 'big.csv' || p === 'big.gz') return { isFile: () => true, size: 64 << 20 };
  if (p === 'small.csv') return { isFile: () => true, size: 1 << 20 };
  if (p === 'dir') return { isFile: () => false, size: 64 << 20 };
  throw new Error('ENOENT');
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-early-thread-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bin/early-thread.js', () => {
  it('guesses a parse thread for a replay of a large regular file only', () => {
    const wants = (args: string[]) => early.wantsParseThread(args, fakeStat);
    expect(wants(['replay', 'big.csv'])).toBe(true);
    expect(wants(['replay', '--topology', '2s-cxl', 'small.csv', 'big.csv'])).toBe(true);
    expect(wants(['replay', 'big.csv', '--parse-thread', 'on'])).toBe(true);
    expect(wants(['replay', 'small.csv'])).toBe(false);
    expect(wants(['replay', 'big.gz'])).toBe(false); // gzip: no parse thread
    expect(wants(['replay', 'dir'])).toBe(false);
    expect(wants(['replay', 'missing.csv'])).toBe(false);
    expect(wants(['replay', '-'])).toBe(false); // standard input: the read starts its thread with the stream
    expect(wants(['replay', 'big.csv', '--parse-thread', 'off'])).toBe(false);
    expect(wants(['replay', '--parse-thread=off', 'big.csv'])).toBe(false);
    expect(wants(['replay', '--skip-bad', 'big.csv'])).toBe(false);
    expect(wants(['convert', 'big.csv'])).toBe(false);
    expect(wants(['compare', 'big.csv'])).toBe(false);
    expect(wants([])).toBe(false);
  });

  it('has the replay plan\'s threshold and the parse threads\' limits', () => {
    expect(early.MIN_BYTES).toBe(CSV_PARSE_THREAD_MIN_BYTES);
    expect(early.LIMITS).toEqual(PARSE_THREAD_LIMITS);
  });

  it.skipIf(!fs.existsSync(BUNDLE_WORKER))('starts a thread that the next threaded read takes, with the same records', async () => {
    const file = path.join(dir, 't.csv');
    let text = 'pfn,nid,src,time\n';
    for (let i = 0; i < 20_000; i++) text += `0x${(0x200000 + ((i * 7919) % 300000)).toString(16)},${i % 2},${i & 1 ? 'pgtscan' : 'hwhints'},${4294892296 + (i >> 4)}\n`;
    fs.writeFileSync(file, text);
    const read = async () => {
      const records: number[] = [];
      await readInputsThreaded([{ name: file }], { record_access: (...r) => records.push(...r) }, { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250, blockBytes: 1 << 16 });
      return records;
    };
    const want = await read();
    const before = earlyParseThreadsTaken();
    const worker = early.startEarlyThread(['replay', 'big.csv'], fakeStat)!;
    expect(worker).not.toBeNull();
    let exited = false;
    worker.once('exit', () => (exited = true));
    startParseThreadEarly(); // adopts it
    expect((globalThis as { __kpromoEarlyThread?: unknown }).__kpromoEarlyThread).toBeUndefined();
    const got = await read();
    expect(earlyParseThreadsTaken() - before).toBe(1);
    expect(got).toEqual(want);
    // The read ran on it, and ended it (a thread started by startParseThreadEarly() instead would leave it waiting).
    await new Promise((r) => setTimeout(r, 50));
    expect(exited).toBe(true);
  });

  it.skipIf(!fs.existsSync(BUNDLE_WORKER))('a thread no read will take is ended', async () => {
    const worker = early.startEarlyThread(['replay', 'big.csv'], fakeStat)!;
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    dropPreStartedThread();
    await expect(exited).resolves.toBeTypeOf('number');
    expect((globalThis as { __kpromoEarlyThread?: unknown }).__kpromoEarlyThread).toBeUndefined();
    expect(early.startEarlyThread(['replay', 'small.csv'], fakeStat)).toBeNull();
  });
});
