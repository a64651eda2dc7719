/**
 * .ci/run: the README's two commands, and nothing after a failed install. (Under `set -e`, bash goes on after a failed
 * command that is not the last of an && list: `npm ci && npx kpromo ...` failing at `npm ci` went on to `npm test`.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** Runs a copy of .ci/run with fake `npm`, `npx` and `chromium` that log their arguments; `npm ci` exits `ciStatus`. */
function runCi(ciStatus: number): { status: number | null; log: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-ci-run-'));
  try {
    fs.mkdirSync(path.join(dir, '.ci'));
    fs.copyFileSync(path.join(ROOT, '.ci/run'), path.join(dir, '.ci/run'));
    const bin = path.join(dir, 'fake-bin');
    fs.mkdirSync(bin);
    const log = path.join(dir, 'calls.log');
    const fake = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
    fake('npm', `[ "$1" = ci ] && exit ${ciStatus}\nexit 0`);
    fake('npx', 'exit 0');
    fake('chromium', 'exit 0');
    const r = spawnSync('bash', [path.join(dir, '.ci/run')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    return { status: r.status, log: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('.ci/run', () => {
  it("runs the README's install-and-replay command, then the test command", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npx kpromo replay --topology traces/spec-worked.topology.json traces/spec-worked.csv\n');
    expect(readme).toMatch(/^npm test$/m);
    const r = runCi(0);
    expect(r.status).toBe(0);
    expect(r.log).toEqual(['npm ci', 'npx kpromo replay --topology traces/spec-worked.topology.json traces/spec-worked.csv', 'npm test']);
  });

  it('fails, and runs nothing more, when the install fails', () => {
    const r = runCi(3);
    expect(r.status).not.toBe(0);
    expect(r.log).toEqual(['npm ci']);
  });
});
