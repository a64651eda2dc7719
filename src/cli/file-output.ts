/**
 * Output files of every command (--events, --report, --timeline-csv, convert -o, gen -o, sweep --csv).
 *
 * - A regular file (or a name that does not exist yet) appears only when the run succeeds: it is written to a
 *   temporary file in the target's own directory and renamed over the target on commit. A symlink is followed
 *   as the kernel follows it (a relative link from its own directory, `..` after the directories' links): its
 *   target is replaced, the link stays.
 * - A file that exists but that this process may not rename over (another user's file in a sticky directory such
 *   as /tmp), or whose directory is read-only, is spooled in an unlinked temporary file and copied into the
 *   target on commit (`inPlace`): the target keeps its inode, owner and links. A rename refused at commit (an
 *   append-only directory) falls back to the same copy.
 * - Anything else (a character device such as /dev/null or /dev/full, a FIFO, a socket) is written through:
 *   never replaced by a regular file. It is opened before the run, spooled, and written on commit (as standard
 *   output is: a bad input leaves nothing there), unless `spool: false` (gen) streams it.
 * - A path that names one of this process's descriptors (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N,
 *   or a symlink to one) is that descriptor: written to it directly, at its own offset, as a shell's `>&N` would,
 *   never reopened (Linux reopens a regular file there, at offset 0 or O_APPEND, over what the shell writes).
 *   /dev/stdout is `-` wherever `-` is accepted.
 * - `-` is standard output. Where the input can still turn out bad (replay, convert, page) it is spooled in an
 *   unlinked temporary file and copied to stdout on commit, so nothing reaches stdout when the input is bad;
 *   `gen` streams it.
 * - checkOutputs() checks every path before any work starts: an empty name, a directory, a missing parent, no
 *   write permission, two outputs naming the same file. Each is a UsageError (exit 2) naming the option.
 * - A name ending in .gz is written gzip-compressed (members of GZIP_MEMBER_BYTES of input each); `-` never is.
 * - A write error (ENOSPC, EIO) is an OutputError (exit 2) naming the file; the temporary file is removed.
 *   Temporary files are also removed on SIGINT, SIGTERM and SIGHUP (signals.ts) and at process exit.
 */
import { Stats, accessSync, closeSync, write, constants, fchmodSync, fstatSync, lstatSync, openSync, promises, readSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KpromoError, UsageError, EXIT_USAGE, quoteName } from '../errors.js';
import { isMemoryDevice, writeAll, type TextOut } from './io.js';
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
export type OutputKind = 'stdout' | 'fd' | 'through' | 'atomic';

/** What checkOutputPath() found. */
export interface CheckedOutput {
  readonly kind: OutputKind;
  /** For `atomic`: the file finally written (symlinks resolved); for `through`: the path opened; for `fd`: /dev/fd/N. */
  readonly target: string;
  /** Identity used to find two outputs naming the same file. */
  readonly key: string;
  /** For `fd`: the descriptor written (1 is standard output). */
  readonly fd?: number;
  /** For `atomic`: the target exists and cannot be renamed over; it is rewritten in place on commit. */
  readonly inPlace?: boolean;
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return typeof err?.message === 'string' ? err.message.replace(/, \w+(?: '.*')?$/, '') : String(e);
}

/** The descriptor a path names (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, /proc/PID/fd/N), or null. */
export function fdOfPath(p: string): number | null {
  if (p === '/dev/stdout') return 1;
  if (p === '/dev/stderr') return 2;
  const m = /^\/(?:dev\/fd|proc\/(?:self|thread-self|(\d+)(?:\/task\/\d+)?)\/fd)\/(\d+)$/.exec(p);
  if (m === null || (m[1] !== undefined && Number(m[1]) !== process.pid)) return null;
  return Number(m[2]);
}

/**
 * Follows a path to what it finally names, as the kernel does: the directory part through its real path (its
 * symlinks, then `..`), then the last component's symlink, if any, read from that real directory; again, up to
 * 40 links. Returns a descriptor for a path that names one of this process's, else the path (absolute, its
 * directory real where it exists; a dangling link gives the path it points to).
 */
export function resolveOutputPath(p: string): { fd: number } | { path: string } {
  let cur = path.isAbsolute(p) ? p : `${process.cwd()}/${p}`;
  for (let i = 0; i <= 40; i++) {
    const direct = fdOfPath(path.normalize(cur));
    if (direct !== null) return { fd: direct };
    const base = path.basename(cur);
    let dir: string;
    try {
      dir = realpathSync.native(path.dirname(cur)); // native: the JavaScript one drops `..` by text first
    } catch {
      return { path: path.resolve(cur) }; // a missing directory: the caller says so
    }
    if (base === '' || base === '.' || base === '..') return { path: path.resolve(dir, base) };
    cur = dir === '/' ? `/${base}` : `${dir}/${base}`;
    const fd = fdOfPath(cur);
    if (fd !== null) return { fd };
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch {
      return { path: cur };
    }
    if (!st.isSymbolicLink()) return { path: cur };
    const link = readlinkSync(cur);
    cur = path.isAbsolute(link) ? link : `${dir}/${link}`;
  }
  throw new Error('too many levels of symbolic links');
}

/** Checks one output path before a run; throws a UsageError naming the option and the path. */
export function checkOutputPath(spec: OutputSpec): CheckedOutput {
  const { option, path: p } = spec;
  const bad = (why: string): UsageError => new UsageError(`${option} ${JSON.stringify(p)}: ${why}`, 'KPROMO_OUTPUT_PATH');
  if (p === '') throw bad('empty file name');
  if (p === '-') return { kind: 'stdout', target: '-', key: 'stdout' };
  let resolved: { fd: number } | { path: string };
  try {
    resolved = resolveOutputPath(p);
  } catch (e) {
    throw bad(errText(e));
  }
  if ('fd' in resolved) {
    const fd = resolved.fd;
    try {
      fstatSync(fd);
      writeSync(fd, Buffer.alloc(0)); // EBADF when the descriptor is not open for writing
    } catch (e) {
      throw bad(`cannot write descriptor ${fd}: ${errText(e)}`);
    }
    return { kind: 'fd', fd, target: `/dev/fd/${fd}`, key: fd === 1 ? 'stdout' : `fd:${fd}` };
  }
  const target = resolved.path;
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
  if (st !== null) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      throw bad(`cannot write: ${errText(e)}`);
    }
  }
  let dirWritable = true;
  try {
    // The temporary file is created beside the target and renamed over it.
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (st === null) throw bad(`cannot create files in ${dir}: ${errText(e)}`);
    dirWritable = false;
  }
  const key = st !== null ? `ino:${st.dev}:${st.ino}` : `new:${target}`;
  // rename() over another user's file in a sticky directory (/tmp) is refused (EPERM) unless this process owns
  // the directory or is privileged (root is taken as privileged: CAP_FOWNER).
  const euid = process.geteuid?.() ?? 0;
  const sticky = st !== null && (dst.mode & 0o1000) !== 0 && euid !== 0 && st.uid !== euid && dst.uid !== euid;
  if (st !== null && (sticky || !dirWritable)) return { kind: 'atomic', target, key, inPlace: true };
  return { kind: 'atomic', target, key };
}

/** A file a command reads (a trace, a topology, a golden, a part), named as its messages name it. */
export interface InputSpec {
  /** `trace`, `--topology`, `--expect`, `part`, ... */
  readonly what: string;
  /** As given; `-` is standard input (its file, when it is one). */
  readonly path: string;
}

/** The identity of the regular file standard output was redirected to (`> FILE`), as checkOutputPath() keys it, or null. */
function stdoutFileKey(): string | null {
  return regularFileKey(() => fstatSync(1));
}

/** checkOutputPath()'s key of the file `stat` describes when it is a regular file; null otherwise, or when stat fails. */
function regularFileKey(stat: () => Stats): string | null {
  try {
    const st = stat();
    return st.isFile() ? `ino:${st.dev}:${st.ino}` : null;
  } catch {
    return null; // the reader says what is wrong with it
  }
}

/**
 * Refuses an output that is standard output (/dev/stdout, a link to it, or the file stdout was redirected to) for a
 * command that prints its own output there (sweep and merge --csv, check --junit): the two would be mixed, or the
 * file renamed over what was printed.
 */
function refuseStdout(spec: OutputSpec, checked: CheckedOutput, fdToo = true): void {
  if ((fdToo && checked.kind === 'fd' && checked.fd === 1) || (checked.key.startsWith('ino:') && checked.key === stdoutFileKey())) {
    throw new UsageError(`${spec.option} ${JSON.stringify(spec.path)} is standard output, which carries this command's own output: write it to a file`, 'KPROMO_OUTPUT_PATH');
  }
}

/** The inputs of a command that reads traces: each trace, and its topology file (null: a preset) and others. */
export function traceInputSpecs(traces: readonly { readonly name: string }[], topology: string | null, ...others: (InputSpec | null)[]): InputSpec[] {
  const specs: InputSpec[] = traces.map((t) => ({ what: 'trace', path: t.name }));
  if (topology !== null) specs.push({ what: '--topology file', path: topology });
  for (const o of others) if (o !== null) specs.push(o);
  return specs;
}

/** The identity of an input that is a regular file (checkOutputPath()'s key for it), or null. */
function inputKey(p: string): string | null {
  return regularFileKey(() => (p === '-' ? fstatSync(0) : statSync(p)));
}

/**
 * Refuses an output that names a file the command reads: the output would replace it (`replay t.csv --events
 * t.csv` read the trace, then renamed the events over it).
 */
export function refuseInputOutput(spec: OutputSpec, checked: CheckedOutput, inputs: readonly InputSpec[]): void {
  if (!checked.key.startsWith('ino:')) return;
  for (const input of inputs) {
    if (inputKey(input.path) !== checked.key) continue;
    const which = input.path === '-' ? `the ${input.what} on standard input` : `the ${input.what} ${JSON.stringify(input.path)}`;
    throw new UsageError(`${spec.option} ${JSON.stringify(spec.path)} names a file this run reads (${which}): writing it would replace it; give another file`, 'KPROMO_OUTPUT_PATH');
  }
}

/**
 * Checks every output of a command at once (before any work): each path, that no two name the same file, that
 * none names one of the command's `inputs`, and, when none is standard output (where the command then prints its
 * own output), that none is the file standard output was redirected to.
 */
export function checkOutputs(specs: readonly (OutputSpec | null | undefined)[], inputs: readonly InputSpec[] = []): CheckedOutput[] {
  const seen = new Map<string, OutputSpec>();
  const out: CheckedOutput[] = [];
  for (const spec of specs) {
    if (!spec) continue;
    const c = checkOutputPath(spec);
    refuseInputOutput(spec, c, inputs);
    const other = seen.get(c.key);
    if (other) {
      const what = c.key === 'stdout' ? 'standard output' : `the same file (${c.target})`;
      throw new UsageError(`${other.option} ${JSON.stringify(other.path)} and ${spec.option} ${JSON.stringify(spec.path)} name ${what}`, 'KPROMO_OUTPUT_PATH');
    }
    seen.set(c.key, spec);
    out.push(c);
  }
  if (!out.some((c) => c.key === 'stdout')) {
    for (const spec of specs) if (spec) refuseStdout(spec, checkOutputPath(spec), false);
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
  /** Files the command reads: naming one is refused (refuseInputOutput()). */
  readonly inputs?: readonly InputSpec[];
}

let serial = 0;

/**
 * A file named `*.gz` is written gzip-compressed, as gzip members of this many input bytes each (concatenated
 * members are one gzip file to gunzip, zcat and kpromo's readers): memory stays bounded, writes stay synchronous.
 */
export const GZIP_MEMBER_BYTES = 4 << 20;

/** A rename that the filesystem refuses where a copy into the target may still work (append-only directory). */
const RENAME_REFUSED = new Set(['EPERM', 'EACCES', 'EBUSY', 'EXDEV']);

/**
 * A file written in chunks, then committed (renamed into place, copied to stdout or into the target) or
 * discarded. The constructor checks the path (UsageError); open() opens it without blocking the event loop (a
 * FIFO waits for its reader there, where a signal can still end the command): call it before the first write.
 */
export class OutputFile {
  readonly checked: CheckedOutput;
  private fd: number | null = null;
  /** A spooled write-through output's own descriptor (a FIFO, a device), written on commit. */
  private throughFd: number | null = null;
  /** The output is /dev/null or another memory device: what reaches it cannot be half of anything, it is not spooled. */
  private readonly memoryDevice: boolean;
  private tmp: string | null = null;
  private unregister: (() => void) | null = null;
  private done = false;
  private handle: promises.FileHandle | null = null;
  /** Gzip-compressed output (the name ends in .gz): data waiting to become the next member, and whether one was written. */
  private readonly gzip: boolean;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private members = 0;
  /** node:zlib, loaded by open() only for a .gz name (a plain run loads no stream module: start-up time). */
  private zlib: typeof import('node:zlib') | null = null;

  constructor(
    readonly file: string,
    private readonly opts: OutputOptions = {},
  ) {
    if (file === '-' && opts.stdout === undefined) throw new UsageError(`${opts.option ?? 'output'}: - (standard output) is not accepted here`);
    const spec = { option: opts.option ?? 'output', path: file };
    const checked = checkOutputPath(spec);
    refuseInputOutput(spec, checked, opts.inputs ?? []);
    // Without `stdout` (no `-` here), the command prints its own output on standard output.
    if (opts.stdout === undefined) refuseStdout(spec, checked);
    // /dev/stdout (or a link to it) is `-` where `-` is accepted: spooled the same way, the summary then on stderr.
    this.checked = checked.kind === 'fd' && checked.fd === 1 && opts.stdout !== undefined ? { kind: 'stdout', target: '-', key: 'stdout' } : checked;
    this.gzip = this.checked.kind !== 'stdout' && /\.gz$/i.test(file);
    this.memoryDevice = outputIsMemoryDevice(this.checked);
  }

  /** What messages call this output. */
  get label(): string {
    return this.checked.kind === 'stdout' ? 'standard output' : this.file;
  }

  /** True when the output is standard output (`-`, /dev/stdout). */
  get isStdout(): boolean {
    return this.checked.kind === 'stdout';
  }

  /** Opens the output off the main thread (a FIFO's open waits for a reader). */
  async open(): Promise<void> {
    if (this.gzip) this.zlib ??= await import('node:zlib');
    if (this.fd !== null || this.streamsStdout()) return;
    if (this.checked.kind === 'through' && this.throughFd === null) {
      try {
        const fh = await promises.open(this.checked.target, constants.O_WRONLY | constants.O_APPEND);
        this.throughFd = fh.fd; // kept open: the FileHandle is never garbage-collected first (we hold it)
        this.handle = fh;
      } catch (e) {
        throw new OutputError(this.file, errText(e));
      }
    }
    this.openSync();
  }

  private streamsStdout(): boolean {
    return this.checked.kind === 'stdout' && this.opts.spool === false;
  }

  /**
   * Spooled: standard output, another of this process's descriptors (`/dev/fd/3`, `/dev/stderr`: nothing reaches it
   * when the input is bad, as for stdout; `gen` streams it), or a file rewritten in place; the spool is an unlinked
   * file in the temp directory.
   */
  private spooled(): boolean {
    const { kind } = this.checked;
    return kind === 'stdout' || ((kind === 'fd' || kind === 'through') && this.opts.spool !== false && !this.memoryDevice) || this.checked.inPlace === true;
  }

  private spoolName(): string {
    return this.checked.kind === 'stdout' ? `standard output (spooled in ${tmpdir()})` : `${this.file} (spooled in ${tmpdir()})`;
  }

  private openSync(): void {
    if (this.fd !== null) return;
    const { kind, target } = this.checked;
    if (kind === 'fd' && !this.spooled()) {
      this.fd = this.checked.fd!;
      return;
    }
    if (kind === 'through') {
      try {
        this.throughFd ??= openSync(target, constants.O_WRONLY | constants.O_APPEND);
      } catch (e) {
        throw new OutputError(this.file, errText(e));
      }
      if (!this.spooled()) {
        this.fd = this.throughFd;
        return;
      }
    }
    const spool = this.spooled();
    const dir = spool ? tmpdir() : path.dirname(target);
    const tmp = path.join(dir, `.${kind === 'stdout' ? 'kpromo-stdout' : path.basename(target)}.${process.pid}.${++serial}.tmp`);
    try {
      this.fd = openSync(tmp, 'wx+', 0o666);
    } catch (e) {
      throw new OutputError(spool ? this.spoolName() : this.file, errText(e));
    }
    if (spool) {
      // Unlinked at once: nothing can be left behind, whatever ends the process.
      rmSync(tmp, { force: true });
      return;
    }
    this.tmp = tmp;
    this.unregister = onCleanup(() => removeTemp(tmp));
    try {
      // A replaced file keeps its permissions.
      fchmodSync(this.fd, statSync(target).mode & 0o7777);
    } catch {
      // a new file: 0666 less the umask
    }
  }

  /** Appends text or bytes (compressed for a .gz name); a write error removes the temporary file and throws an OutputError. */
  write(data: string | Uint8Array): void {
    if (this.gzip) {
      const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data); // a copy: a caller may reuse its buffer
      this.pending.push(b);
      this.pendingBytes += b.length;
      if (this.pendingBytes >= GZIP_MEMBER_BYTES) this.flushGzip();
      return;
    }
    this.writeRaw(data);
  }

  /**
   * write(), for an output streamed to a FIFO or a descriptor (gen): the bytes are written off the main thread, so a
   * reader that stops reading blocks a thread-pool thread, not the signal handler. Other outputs: write().
   */
  async writeStreamed(data: string): Promise<void> {
    const { kind } = this.checked;
    if (this.gzip || this.spooled() || this.memoryDevice || (kind !== 'through' && kind !== 'fd')) {
      this.write(data);
      return;
    }
    this.openSync();
    const buf = Buffer.from(data, 'utf8');
    try {
      for (let off = 0; off < buf.length; ) off += await writeAsync(this.fd!, buf, off, buf.length - off);
    } catch (e) {
      this.discard();
      throw new OutputError(this.file, errText(e));
    }
  }

  /** Writes the pending data as one gzip member. */
  private flushGzip(): void {
    if (this.zlib === null) throw new Error(`${this.file}: open() the output before writing it`);
    const member = this.zlib.gzipSync(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
    this.members++;
    this.writeRaw(member);
  }

  private writeRaw(data: string | Uint8Array): void {
    if (this.streamsStdout()) {
      this.opts.stdout!.write(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      return;
    }
    this.openSync();
    try {
      writeAll(this.fd!, data);
    } catch (e) {
      this.discard();
      throw new OutputError(this.spooled() ? this.spoolName() : this.file, errText(e));
    }
  }

  /**
   * Finishes the output: renames the temporary file over the target, or copies the spool to stdout or into the
   * target. Synchronous: for a spool that may be large, commitAsync() lets a signal end the copy.
   */
  commit(): void {
    if (this.done) return;
    // The last member; an empty output is still a gzip file (one empty member).
    if (this.gzip && (this.pendingBytes > 0 || this.members === 0)) this.flushGzip();
    if (this.streamsStdout()) {
      this.done = true;
      return;
    }
    this.openSync(); // an output with nothing written still appears (empty)
    this.settle(() => {
      const fd = this.fd!;
      if (this.checked.kind === 'stdout') {
        const stdout = this.opts.stdout!;
        copyText(fd, stdout);
      } else if (this.checked.kind === 'fd') {
        copyBytes(fd, this.checked.fd!);
      } else if (this.checked.kind === 'through' && fd !== this.throughFd) {
        copyBytes(fd, this.throughFd!);
      } else if (this.checked.inPlace === true) {
        this.copyInto(fd);
      }
      this.close();
      if (this.checked.kind === 'atomic' && this.checked.inPlace !== true) this.rename();
    });
  }

  /** commit(), with a spool copied to stdout in chunks between which the event loop runs (a signal ends it). */
  async commitAsync(): Promise<void> {
    const { kind } = this.checked;
    if (!this.done && (kind === 'through' || kind === 'fd') && this.spooled()) {
      await this.copyOut();
      return;
    }
    if (this.done || kind !== 'stdout' || this.streamsStdout()) {
      this.commit();
      return;
    }
    this.openSync();
    const fd = this.fd!;
    const stdout = this.opts.stdout!;
    try {
      for (const chunk of textChunks(fd)) {
        if (stdout.closed === true) break;
        stdout.write(chunk);
        await new Promise((resolve) => setImmediate(resolve));
        await stdout.drained?.(); // a slow reader: the spool is not queued in memory whole
      }
    } catch (e) {
      this.discard();
      throw e instanceof KpromoError ? e : new OutputError(this.file, errText(e));
    }
    this.settle(() => this.close());
  }

  /**
   * commitAsync() of a spooled FIFO, device or descriptor: the spool is written with writes made off the main thread,
   * so a reader that stops reading (a FIFO's, a pipe's on fd 3) blocks a thread-pool thread, not the event loop, and
   * a signal still ends the command.
   */
  private async copyOut(): Promise<void> {
    if (this.gzip && (this.pendingBytes > 0 || this.members === 0)) this.flushGzip();
    this.openSync();
    const from = this.fd!;
    const to = this.checked.kind === 'fd' ? this.checked.fd! : this.throughFd!;
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let pos = 0; ; ) {
        const n = readSync(from, buf, 0, buf.length, pos);
        if (n === 0) break;
        for (let off = 0; off < n; ) off += await writeAsync(to, buf, off, n - off);
        pos += n;
      }
    } catch (e) {
      this.discard();
      throw e instanceof KpromoError ? e : new OutputError(this.file, errText(e));
    }
    this.settle(() => this.close());
  }

  /** Runs the last step of a commit: on an error the output is discarded and the error is an OutputError. */
  private settle(step: () => void): void {
    try {
      step();
    } catch (e) {
      this.discard();
      throw e instanceof KpromoError ? e : new OutputError(this.file, errText(e));
    }
    this.done = true;
  }

  private rename(): void {
    try {
      renameSync(this.tmp!, this.checked.target);
    } catch (e) {
      if (!RENAME_REFUSED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      this.renameRefused(e);
    }
    this.forget();
  }

  /** Copies the spool `from` into the target, truncated first (its inode, owner and links kept). */
  private copyInto(from: number, mode = 0o666): void {
    let to: number;
    try {
      to = openSync(this.checked.target, constants.O_WRONLY | constants.O_TRUNC | constants.O_CREAT, mode);
    } catch (e) {
      throw new OutputError(this.file, errText(e));
    }
    try {
      copyBytes(from, to);
    } finally {
      closeSync(to);
    }
  }

  /** The rename was refused (an append-only directory): the temporary file is copied into the target instead. */
  private renameRefused(e: unknown): void {
    const tmp = this.tmp!;
    let from: number;
    try {
      from = openSync(tmp, 'r');
    } catch {
      throw e;
    }
    try {
      this.copyInto(from, statSync(tmp).mode & 0o7777);
    } finally {
      closeSync(from);
    }
    if (!removeTemp(tmp)) {
      this.forget();
      throw new OutputError(this.file, `written in place (the directory refused the rename: ${errText(e)}), but its emptied temporary file ${quoteName(tmp)} could not be removed`);
    }
  }

  /** Closes and removes the temporary file (a write-through output keeps what was written). */
  discard(): void {
    this.done = true;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.close();
    } catch {
      // discarded anyway
    }
    if (this.tmp !== null) {
      removeTemp(this.tmp);
      this.forget();
    }
  }

  private close(): void {
    const fd = this.fd;
    const through = this.throughFd;
    const fh = this.handle;
    this.fd = null;
    this.throughFd = null;
    this.handle = null;
    if (this.checked.kind === 'fd' && !this.spooled()) return; // this process's own descriptor: left open
    // A write-through output's target (FIFO, device): its FileHandle when opened off the main thread.
    if (fh !== null) void fh.close().catch(() => {});
    else if (through !== null && through !== fd) closeOutput(through, this.file);
    if (fd === null || fd === through) {
      if (fh === null && fd !== null) closeOutput(fd, this.file);
      return;
    }
    try {
      closeSync(fd);
    } catch (e) {
      // close() reports delayed write errors (NFS, some devices)
      if (!this.spooled()) throw new OutputError(this.file, errText(e));
    }
  }


  private forget(): void {
    this.tmp = null;
    this.unregister?.();
    this.unregister = null;
  }
}

/**
 * Removes a temporary file; where the directory refuses (append-only), empties it instead. True when it is gone.
 * Never throws: it runs on error paths and at exit.
 */
function removeTemp(tmp: string): boolean {
  try {
    rmSync(tmp, { force: true });
    return true;
  } catch {
    try {
      closeSync(openSync(tmp, constants.O_WRONLY | constants.O_TRUNC));
    } catch {
      // nothing more to do
    }
    return false;
  }
}

/** A spool file's text in 1 MiB chunks, UTF-8 decoded (a character cut between chunks kept for the next). */
function* textChunks(fd: number): Generator<string> {
  const buf = Buffer.allocUnsafe(1 << 20);
  const dec = new TextDecoder(); // a global: no module to load
  for (let pos = 0; ; ) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    yield dec.decode(buf.subarray(0, n), { stream: true });
  }
  const rest = dec.decode();
  if (rest !== '') yield rest;
}

/** True when a descriptor or write-through output is /dev/null or another memory device. */
function outputIsMemoryDevice(c: CheckedOutput): boolean {
  try {
    if (c.kind === 'fd') return isMemoryDevice(fstatSync(c.fd!));
    if (c.kind === 'through') return isMemoryDevice(statSync(c.target));
  } catch {
    // not a device it can stat: spooled
  }
  return false;
}

/** One write(2) on a thread-pool thread; the bytes written. */
function writeAsync(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buf, off, len, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Closes an output's descriptor; close() reports delayed write errors (NFS, some devices). */
function closeOutput(fd: number, file: string): void {
  try {
    closeSync(fd);
  } catch (e) {
    throw new OutputError(file, errText(e));
  }
}

/** Copies a spool file, from its start, to descriptor `to` (at that descriptor's own offset). */
function copyBytes(from: number, to: number): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = 0; ; ) {
    const n = readSync(from, buf, 0, buf.length, pos);
    if (n === 0) break;
    writeAll(to, buf.subarray(0, n));
    pos += n;
  }
}

/** Copies a spool file to stdout; stops quietly when stdout's reader left. */
function copyText(fd: number, stdout: TextOut): void {
  for (const chunk of textChunks(fd)) {
    if (stdout.closed === true) return;
    stdout.write(chunk);
  }
}
