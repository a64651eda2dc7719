/**
 * When a replay parses on a second thread (src/run/replay.ts useParseThread()): under `--parse-thread auto`, trace files
 * of PARSE_THREAD_MIN_BYTES (4 MiB) or more together, none smaller; `on` and `off` whatever the size.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PARSE_THREAD_MIN_BYTES, useParseThread } from '../../src/run/replay.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A sparse file of `bytes` bytes (its size is all useParseThread() reads). */
function fileOf(bytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-parse-thread-'));
  dirs.push(dir);
  const file = path.join(dir, `t${bytes}.csv`);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, bytes);
  return file;
}

describe('useParseThread', () => {
  it('auto parses files of 4 MiB or more on the second thread, and smaller ones here', () => {
    expect(PARSE_THREAD_MIN_BYTES).toBe(4 * 1024 * 1024);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES - 1) }] }, {})).toBe(false);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES) }] }, {})).toBe(true);
    // Two files that reach it together.
    const half = PARSE_THREAD_MIN_BYTES / 2;
    expect(useParseThread({ inputs: [{ name: fileOf(half) }, { name: fileOf(half) }] }, {})).toBe(true);
  });

  it('on and off do as told; a missing file is left to the in-process reader to report', () => {
    expect(useParseThread({ inputs: [{ name: fileOf(10) }], parseThread: 'on' }, {})).toBe(true);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES) }], parseThread: 'off' }, {})).toBe(false);
    expect(useParseThread({ inputs: [{ name: path.join(os.tmpdir(), 'kpromo-no-such-file.csv') }] }, {})).toBe(false);
  });
});
