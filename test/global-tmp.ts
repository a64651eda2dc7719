/**
 * Vitest global setup: every test file, and every kpromo process a test starts, puts its temporary files under one
 * directory made for this run (TMPDIR, which os.tmpdir() reads), removed when the run ends. Tests make dozens of
 * temporary directories; without this, each run of the suite left them in the system's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'kpromo-tests-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
