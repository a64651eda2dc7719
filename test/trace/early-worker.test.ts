/**
 * src/trace/early-worker.ts: a parse thread started before its work is known is taken by the next threaded read,
 * which gives the same records and stats as a read that starts its own thread; one never taken does not keep the
 * process alive.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_SETTINGS } from '../../src/trace/input.js';
import { earlyParseThreadsTaken, startParseThreadEarly } from '../../src/trace/early-worker.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';

const ROOT = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-early-worker-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function csv(n: number): string {
  let out = 'pfn,nid,src,time\n';
  for (let i = 0; i < n; i++) out += `0x${(0x200000 + ((i * 7919) % 300000)).toString(16)},${(i % 3) - 1},${i & 1 ? 'pgtscan' : 'hwhints'},${4294892296 + (i >> 4)}\n`;
  return out;
}

/** Records (flat) and stats of a threaded read of `file`, with or without a thread started early, and threads taken. */
async function read(file: string, early: boolean, blockBytes?: number): Promise<{ records: number[]; stats: unknown; taken: number }> {
  const before = earlyParseThreadsTaken();
  if (early) startParseThreadEarly();
  const records: number[] = [];
  const stats = await readInputsThreaded([{ name: file }], { record_access: (...r) => records.push(...r) }, {
    input: DEFAULT_INPUT_SETTINGS,
    topology: SPEC_2S_CXL,
    hz: 250,
    ...(blockBytes !== undefined ? { blockBytes } : {}),
  });
  return { records, stats, taken: earlyParseThreadsTaken() - before };
}

describe.skipIf(!fs.existsSync(parseWorkerPath()))('a parse thread started early', () => {
  const file = path.join(dir, 'trace.csv');
  fs.writeFileSync(file, csv(20_000));

  for (const [what, blockBytes] of [
    ['a read in blocks by both threads', 1 << 16],
    ['a read by the parse thread alone', 0],
  ] as const) {
    it(`is taken by ${what}, with the same records and stats`, async () => {
      const fresh = await read(file, false, blockBytes);
      expect(fresh.taken).toBe(0);
      const early = await read(file, true, blockBytes);
      expect(early.taken).toBe(1);
      expect(early.records.length).toBe(4 * 20_000);
      expect(early.records).toEqual(fresh.records);
      expect(early.stats).toEqual(fresh.stats);
    });
  }

  it('reports a bad line of the file as a thread started by the read does', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, `${csv(100)}0x1,0,hwhints,notatime\n`);
    const errorOf = (early: boolean) => read(bad, early, 1 << 16).then(() => null, (e: Error) => e.message);
    const fresh = await errorOf(false);
    expect(fresh).toMatch(/bad\.csv.*102/);
    expect(await errorOf(true)).toBe(fresh);
  });

  it('keeps no process alive when no read takes it', () => {
    // A script file, not `node --input-type=module -e`: a worker inherits the process's execArgv, and that flag
    // ends it at once (so it would keep nothing alive either way).
    const url = pathToFileURL(path.join(ROOT, 'dist/src/trace/early-worker.js')).href;
    const script = path.join(dir, 'start-early.mjs');
    fs.writeFileSync(
      script,
      `const m = await import(${JSON.stringify(url)});\nm.startParseThreadEarly();\n` +
        // Ended by a signal if the thread kept the process alive past the timer: the test then fails on the signal.
        `setTimeout(() => { process.stdout.write('timer\\n'); }, 500);\nsetTimeout(() => { process.stdout.write('still alive\\n'); process.kill(process.pid, 'SIGKILL'); }, 8000).unref();\n`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout).toBe('timer\n');
    expect(r.signal, 'the process had to be killed: the waiting thread kept it alive').toBeNull();
    expect(r.status, r.stderr).toBe(0);
  });
});
