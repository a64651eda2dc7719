/**
 * A tmpfs mounted for a test: a real full filesystem (a few KiB) or a read-only one. Mounting needs root and
 * CAP_SYS_ADMIN; where it is not allowed (a user, a container without the capability) the test is skipped, with
 * the reason, and nothing is left mounted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';

/** Why a test that needs a tmpfs was skipped. */
const NO_TMPFS = 'cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)';

/** Mounts a tmpfs (`mount -t tmpfs -o OPTIONS`, e.g. `size=64k`) on a new directory and returns it; null where not allowed. */
export function mountTmpfs(options: string): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'kpromo-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** Unmounts a tmpfs of mountTmpfs() and removes its directory. */
export function unmountTmpfs(dir: string): void {
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Makes a mounted tmpfs read-only (after the test wrote what it needs there). */
export function remountReadOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir]);
}

/** The tmpfs `dir` (from mountTmpfs()), or the test skipped when there is none. */
export function needTmpfs(ctx: TestContext, dir: string | null): string {
  if (dir === null) ctx.skip(NO_TMPFS);
  return dir;
}

/** Runs a test's `body` on a tmpfs mounted for it (`mount -o OPTIONS`), unmounted after; skips the test where none can be mounted. */
export async function onTmpfs(ctx: TestContext, options: string, body: (dir: string) => unknown): Promise<void> {
  const dir = needTmpfs(ctx, mountTmpfs(options));
  try {
    await body(dir);
  } finally {
    unmountTmpfs(dir);
  }
}
