/**
 * src/trace/start-worker.ts: a worker started there has no optimizing compile jobs on V8's background threads, so
 * none can still run when Node 20 ends the worker (the abort that the module's comment describes).
 * Seen from outside, as V8 reports it: `node --trace-opt` prints the mode of every optimizing compile.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BUILT = pathToFileURL(path.join(ROOT, 'dist/src/trace/start-worker.js')).href;

let dir: string;
let hot: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-start-worker-'));
  hot = path.join(dir, 'hot.cjs');
  // One function made hot enough for Turbofan, in the worker only.
  fs.writeFileSync(hot, 'function hotLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }\nlet t = 0;\nfor (let k = 0; k < 3000; k++) t += hotLoop(1000);\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The modes V8 compiled hotLoop with, in a worker started by `start` (ES module text given `file`). */
function modesOf(start: string): string[] {
  const script = `${start}\nw.once('exit', (c) => process.exit(c));`;
  const r = spawnSync(process.execPath, ['--trace-opt', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, HOT: hot } });
  expect(r.status, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/compiling method [^\n]*hotLoop[^\n]*mode: ConcurrencyMode::(k\w+)/g)].map((m) => m[1]!);
}

describe('workerStarter', () => {
  it('starts a worker whose optimizing compiles run on its own thread, not in the background', () => {
    const modes = modesOf(`const { workerStarter } = await import(${JSON.stringify(BUILT)});\nconst w = (await workerStarter())(process.env.HOT, {});`);
    expect(modes.length).toBeGreaterThan(0);
    expect(new Set(modes)).toEqual(new Set(['kSynchronous']));
  });

  it('(the control: a worker started as Node starts it compiles in the background, so the test above can tell)', () => {
    const modes = modesOf(`const { Worker } = await import('node:worker_threads');\nconst w = new Worker(process.env.HOT);`);
    expect(modes).toContain('kConcurrent');
  });

  it('is the only place in src/ that starts a worker thread', () => {
    const starts: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ts$/.test(e.name) && /new\s+(?:Worker|W)\s*\(/.test(fs.readFileSync(p, 'utf8'))) starts.push(path.relative(ROOT, p));
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(starts).toEqual(['src/trace/start-worker.ts']);
  });
});
