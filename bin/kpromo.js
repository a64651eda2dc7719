#!/usr/bin/env node
// kpromo command line: everything lives in the built CLI; this file only sets the exit code.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
