/**
 * Preloaded (`node -r`) into kpromo and its threads by test/cli/stdin-shrink.test.ts: once a read of standard input
 * (file descriptor 0) returned bytes, the file named by KPROMO_TEST_SHRINK_FILE is cut to KPROMO_TEST_SHRINK_AT bytes.
 * A file redirected to standard input then shrinks while kpromo reads it, at a known point, whichever thread reads it
 * (fs.readSync on the parse thread, fs.read under process.stdin's stream on the main thread).
 */
'use strict';
const fs = require('node:fs');

const file = process.env.KPROMO_TEST_SHRINK_FILE;
const at = Number(process.env.KPROMO_TEST_SHRINK_AT);
if (file) {
  let cut = false;
  const after = (fd, n) => {
    if (fd === 0 && n > 0 && !cut) {
      cut = true;
      fs.truncateSync(file, at);
    }
  };
  const readSync = fs.readSync;
  fs.readSync = function (fd, ...args) {
    const n = readSync.call(this, fd, ...args);
    after(fd, n);
    return n;
  };
  const read = fs.read;
  fs.read = function (fd, ...args) {
    const cb = args[args.length - 1];
    if (typeof cb !== 'function') return read.call(this, fd, ...args);
    args[args.length - 1] = (err, n, buf) => {
      if (!err) after(fd, n);
      cb(err, n, buf);
    };
    return read.call(this, fd, ...args);
  };
}
