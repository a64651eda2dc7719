/**
 * Compares the events of a replay with a golden events CSV as they are produced, in bounded memory: the
 * golden is read in 64 KiB chunks, one line at a time (lines capped at 1 MiB), and only the first
 * difference is kept. Byte for byte, as `kpromo check` documents: a missing final newline is a difference.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Longest golden line read (real event lines are under 100 bytes). */
export const MAX_EVENT_LINE = 1 << 20;
/** Characters of a line quoted in a message. */
const QUOTE = 200;

/** The first line where the events differ; `null` text = the file ended there. */
export interface EventsDifference {
  readonly line: number;
  readonly expected: string | null;
  readonly actual: string | null;
  /** The lines are equal but the golden's ends the file without a newline. */
  readonly unterminated?: boolean;
  /** The golden's line was longer than MAX_EVENT_LINE bytes: `expected` holds its first MAX_EVENT_LINE bytes. */
  readonly expectedCut?: boolean;
}

/**
 * A line quoted for a message: JSON-escaped, cut at 200 characters with its length, or `<end>`. A line the
 * reader itself cut at its cap (`cut`) has no known length: it is said to be longer than the cap.
 */
export function quoteLine(text: string | null, cut = false): string {
  if (text === null) return '<end of file>';
  if (cut) return `${JSON.stringify(text.slice(0, QUOTE))}... (more than ${MAX_EVENT_LINE} bytes)`;
  if (text.length <= QUOTE) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTE))}... (${text.length} characters)`;
}

/** `events line N: expected "..." got "..."`. */
export function describeEventsDifference(d: EventsDifference): string {
  if (d.unterminated === true) return `events line ${d.line}: the golden's last line ${quoteLine(d.expected)} has no newline`;
  return `events line ${d.line}: expected ${quoteLine(d.expected, d.expectedCut === true)} got ${quoteLine(d.actual)}`;
}

/** Reads a file line by line in bounded memory. */
class LineReader {
  private readonly fd: number;
  private readonly chunk = Buffer.alloc(1 << 16);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private buf = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  /** True when the last line read ended without a newline. */
  lastUnterminated = false;
  /** True when the last line read was longer than MAX_EVENT_LINE bytes (and was cut there). */
  lastCut = false;
  private cut = false;

  constructor(readonly file: string) {
    try {
      // Non-blocking: a FIFO's open would wait for a writer, where no signal can end the command.
      this.fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw new UsageError(`cannot read golden events ${file}: ${(e as Error).message}`);
    }
    if (!fstatSync(this.fd).isFile()) {
      closeSync(this.fd);
      throw new UsageError(`golden events ${file}: not a regular file (a FIFO or device cannot be a golden)`);
    }
  }

  /** The next line without its newline, or null at the end of the file. Lines over the cap are cut. */
  next(): string | null {
    for (;;) {
      const nl = this.buf.indexOf(0x0a, this.pos);
      if (nl >= 0) {
        const part = this.buf.subarray(this.pos, nl);
        this.pos = nl + 1;
        return this.take(part, true);
      }
      if (this.pos < this.buf.length) this.keep(this.buf.subarray(this.pos));
      if (this.eof) {
        if (this.pendingBytes === 0 && this.pending.length === 0) return null;
        return this.take(Buffer.alloc(0), false);
      }
      const n = readSync(this.fd, this.chunk, 0, this.chunk.length, null);
      if (n === 0) this.eof = true;
      this.buf = this.chunk.subarray(0, n);
      this.pos = 0;
    }
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    if (this.pendingBytes >= MAX_EVENT_LINE) {
      this.cut = true; // over the cap: the rest of the line is dropped
      return;
    }
    const room = MAX_EVENT_LINE - this.pendingBytes;
    if (part.length > room) this.cut = true;
    const kept = Buffer.from(part.subarray(0, room)); // copy: the chunk buffer is reused
    this.pending.push(kept);
    this.pendingBytes += kept.length;
  }

  private take(last: Buffer, terminated: boolean): string {
    this.keep(last);
    const line = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.lastUnterminated = !terminated;
    this.lastCut = this.cut;
    this.cut = false;
    return line;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Feeds actual events (whole lines) and compares them with the golden file as they come. */
export class EventsComparer {
  private readonly golden: LineReader;
  private line = 0;
  private first: EventsDifference | null = null;
  private closed = false;

  constructor(file: string) {
    this.golden = new LineReader(file);
  }

  /** A chunk of whole event lines, each ending in a newline (EventsCsvWriter's chunks). */
  feed(chunk: string): void {
    if (this.first !== null) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const actual = chunk.slice(start, nl);
      start = nl + 1;
      this.line++;
      const expected = this.golden.next();
      const cut = this.golden.lastCut;
      if (expected !== actual || cut || this.golden.lastUnterminated) {
        this.first = { line: this.line, expected, actual, ...(cut ? { expectedCut: true } : expected === actual ? { unterminated: true } : {}) };
        return;
      }
    }
  }

  /** After the last chunk: the first difference, or null when the files are identical. Closes the golden. */
  finish(): EventsDifference | null {
    if (this.first === null) {
      const extra = this.golden.next();
      if (extra !== null) this.first = { line: this.line + 1, expected: extra, actual: null, ...(this.golden.lastCut ? { expectedCut: true } : {}) };
    }
    this.close();
    return this.first;
  }

  /** Closes the golden file (also on error). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.golden.close();
  }
}
