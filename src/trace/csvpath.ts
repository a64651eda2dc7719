/**
 * The csv-parse path: reads any form of trace CSV (quotes, spaces, CRLF, other column layouts).
 * Physical lines are split here, so line numbers count every line exactly (csv-parse counts a lone
 * CR as a line end); blank and comment lines are dropped here; content lines go to one csv-parse
 * instance in batches, and each record is matched back to its line by csv-parse's byte offset.
 */
import { CsvError, Parser } from 'csv-parse';
import { TraceError } from '../errors.js';
import { MAX_LINE_BYTES, openQuoteField, type TraceFile } from './tracefile.js';

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
/** After a batch, more content lines than this still waiting for a record means a quote left open. */
const MAX_PENDING_LINES = 1000;

/** Options of the reference parser: trim spaces around fields, let the caller check field counts. */
const CSV_OPTIONS = { trim: true, relax_column_count: true, record_delimiter: '\n' } as const;

/**
 * csv-parse's synchronous core, the object its own `csv-parse/sync` drives: `parse(buf, end, push,
 * close)` pushes records before it returns, with no stream plumbing in between.
 */
interface CsvCore {
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

function noop(): void {}

const VT = 11;
const FF = 12;

/** The fields of a line csv-parse accepted, as written: split at commas outside quotes. */
function rawFields(text: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 44 && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * What csv-parse trimmed from the field `raw` (as written) to give `cell`, beyond spaces and tabs: `U+00A0` for the
 * first such character; null when the padding was spaces and tabs only.
 */
function paddingOf(raw: string, cell: string): string | null {
  let a = 0;
  let b = raw.length;
  while (a < b && (raw[a] === ' ' || raw[a] === '\t')) a++;
  while (b > a && (raw[b - 1] === ' ' || raw[b - 1] === '\t')) b--;
  let content = raw.slice(a, b);
  if (content.length >= 2 && content.startsWith('"') && content.endsWith('"')) content = content.slice(1, -1).replaceAll('""', '"');
  if (content === cell) return null;
  const c = /[^\S \t]/.exec(raw)?.[0];
  return c === undefined ? 'characters other than spaces and tabs' : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Reasons for csv-parse's own errors, without its line numbers (which count content lines only). */
function csvReason(err: Error): string {
  const code = err instanceof CsvError ? err.code : '';
  switch (code) {
    case 'INVALID_OPENING_QUOTE':
      return 'a quote opens in the middle of a field';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a closing quote is followed by something other than a comma or the line end';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'quoted field is not closed on its line';
    default:
      return err.message;
  }
}

/** Streams the rest of one file (from a line start) through csv-parse. */
export class CsvPath {
  private readonly file: TraceFile;
  private parser!: Parser;
  private core!: CsvCore;
  /** Bytes fed to the current parser (csv-parse's info.bytes counts from 0 per parser). */
  private fed = 0;
  /** Content lines fed but not yet matched to a record: line number, bytes, end offset in the fed stream. */
  private qLine: number[] = [];
  private qBuf: Buffer[] = [];
  private qStart: number[] = [];
  private qStop: number[] = [];
  private qEnd: number[] = [];
  /** 1 when the line holds a byte csv-parse may trim that the README's padding does not allow (see record()). */
  private qOdd: number[] = [];
  private qHead = 0;
  /** An error found while csv-parse was pushing records; the rest of that parse is ignored. */
  private pending: TraceError | null = null;
  /** The partial last line of the previous chunk. */
  private carry: Buffer | null = null;
  /** True while the rest of a line over the cap is discarded up to its LF (skipped with onBad, `--skip-bad`). */
  private discarding = false;
  /** A UTF-8 BOM is skipped only at the very start of a file. */
  private bomChecked: boolean;
  private readonly onRecord = (record: string[]): void => this.record(record);

  constructor(file: TraceFile) {
    this.file = file;
    this.bomChecked = file.line > 0;
    this.newParser();
  }

  /** Takes the next bytes of the file; keeps nothing that points into `chunk`. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.discarding) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) return;
      this.discarding = false;
      pos = nl + 1;
    }
    const carryLen = this.carry === null ? 0 : this.carry.length;
    const batch = Buffer.allocUnsafe(carryLen + chunk.length + 1);
    let w = 0;
    if (this.carry !== null) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.keep(chunk, 0);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = null;
      w = this.addLine(line, 0, line.length, batch, w);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) break;
      w = this.addLine(chunk, pos, nl, batch, w);
      pos = nl + 1;
    }
    if (w > 0) this.feed(batch.subarray(0, w), false);
    if (pos < chunk.length) this.keep(chunk, pos);
  }

  /** End of file: the last line may lack a line end. */
  end(): void {
    this.discarding = false; // a skipped line over the cap ran to the end: it was counted when it passed the cap
    let batch: Buffer | undefined;
    if (this.carry !== null) {
      const line = this.carry;
      this.carry = null;
      const b = Buffer.allocUnsafe(line.length + 1);
      const w = this.addLine(line, 0, line.length, b, 0);
      if (w > 0) batch = b.subarray(0, w);
    }
    this.feed(batch, true);
  }

  private keep(chunk: Uint8Array, from: number): void {
    const part = Buffer.from(chunk.subarray(from));
    this.carry = this.carry === null ? part : Buffer.concat([this.carry, part]);
    if (this.carry.length > MAX_LINE_BYTES) {
      const head = this.carry;
      this.carry = null;
      this.longLine(head, undefined);
      this.discarding = true;
    }
  }

  /**
   * The next line is over the cap (`head`: its first bytes as held): the lines before it are fed first, and their
   * records applied (csv-parse holds back the last), then it is refused (thrown) or skipped (onBad), and a fresh
   * parser takes the lines after it. `batch`: lines not fed yet.
   */
  private longLine(head: Uint8Array, batch: Buffer | undefined): void {
    this.feed(batch, true);
    this.bomChecked = true; // a BOM only at the very start
    this.file.longLine(head);
    this.newParser();
  }

  /**
   * Counts one physical line src[a, b) (no LF); copies a content line into the batch; returns the batch's new length.
   * A line over the cap is an error, or skipped.
   */
  private addLine(src: Uint8Array, a: number, b: number, batch: Buffer, w: number): number {
    if (b - a > MAX_LINE_BYTES) {
      // Every line fed is done with after longLine(): the batch is written again from its start.
      this.longLine(src.subarray(a, b), w > 0 ? batch.subarray(0, w) : undefined);
      return 0;
    }
    const line = ++this.file.line;
    if (!this.bomChecked) {
      this.bomChecked = true;
      if (b - a >= 3 && src[a] === 0xef && src[a + 1] === 0xbb && src[a + 2] === 0xbf) a += 3;
    }
    if (b > a && src[b - 1] === CR) b--;
    let i = a;
    while (i < b && (src[i] === SPACE || src[i] === TAB)) i++;
    if (i === b || src[i] === HASH) return w; // blank or comment line
    // csv-parse trims more than the spaces and tabs a field may be padded with (form feed, and on the right whatever
    // String.prototype.trimEnd() takes: VT, CR, NBSP, Unicode spaces). Such bytes are rare: mark the line, and
    // record() checks its fields as written.
    let odd = 0;
    for (let j = i; j < b; j++) {
      const c = src[j]!;
      if (c === VT || c === FF || c === CR || c >= 0x80) {
        odd = 1;
        break;
      }
    }
    batch.set(src.subarray(a, b), w);
    this.qOdd.push(odd);
    this.qLine.push(line);
    this.qBuf.push(batch);
    this.qStart.push(w);
    w += b - a;
    this.qStop.push(w);
    batch[w++] = NL;
    this.qEnd.push(this.fed + w);
    return w;
  }

  private newParser(): void {
    this.parser = new Parser(CSV_OPTIONS);
    // The typings leave the core out; see CsvCore.
    this.core = (this.parser as unknown as { api: CsvCore }).api;
    this.fed = 0;
  }

  private lineText(q: number): string {
    return this.qBuf[q]!.toString('utf8', this.qStart[q], this.qStop[q]);
  }

  /** A record from csv-parse: match it to its line(s) by csv-parse's end offset. */
  private record(cells: string[]): void {
    if (this.pending !== null) return;
    const endOffset = this.parser.info.bytes;
    const h = this.qHead;
    let k = 0;
    while (h + k < this.qEnd.length && this.qEnd[h + k]! <= endOffset) k++;
    this.qHead++;
    const line = this.qLine[h]!;
    if (k <= 1 && this.qOdd[h] === 1 && this.oddPadding(cells, h, line)) return;
    if (k > 1) {
      // A quote opened on `line` ran into the next lines.
      this.pending = this.unclosed(h);
      return;
    }
    this.file.applyCells(cells, line, () => this.lineText(h));
  }

  /**
   * A field (of the record's columns, or of the first line, the header candidate) that csv-parse trimmed of padding
   * other than spaces and tabs is a bad field: reported (or skipped), and true returned.
   */
  private oddPadding(cells: readonly string[], q: number, line: number): boolean {
    const raw = rawFields(this.lineText(q));
    if (raw.length !== cells.length) return false; // cannot happen on a line csv-parse split; the field count decides
    const file = this.file;
    const all = !file.started;
    for (let i = 0; i < cells.length; i++) {
      const field = file.fieldAt(i);
      if (!all && field === undefined) continue; // a column the replay ignores
      const pad = paddingOf(raw[i]!, cells[i]!);
      if (pad === null) continue;
      file.started = true; // a bad first line still was the header candidate
      const loc = { file: file.name, line, column: i + 1, text: raw[i]! };
      file.bad(field === undefined ? loc : { ...loc, field }, `${field ?? `field ${i + 1}`} is padded with ${pad}: only spaces and tabs may pad a field`);
      return true;
    }
    return false;
  }

  /** A quote left open on content line q: the column is the field it opens in. */
  private unclosed(q: number): TraceError {
    const column = q < this.qLine.length ? openQuoteField(this.lineText(q)) : 0;
    return this.error(q, column, 'quoted field is not closed on its line');
  }

  private error(q: number, column: number, reason: string): TraceError {
    const field = column > 0 ? this.file.fieldAt(column - 1) : undefined;
    const known = q < this.qLine.length;
    const loc = { file: this.file.name, line: known ? this.qLine[q]! : this.file.line, column, text: known ? this.lineText(q) : '' };
    return new TraceError(field === undefined ? loc : { ...loc, field }, reason);
  }

  /** Feeds a batch; on a bad line reports it, then restarts csv-parse on the lines after it. */
  private feed(batch: Buffer | undefined, end: boolean): void {
    let input = batch;
    for (;;) {
      if (input !== undefined) this.fed += input.length;
      const err = this.core.parse(input, end, this.onRecord, noop);
      let bad = this.pending;
      this.pending = null;
      if (bad === null && err !== undefined) {
        if (err instanceof TraceError) throw err;
        // An unclosed quote is a fault of the line (as when a later quote closes it on another line).
        const open = err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED';
        const column = !open && err instanceof CsvError && typeof err.column === 'number' ? err.column + 1 : 0;
        bad = open ? this.unclosed(this.qHead) : this.error(this.qHead, column, csvReason(err));
        this.qHead++;
      }
      if (bad === null && this.qEnd.length - this.qHead > MAX_PENDING_LINES) {
        bad = this.unclosed(this.qHead);
        this.qHead++;
      }
      if (bad === null) {
        this.compact();
        return;
      }
      this.file.started = true; // a bad first line still was the header candidate
      this.file.bad(bad, bad.reason);
      input = this.refeed();
      if (input === undefined && !end) return;
    }
  }

  private compact(): void {
    if (this.qHead === 0) return;
    // Usually at most one line still waits (csv-parse holds back the last byte it was given).
    const from = this.qHead;
    for (const q of [this.qLine, this.qBuf, this.qStart, this.qStop, this.qEnd, this.qOdd] as unknown[][]) {
      q.copyWithin(0, from);
      q.length -= from;
    }
    this.qHead = 0;
  }

  /** A fresh parser, given again every line still waiting for a record; undefined when none. */
  private refeed(): Buffer | undefined {
    this.compact();
    this.newParser();
    const n = this.qLine.length;
    if (n === 0) return undefined;
    let size = 0;
    for (let q = 0; q < n; q++) size += this.qStop[q]! - this.qStart[q]! + 1;
    const batch = Buffer.allocUnsafe(size);
    let w = 0;
    for (let q = 0; q < n; q++) {
      const len = this.qStop[q]! - this.qStart[q]!;
      this.qBuf[q]!.copy(batch, w, this.qStart[q], this.qStop[q]);
      this.qBuf[q] = batch;
      this.qStart[q] = w;
      w += len;
      this.qStop[q] = w;
      batch[w++] = NL;
      this.qEnd[q] = w;
    }
    return batch;
  }
}
