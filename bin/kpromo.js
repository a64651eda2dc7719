#!/usr/bin/env node
// kpromo command line: everything lives in the built CLI; this file only sets the exit code.
// dist/bundle/main.js is the esbuild bundle of dist/src (npm run build makes both; the package ships the bundle).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
