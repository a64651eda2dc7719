/**
 * Writes V8's code cache of the CLI bundle, dist/bundle/main.<id>.cache (run by tools/bundle.mjs).
 * A child process loads the bundle as bin/kpromo.js does, replays traces/spec-worked.csv (its output
 * thrown away), then saves the code compiled so far: the next runs skip parsing and compiling it.
 * Without a cache (this step failed, or another Node reads it) kpromo works the same, only starts slower.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { loadBundle, cacheFileOf, BUNDLE } = require('../bin/kpromo.js');

if (process.argv[2] === '--child') {
  const { exports, script } = loadBundle();
  const code = await exports.main(['replay', fileURLToPath(new URL('../traces/spec-worked.csv', import.meta.url)), '--topology', fileURLToPath(new URL('../traces/spec-worked.topology.json', import.meta.url))]);
  if (code !== 0) throw new Error(`training replay exited ${code}`);
  // Whole or not at all: written beside, then renamed.
  const tmp = `${process.argv[3]}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, process.argv[3]);
  } finally {
    rmSync(tmp, { force: true });
  }
} else {
  const out = cacheFileOf(readFileSync(BUNDLE, 'utf8'));
  if (out === null) throw new Error(`${BUNDLE}: no //kpromo-build line`);
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`code-cache: the training replay failed (${r.status ?? r.signal}); kpromo runs without a code cache\n${r.stderr}`);
  }
}
