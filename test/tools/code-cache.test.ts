/**
 * bin/kpromo.js and tools/code-cache.mjs: the CLI bundle is compiled with the V8 code cache the build wrote,
 * and runs the same without it, with a cache of another build, or with one cut short.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const require = createRequire(import.meta.url);
const TRACES = path.join(ROOT, 'traces');

/** A copy of bin/ and dist/bundle/ (all the installed package runs), to damage. */
function copyTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-cache-'));
  fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist', 'bundle'), path.join(dir, 'dist', 'bundle'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function replayIn(dir: string) {
  return spawnSync(process.execPath, [path.join(dir, 'bin', 'kpromo.js'), 'replay', '--format', 'vmstat', '--topology', path.join(TRACES, 'spec-worked.topology.json'), path.join(TRACES, 'spec-worked.csv')], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('code cache', () => {
  it('the build wrote one cache, named by the bundle\'s build line, and V8 accepts it', () => {
    const source = fs.readFileSync(path.join(ROOT, 'dist', 'bundle', 'main.cjs'), 'utf8');
    const id = /^\/\/kpromo-build ([0-9a-f]+)\n/.exec(source);
    expect(id, 'run npm run build first (npm ci does)').not.toBeNull();
    const caches = fs.readdirSync(path.join(ROOT, 'dist', 'bundle')).filter((f) => f.endsWith('.cache'));
    expect(caches).toEqual([`main.${id![1]}.cache`]);
    const { loadBundle } = require('../../bin/kpromo.js') as { loadBundle: () => { exports: { main: unknown }; script: { cachedDataRejected?: boolean } } };
    const { exports, script } = loadBundle();
    expect(typeof exports.main).toBe('function');
    expect(script.cachedDataRejected).toBe(false);
  });

  it('runs the same with no cache, a cache of another build, or a cut cache', () => {
    const expected = fs.readFileSync(path.join(TRACES, 'spec-worked.vmstat'), 'utf8');
    const bundle = (dir: string) => path.join(dir, 'dist', 'bundle');
    const cacheOf = (dir: string) => fs.readdirSync(bundle(dir)).find((f) => f.endsWith('.cache'))!;

    const none = copyTree();
    dirs.push(none);
    fs.rmSync(path.join(bundle(none), cacheOf(none)));
    const a = replayIn(none);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe(expected);

    // Another build: the bundle's build line changes (same length), the old cache is not read.
    const other = copyTree();
    dirs.push(other);
    const main = path.join(bundle(other), 'main.cjs');
    const src = fs.readFileSync(main, 'utf8');
    fs.writeFileSync(main, src.replace(/^\/\/kpromo-build ([0-9a-f]+)/, (_, id: string) => `//kpromo-build ${'f'.repeat(id.length)}`));
    const b = replayIn(other);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toBe(expected);

    // Cut short (V8 checks the length it recorded; the build writes the file whole or not at all).
    const cut = copyTree();
    dirs.push(cut);
    const file = path.join(bundle(cut), cacheOf(cut));
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100_000));
    const c = replayIn(cut);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toBe(expected);
  });
});
