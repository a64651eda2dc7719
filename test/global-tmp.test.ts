/** The suite's temporary files go to one directory of this run (test/global-tmp.ts), removed when the run ends. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { expect, it } from 'vitest';

it('gives every test file the temporary directory of this run', () => {
  expect(basename(tmpdir())).toMatch(/^kpromo-tests-/);
  expect(existsSync(tmpdir())).toBe(true);
  expect(process.env.TMPDIR).toBe(tmpdir()); // and every process a test starts
  // One directory, not one per vitest project made inside another's: Chromium's socket path must fit in 108 bytes.
  expect(basename(dirname(tmpdir()))).not.toMatch(/^kpromo-tests-/);
});
