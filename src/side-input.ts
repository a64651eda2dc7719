/**
 * Side inputs (--topology files, numactl output, sysfs files, --expect goldens, check's .args files): small
 * files read whole, so each is bounded. A file larger than SIDE_INPUT_MAX (no real one comes near) is refused
 * with its size, and so is anything that is not a regular file (a device such as /dev/zero, a FIFO, a directory),
 * since a size is needed to read it whole in bounded memory and without blocking. JSON side inputs are then
 * checked and parsed by json-source.ts.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { KpromoError, EXIT_USAGE, quoteName } from './errors.js';

/** The largest side input read: 16 MiB. */
export const SIDE_INPUT_MAX = 16 << 20;

/** A side input that cannot be read: missing, not a regular file, or too large. */
export class SideInputError extends KpromoError {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly what: string,
  ) {
    super('KPROMO_SIDE_INPUT', `${what} ${quoteName(file)}: ${reason}`, EXIT_USAGE);
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return typeof err?.message === 'string' ? err.message.replace(/, \w+(?: '.*')?$/, '') : String(e);
}

/** Reads a whole side input as UTF-8, at most `max` bytes; `what` names it in messages (`topology file`). */
export function readSideFile(file: string, what: string, max = SIDE_INPUT_MAX): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new SideInputError(file, `cannot read: ${errText(e)}`, what);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new SideInputError(file, 'is a directory', what);
    if (!st.isFile()) throw new SideInputError(file, 'is not a regular file (a device, FIFO or socket cannot be read whole)', what);
    if (st.size > max) throw new SideInputError(file, `is ${st.size} bytes, more than the ${max} bytes a ${what} may have`, what);
    // sysfs files report a size of 4096 whatever they hold: read to the end, but never past `max`.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 4096), max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new SideInputError(file, `cannot read: ${errText(e)}`, what);
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) throw new SideInputError(file, `holds more than the ${max} bytes a ${what} may have`, what);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
