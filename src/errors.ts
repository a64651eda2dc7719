import { QUOTE_MAX, quoteText } from './escape.js';

/** Exit codes of the kpromo command line (SPEC section 5). */
export const EXIT_OK = 0;
/** A golden counter file did not match. */
export const EXIT_MISMATCH = 1;
/** Bad usage or bad input. */
export const EXIT_USAGE = 2;
/** Interrupted by SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/** Base class of every error kpromo reports to a user; carries a stable code and an exit code. */
export class KpromoError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = EXIT_USAGE) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad command-line option or option value. */
export class UsageError extends KpromoError {
  constructor(message: string, code = 'KPROMO_USAGE') {
    super(code, message, EXIT_USAGE);
  }
}

/** Where in a trace a bad record was found. */
export interface TraceLocation {
  /** File name as the user gave it (`-` for standard input). */
  file: string;
  /** 1-based line number, counting every line (comments and blank lines too). */
  line: number;
  /** 1-based column (field) number, 0 when the whole line is at fault. */
  column: number;
  /** Name of the column when known (`pfn`, `nid`, `src`, `time`). */
  field?: string;
  /** The offending text, as read (messages quote at most QUOTE_MAX characters of it, escaped). */
  text: string;
  /** Set when `text` is only the start of a longer text (a line over the cap): the whole is more than this many bytes. */
  longerThan?: number;
}

/**
 * The bad text of a trace error as messages quote it: `text` quoted (quoteText()), or when it is only the start of a
 * longer text (a line over the cap) its first QUOTE_MAX characters and how long the whole is said to be at least.
 */
export function quoteBadText(text: string, longerThan?: number): string {
  return longerThan === undefined ? quoteText(text) : `${quoteText(text.slice(0, QUOTE_MAX))}... (more than ${longerThan} bytes)`;
}

/** A malformed trace line or an unreadable trace. */
export class TraceError extends KpromoError implements TraceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field?: string;
  readonly text: string;
  readonly longerThan?: number;
  readonly reason: string;
  constructor(loc: TraceLocation, reason: string, code = 'KPROMO_TRACE') {
    const col = loc.column > 0 ? `:${loc.column}` : '';
    const field = loc.field ? ` (${loc.field})` : '';
    // Line 0 = the file as a whole (cannot open, gzip error): no position, and the text is the file name.
    const text = quoteBadText(loc.text, loc.longerThan);
    const message = loc.line > 0 ? `${quoteName(loc.file)}:${loc.line}${col}${field}: ${reason}: ${text}` : `${quoteName(loc.file)}: ${reason}`;
    super(code, message, EXIT_USAGE);
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
    if (loc.field !== undefined) this.field = loc.field;
    this.text = loc.text;
    if (loc.longerThan !== undefined) this.longerThan = loc.longerThan;
    this.reason = reason;
  }
}

/**
 * An invalid topology file or preset; names the key or node at fault (`path`: a key path in a JSON file, a file
 * under a sysfs directory) and, for a file read as text, the line and column (`file:3:17: path: message`).
 */
export class TopologyError extends KpromoError {
  readonly source: string;
  readonly path: string;
  /** 1-based line and column in `source`, when the topology was read from a text. */
  readonly line?: number;
  readonly column?: number;
  constructor(source: string, path: string, message: string, at?: { readonly line: number; readonly column: number }) {
    // Quoted texts are JSON strings (C0 controls escaped); C1 and bidi controls are escaped here, whatever quoted them.
    const text = `${source}${at ? `:${at.line}:${at.column}` : ''}: ${path ? path + ': ' : ''}${message}`;
    super('KPROMO_TOPOLOGY', text.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), EXIT_USAGE);
    this.source = source;
    this.path = path;
    if (at) {
      this.line = at.line;
      this.column = at.column;
    }
  }
}

/** A golden file that cannot be used (unknown counter, bad line). */
export class GoldenError extends KpromoError {
  readonly file: string;
  /** 1-based; 0 for an error about the whole file (no line). */
  readonly line: number;
  /** 1-based column where the bad text starts; 0 when not about one place in the line. */
  readonly column: number;
  constructor(file: string, line: number, message: string, column = 0) {
    const at = line === 0 ? '' : column === 0 ? `:${line}` : `:${line}:${column}`;
    super('KPROMO_GOLDEN', `${file}${at}: bad golden: ${message}`, EXIT_USAGE);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** A file name in a message: as given, unless it holds control characters or is long (then quoted and cut). */
export function quoteName(name: string): string {
  return /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]{0,200}$/.test(name) ? name : quoteText(name);
}
