/** docs/ci/: the `kpromo check` line of the GitHub Actions workflow and the GitLab job runs as written on a goldens folder. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');

describe.each(['github-actions.yml', 'gitlab-ci.yml'])('docs/ci/%s', (file) => {
  const text = fs.readFileSync(path.join(ROOT, 'docs/ci', file), 'utf8');

  it('runs kpromo check on the goldens folder and publishes the JUnit file it writes', () => {
    const lines = text.split('\n').map((l) => /^\s*(?:- |run: )?(kpromo check .*)$/.exec(l)?.[1]).filter((l) => l !== undefined);
    expect(lines).toEqual(['kpromo check "$GOLDENS" --junit kpromo-check.xml']);
    expect(text).toMatch(/^\s+GOLDENS: goldens\b/m);
    expect(text).toContain(file.startsWith('github') ? 'report_paths: kpromo-check.xml' : 'junit: kpromo-check.xml');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-ci-'));
    fs.cpSync(path.join(ROOT, 'traces'), path.join(dir, 'goldens'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'kpromo'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, GOLDENS: 'goldens', PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` };
    const run = () => spawnSync('sh', ['-c', lines[0]!], { cwd: dir, env, encoding: 'utf8' });
    let r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'kpromo-check.xml'), 'utf8')).toContain(`<testsuites name="kpromo check" tests="${fs.readdirSync(path.join(dir, 'goldens')).filter((f) => f.endsWith('.vmstat')).length}" failures="0" errors="0"`);
    const g = path.join(dir, 'goldens', 'spec-worked.vmstat');
    fs.writeFileSync(g, fs.readFileSync(g, 'utf8').replace('kpromoted_mig_promoted 4', 'kpromoted_mig_promoted 3'));
    r = run();
    expect(r.status).toBe(1); // the CI step fails, the report (written anyway) shows why
    expect(fs.readFileSync(path.join(dir, 'kpromo-check.xml'), 'utf8')).toContain('<failure message="kpromoted_mig_promoted expected 3 got 4"');
  });
});
