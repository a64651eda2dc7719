/**
 * Vitest global setup: every test file, and every kpromo process a test starts, puts its temporary files under one
 * directory made for this run (TMPDIR, which os.tmpdir() reads), removed when the run ends. Tests make dozens of
 * temporary directories; without this, each run of the suite left them in the system's temporary directory.
 *
 * Each vitest project (vitest.config.ts) runs this setup: the first makes the directory, a later one whose run
 * overlaps it uses the same one (a directory made inside the first made paths too long for Chromium's socket, which
 * must fit in 108 bytes), and the last teardown removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The run's directory and how many setups use it (in the environment: one value for the whole vitest process). */
const DIR = 'KPROMO_TESTS_TMP';
const USERS = 'KPROMO_TESTS_TMP_USERS';

export default function setup(): () => void {
  if (process.env[DIR] === undefined) {
    const before = process.env.TMPDIR;
    const dir = mkdtempSync(join(tmpdir(), 'kpromo-tests-'));
    process.env[DIR] = dir;
    process.env[USERS] = '0';
    process.env.KPROMO_TESTS_TMP_BEFORE = before ?? '';
    process.env.TMPDIR = dir;
  }
  process.env[USERS] = String(Number(process.env[USERS]) + 1);
  return () => {
    const left = Number(process.env[USERS]) - 1;
    process.env[USERS] = String(left);
    if (left > 0) return;
    const dir = process.env[DIR]!;
    const before = process.env.KPROMO_TESTS_TMP_BEFORE;
    if (before === undefined || before === '') delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    delete process.env[DIR];
    delete process.env[USERS];
    delete process.env.KPROMO_TESTS_TMP_BEFORE;
    rmSync(dir, { recursive: true, force: true });
  };
}
