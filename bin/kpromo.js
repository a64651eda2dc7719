#!/usr/bin/env node
// kpromo command line: everything lives in the built CLI; this file loads it and sets the exit code.
// CommonJS (bin/package.json), so that start-up needs no ES module loader.
// dist/bundle/main.cjs is the esbuild bundle of dist/src (npm run build makes both; the package ships the
// bundle). It is compiled with V8's code cache that the build wrote beside it, dist/bundle/main.<id>.cache
// (tools/code-cache.mjs); a cache of another build, Node or V8 flags, or a cut one, is not used, and V8
// compiles the source. V8 does not checksum a cache (that costs 3 ms a run): one altered in place crashes
// it, so the build writes it whole or not at all (README "Speed and memory").
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'main.cjs');

/** The code cache file of a bundle's source (named by its `//kpromo-build <id>` first line), or null without that line. */
function cacheFileOf(source) {
  const id = /^\/\/kpromo-build ([0-9a-f]+)\n/.exec(source);
  return id === null ? null : join(__dirname, '..', 'dist', 'bundle', `main.${id[1]}.cache`);
}

/** Compiles and runs the bundle; returns its exports and the vm.Script (tools/code-cache.mjs writes its cache). */
function loadBundle() {
  // The bundle is ASCII (tools/bundle.mjs checks): read as latin1, V8 takes the bytes as they are (no UTF-8 decoding).
  const source = readFileSync(BUNDLE, 'latin1');
  const cacheFile = cacheFileOf(source);
  let cachedData;
  if (cacheFile !== null) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined; // no cache: V8 compiles the source
    }
  }
  const { Script } = require('node:vm');
  // The file is a function expression (the CommonJS wrapper), written so by tools/bundle.mjs: compiled as read.
  const script = new Script(source, { filename: BUNDLE, cachedData });
  const mod = { exports: {} };
  // The bundle require()s only Node's built-in modules, which this file's own require loads alike (node:module's
  // createRequire would load Node's ES module loader code first).
  script.runInThisContext()(mod.exports, require, mod, BUNDLE, join(BUNDLE, '..'));
  return { exports: mod.exports, script };
}

if (require.main === module) {
  // A replay of a large file: its parse thread starts now, while the CLI loads (early-thread.js).
  require('./early-thread.js').startEarlyThread(process.argv.slice(2));
  let main;
  try {
    main = loadBundle().exports.main;
  } catch (err) {
    if (err?.code !== 'ENOENT' || err.path !== BUNDLE) throw err;
  }
  // Without the bundle (a checkout built with tsc only): the ES modules in dist/src.
  const run = main !== undefined ? Promise.resolve(main) : import('../dist/src/cli/main.js').then((m) => m.main);
  run.then((m) => m(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  });
} else {
  module.exports = { loadBundle, cacheFileOf, BUNDLE };
}
