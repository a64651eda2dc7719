/**
 * Output files of every command (--events, --report, --timeline-csv, convert -o, gen -o, sweep --csv).
 *
 * - A regular file (or a name that does not exist yet) appears only when the run succeeds: it is written to a
 *   temporary file in the target's own directory and renamed over the target on commit. A symlink is followed:
 *   its target is replaced, the link stays.
 * - Anything else (a character device such as /dev/null or /dev/full, a FIFO, a socket, /dev/stdout, /dev/fd/N)
 *   is written through: never replaced by a regular file.
 * - `-` is standard output. Where the input can still turn out bad (replay, convert, page) it is spooled in an
 *   unlinked temporary file and copied to stdout on commit, so nothing reaches stdout when the input is bad;
 *   `gen` streams it.
 * - checkOutputs() checks every path before any work starts: an empty name, a directory, a missing parent, no
 *   write permission, two outputs naming the same file. Each is a UsageError (exit 2) naming the option.
 * - A write error (ENOSPC, EIO) is an OutputError (exit 2) naming the file; the temporary file is removed.
 *   Temporary files are also removed on SIGINT, SIGTERM and SIGHUP (signals.ts) and at process exit.
 */
import { Stats, accessSync, closeSync, constants, fchmodSync, lstatSync, openSync, promises, readSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KpromoError, UsageError, EXIT_USAGE, quoteName } from '../errors.js';
import { writeAll, type TextOut } from './io.js';
import { onCleanup } from './signals.js';

/** An output that could not be written (ENOSPC, EIO, a failed rename): exit 2, the file named. */
export class OutputError extends KpromoError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('KPROMO_OUTPUT', `cannot write ${quoteName(file)}: ${message}`, EXIT_USAGE);
  }
}

/** One output path as the user gave it, with the option that named it (for messages). */
export interface OutputSpec {
  /** `--events`, `-o`, ... */
  readonly option: string;
  readonly path: string;
}

/** How an output path is written. */
export type OutputKind = 'stdout' | 'through' | 'atomic';

/** What checkOutputPath() found. */
export interface CheckedOutput {
  readonly kind: OutputKind;
  /** For `atomic`: the file finally written (symlinks resolved); for `through`: the path opened. */
  readonly target: string;
  /** Identity used to find two outputs naming the same file. */
  readonly key: string;
}

/** Paths that name this process's own standard streams or descriptors: always written through. */
const FD_PATH = /^\/(?:dev\/(?:stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/;

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return typeof err?.message === 'string' ? err.message.replace(/, \w+(?: '.*')?$/, '') : String(e);
}

/** Follows a chain of symlinks (dangling ones too) to the path finally named. */
function resolveLinks(p: string): string {
  let cur = path.resolve(p);
  for (let i = 0; i < 40; i++) {
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch {
      return cur;
    }
    if (!st.isSymbolicLink()) return cur;
    cur = path.resolve(path.dirname(cur), readlinkSync(cur));
  }
  throw new Error('too many levels of symbolic links');
}

/** Checks one output path before a run; throws a UsageError naming the option and the path. */
export function checkOutputPath(spec: OutputSpec): CheckedOutput {
  const { option, path: p } = spec;
  const bad = (why: string): UsageError => new UsageError(`${option} ${JSON.stringify(p)}: ${why}`, 'KPROMO_OUTPUT_PATH');
  if (p === '') throw bad('empty file name');
  if (p === '-') return { kind: 'stdout', target: '-', key: 'stdout' };
  if (FD_PATH.test(p)) {
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      throw bad(`cannot write: ${errText(e)}`);
    }
    return { kind: 'through', target: p, key: `path:${p}` };
  }
  let target: string;
  try {
    target = resolveLinks(p);
  } catch (e) {
    throw bad(errText(e));
  }
  let st: Stats | null = null;
  try {
    st = statSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw bad(errText(e));
  }
  if (st !== null && st.isDirectory()) throw bad('is a directory');
  if (st !== null && !st.isFile()) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      throw bad(`cannot write: ${errText(e)}`);
    }
    return { kind: 'through', target, key: `ino:${st.dev}:${st.ino}` };
  }
  if (p.endsWith('/')) throw bad('is not a directory');
  const dir = path.dirname(target);
  let dst: Stats;
  try {
    dst = statSync(dir);
  } catch {
    throw bad(`directory ${dir} does not exist`);
  }
  if (!dst.isDirectory()) throw bad(`${dir} is not a directory`);
  try {
    // The temporary file is created beside the target and renamed over it.
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw bad(`cannot create files in ${dir}: ${errText(e)}`);
  }
  if (st !== null) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      throw bad(`cannot write: ${errText(e)}`);
    }
  }
  return { kind: 'atomic', target, key: st !== null ? `ino:${st.dev}:${st.ino}` : `new:${target}` };
}

/** Checks every output of a command at once (before any work): each path, and that no two name the same file. */
export function checkOutputs(specs: readonly (OutputSpec | null | undefined)[]): CheckedOutput[] {
  const seen = new Map<string, OutputSpec>();
  const out: CheckedOutput[] = [];
  for (const spec of specs) {
    if (!spec) continue;
    const c = checkOutputPath(spec);
    const other = seen.get(c.key);
    if (other) {
      const what = c.kind === 'stdout' ? 'standard output' : `the same file (${c.target})`;
      throw new UsageError(`${other.option} ${JSON.stringify(other.path)} and ${spec.option} ${JSON.stringify(spec.path)} name ${what}`, 'KPROMO_OUTPUT_PATH');
    }
    seen.set(c.key, spec);
    out.push(c);
  }
  return out;
}

/** Options of an OutputFile. */
export interface OutputOptions {
  /** The option that named it, for messages (default `output`). */
  readonly option?: string;
  /** Where `-` goes; required to accept `-`. */
  readonly stdout?: TextOut;
  /** `-`: spool in an unlinked temporary file and copy to stdout on commit (default), or stream (false). */
  readonly spool?: boolean;
}

let serial = 0;

/**
 * A file written in chunks, then committed (renamed into place, copied to stdout) or discarded.
 * The constructor checks the path (UsageError); open() opens it without blocking the event loop (a FIFO waits
 * for its reader there, where a signal can still end the command); write() opens synchronously if needed.
 */
export class OutputFile {
  readonly checked: CheckedOutput;
  private fd: number | null = null;
  private tmp: string | null = null;
  private unregister: (() => void) | null = null;
  private done = false;

  constructor(
    readonly file: string,
    private readonly opts: OutputOptions = {},
  ) {
    if (file === '-' && opts.stdout === undefined) throw new UsageError(`${opts.option ?? 'output'}: - (standard output) is not accepted here`);
    this.checked = checkOutputPath({ option: opts.option ?? 'output', path: file });
  }

  /** What messages call this output. */
  get label(): string {
    return this.checked.kind === 'stdout' ? 'standard output' : this.file;
  }

  /** True when the output is standard output (`-`). */
  get isStdout(): boolean {
    return this.checked.kind === 'stdout';
  }

  /** Opens the output off the main thread (a FIFO's open waits for a reader). */
  async open(): Promise<void> {
    if (this.fd !== null || this.streamsStdout()) return;
    if (this.checked.kind === 'through') {
      try {
        const fh = await promises.open(this.checked.target, constants.O_WRONLY | constants.O_APPEND);
        this.fd = fh.fd; // kept open, closed with closeSync (the FileHandle is never garbage-collected first: we hold fd)
        this.handle = fh;
      } catch (e) {
        throw new OutputError(this.file, errText(e));
      }
      return;
    }
    this.openSync();
  }

  private handle: promises.FileHandle | null = null;

  private streamsStdout(): boolean {
    return this.checked.kind === 'stdout' && this.opts.spool === false;
  }

  private openSync(): void {
    if (this.fd !== null) return;
    const { kind, target } = this.checked;
    if (kind === 'through') {
      try {
        this.fd = openSync(target, constants.O_WRONLY | constants.O_APPEND);
      } catch (e) {
        throw new OutputError(this.file, errText(e));
      }
      return;
    }
    const dir = kind === 'stdout' ? tmpdir() : path.dirname(target);
    const tmp = path.join(dir, `.${kind === 'stdout' ? 'kpromo-stdout' : path.basename(target)}.${process.pid}.${++serial}.tmp`);
    try {
      this.fd = openSync(tmp, 'wx+', 0o666);
    } catch (e) {
      throw new OutputError(kind === 'stdout' ? `standard output (spooled in ${dir})` : this.file, errText(e));
    }
    if (kind === 'stdout') {
      // Unlinked at once: nothing can be left behind, whatever ends the process.
      rmSync(tmp, { force: true });
      return;
    }
    this.tmp = tmp;
    this.unregister = onCleanup(() => rmSync(tmp, { force: true }));
    try {
      // A replaced file keeps its permissions.
      fchmodSync(this.fd, statSync(target).mode & 0o7777);
    } catch {
      // a new file: 0666 less the umask
    }
  }

  /** Appends text or bytes; a write error removes the temporary file and throws an OutputError. */
  write(data: string | Uint8Array): void {
    if (this.streamsStdout()) {
      this.opts.stdout!.write(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      return;
    }
    this.openSync();
    try {
      writeAll(this.fd!, data);
    } catch (e) {
      this.discard();
      throw new OutputError(this.checked.kind === 'stdout' ? `standard output (spooled in ${tmpdir()})` : this.file, errText(e));
    }
  }

  /** Finishes the output: renames the temporary file over the target, or copies the spool to stdout. */
  commit(): void {
    if (this.done) return;
    if (this.streamsStdout()) {
      this.done = true;
      return;
    }
    this.openSync(); // an output with nothing written still appears (empty)
    const fd = this.fd!;
    try {
      if (this.checked.kind === 'stdout') {
        copyToStdout(fd, this.opts.stdout!);
        this.close();
      } else if (this.checked.kind === 'through') {
        this.close();
      } else {
        this.close();
        renameSync(this.tmp!, this.checked.target);
        this.forget();
      }
    } catch (e) {
      this.discard();
      throw e instanceof KpromoError ? e : new OutputError(this.file, errText(e));
    }
    this.done = true;
  }

  /** Closes and removes the temporary file (a write-through output keeps what was written). */
  discard(): void {
    this.done = true;
    this.close();
    if (this.tmp !== null) {
      rmSync(this.tmp, { force: true });
      this.forget();
    }
  }

  private close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    const fh = this.handle;
    this.handle = null;
    if (fh !== null) {
      void fh.close().catch(() => {});
      return;
    }
    try {
      closeSync(fd);
    } catch (e) {
      // close() reports delayed write errors (NFS, some devices)
      if (this.checked.kind !== 'stdout') throw new OutputError(this.file, errText(e));
    }
  }

  private forget(): void {
    this.tmp = null;
    this.unregister?.();
    this.unregister = null;
  }
}

/** Copies a spool file to stdout in 1 MiB chunks; stops quietly when stdout's reader left. */
function copyToStdout(fd: number, stdout: TextOut): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  const dec = new TextDecoder(); // UTF-8, a character cut between chunks kept for the next (a global: no module to load)
  let pos = 0;
  for (;;) {
    if (stdout.closed === true) return;
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    stdout.write(dec.decode(buf.subarray(0, n), { stream: true }));
  }
  const rest = dec.decode();
  if (rest !== '') stdout.write(rest);
}

