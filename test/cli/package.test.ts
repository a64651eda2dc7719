/**
 * The package as npm ships it: `npm pack` holds exactly what a user needs, and the tarball installed into a
 * temporary prefix (`npm install -g --prefix`) gives a working `kpromo` on that prefix's bin/. The package
 * has no runtime dependencies (dist/bundle is self-contained), so the install needs no network.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';

const ROOT = path.resolve(__dirname, '../..');
const TRACES = path.join(ROOT, 'traces');
const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

describe('npm package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies?: object; bin: Record<string, string> };

  it('has the version kpromo --version prints and no runtime dependencies', () => {
    expect(pkg.version).toBe(VERSION);
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ kpromo: 'bin/kpromo.js' });
  });

  it('packs exactly the CLI, its bundle, the JSON schema and the README; installed, kpromo runs from the prefix', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist/bundle/main.cjs')), 'run npm run build first (npm ci does)').toBe(true);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-pack-'));
    // --ignore-scripts: pack what is built; the build (prepare) is not re-run under the other tests' feet.
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path).sort();
    // The CLI's V8 code cache (dist/bundle/main.<build id>.cache, tools/code-cache.mjs) besides the named files.
    const caches = files.filter((f) => /^dist\/bundle\/main\.[0-9a-f]+\.cache$/.test(f));
    expect(caches).toHaveLength(1);
    expect(files.filter((f) => f !== caches[0])).toEqual([
      'README.md',
      'bin/early-thread.js',
      'bin/kpromo.js',
      'bin/package.json',
      'dist/bundle/THIRD-PARTY-LICENSES.txt',
      'dist/bundle/lane-worker.cjs',
      'dist/bundle/main.cjs',
      'dist/bundle/parse-worker.cjs',
      'docs/kpromo-output.schema.json',
      'package.json',
    ]);
    const prefix = path.join(tmp, 'prefix');
    const install = npm(['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(tmp, info!.filename)], tmp);
    expect(install.status, install.stderr).toBe(0);
    const kpromo = path.join(prefix, 'bin', 'kpromo');
    const env = { ...process.env, NO_COLOR: '1', PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
    const run = (args: string[]) => spawnSync(kpromo, args, { cwd: tmp, env, encoding: 'utf8' });
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
    const replay = run(['replay', '--format', 'vmstat', '--topology', path.join(TRACES, 'spec-worked.topology.json'), path.join(TRACES, 'spec-worked.csv')]);
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toBe(fs.readFileSync(path.join(TRACES, 'spec-worked.vmstat'), 'utf8'));
    // Worker threads start from the installed bundle too (one read, one worker per configuration).
    const sweep = run(['sweep', '--jobs', '2', '--threshold', '1..6', '--format', 'csv', path.join(TRACES, 'spec-worked.csv')]);
    expect(sweep.status, sweep.stderr).toBe(0);
    expect(sweep.stdout.trim().split('\n')).toHaveLength(7);
    const parsed = run(['replay', '--parse-thread', 'on', '--format', 'vmstat', '--topology', path.join(TRACES, 'spec-worked.topology.json'), path.join(TRACES, 'spec-worked.csv')]);
    expect(parsed.stdout).toBe(replay.stdout);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  it('installs from a clone with npm install -g . (a link to the clone), as the README says', () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-link-'));
    // --ignore-scripts: the clone is built already (npm ci); the build is not re-run under the other tests' feet.
    const install = npm(['install', '-g', '--prefix', prefix, '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '.'], ROOT);
    expect(install.status, install.stderr).toBe(0);
    const r = spawnSync(path.join(prefix, 'bin', 'kpromo'), ['replay', '--format', 'vmstat', path.join(TRACES, 'numa-no-node.csv'), '--topology', path.join(TRACES, 'numa-no-node.topology.json')], { cwd: prefix, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(TRACES, 'numa-no-node.vmstat'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).join('\n') + '\n');
    fs.rmSync(prefix, { recursive: true, force: true });
  });
});
