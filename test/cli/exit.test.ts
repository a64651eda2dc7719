/**
 * The end of the process, through the built binary: a reader of a pipe that is slower than kpromo gets every byte,
 * also of an output written in one piece at a command's end, most of which waits in the stdout stream's queue when
 * the command is done. (A process.exit() as soon as the command returns cuts it to what the pipe's buffer held: 192 KB
 * of a 2 MB sweep JSON, measured 2026-12-03 with a scratch build that did so. It saved no time: the process ends 2-3 ms
 * after the command returns either way.)
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const TRACE = path.join(ROOT, 'traces/spec-worked.csv');
const env = { ...process.env, NO_COLOR: '1' };

/**
 * Runs kpromo with stdout on a pipe read in pieces, with a pause of `pauseMs` after each (and `firstMs` before the
 * first): its writes queue in the stream, and its last ones may still be queued when the command is done.
 */
function slowRead(argv: string[], pauseMs = 50, firstMs = 0): Promise<{ code: number | null; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    // Nothing read for the first `firstMs`: the pipe's buffer fills, and the rest waits in kpromo's stream.
    if (firstMs > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), firstMs);
    }
    child.stdout.on('data', (b: Buffer) => {
      chunks.push(b);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), pauseMs);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const all = Buffer.concat(chunks);
      resolve({ code, bytes: all.length, text: all.toString('latin1') });
    });
  });
}

describe('the end of the process', () => {
  it('a slow reader of a pipe gets every byte of a large output (gen), and exit code 0', async () => {
    const argv = ['gen', '--records', '20000', '--seed', '7'];
    const whole = spawnSync(process.execPath, [BIN, ...argv], { env, maxBuffer: 1 << 28 });
    expect(whole.status).toBe(0);
    expect(whole.stdout.length).toBeGreaterThan(256 << 10); // several pipe buffers
    const r = await slowRead(argv);
    expect(r.code).toBe(0);
    expect(r.bytes).toBe(whole.stdout.length);
    expect(r.text.endsWith('\n')).toBe(true);
  });

  it('a reader that waits gets the whole JSON of a sweep written in one piece at its end (800 KB), and exit code 0', async () => {
    // 600 configurations: the JSON is written at once, and all but a pipe's buffer of it waits in the stream's queue.
    const argv = ['sweep', '--threshold', Array.from({ length: 600 }, (_, i) => i + 1).join(','), '--format', 'json', TRACE];
    const whole = spawnSync(process.execPath, [BIN, ...argv], { env, maxBuffer: 1 << 28 });
    expect(whole.status).toBe(0);
    expect(whole.stdout.length).toBeGreaterThan(512 << 10);
    const r = await slowRead(argv, 50, 500);
    expect(r.code).toBe(0);
    expect(r.bytes).toBe(whole.stdout.length);
    expect(JSON.parse(r.text)).toHaveProperty('configurations');
  });
});
