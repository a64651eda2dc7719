/** Per-file state of a trace replay shared by the fast path and the csv-parse path. */
import { TraceError, type TraceLocation } from '../errors.js';
import type { AccessSink } from '../engine/types.js';
import { FIELD_NAMES, FIELD_PARSERS, headerField, isHeader } from './fields.js';

/** What every file of one readTraces() call writes to: the sink, the skip policy and the tallies. */
export interface ReadContext {
  readonly sink: AccessSink;
  /** When set, a bad line is reported here and skipped instead of thrown (`--skip-bad`). */
  readonly onBad: ((err: TraceError) => void) | undefined;
  records: number;
  skipped: number;
}

/**
 * Longest physical line accepted, in bytes before its LF (a CR before it counted): keeps memory bounded on a file
 * without line ends. CSV and perf text alike, however the reads cut the line: the readers refuse a longer line where
 * they hold a partial one (its bytes so far pass the cap) and where they find whole lines in a chunk or block
 * (overlongLineAt()).
 */
export const MAX_LINE_BYTES = 1 << 20;

const NL = 10;
const COMMA = 44;
const QUOTE = 34;

/**
 * The start of the first line in buf[from, to) longer than MAX_LINE_BYTES, or -1 when none is (`from` is a line start,
 * and buf[to - 1] a LF: whole lines). Such a line has more than MAX_LINE_BYTES bytes without a LF, so it holds one of
 * the points from + MAX_LINE_BYTES + k * (MAX_LINE_BYTES + 1): only the lines at those points are measured. A range of
 * MAX_LINE_BYTES bytes or less (a read-ahead chunk, a pipe read) has none; a 1 MiB block has one, and two searches
 * of a line's length there. So the line parsers (fast.ts, plain-wasm.ts, perf-fast.ts, perf-wasm.ts) take lines of
 * any length and test none: the readers give them whole lines up to the first line over the cap, and refuse that one
 * where they go on line by line.
 */
export function overlongLineAt(buf: Uint8Array, from: number, to: number): number {
  for (let p = from + MAX_LINE_BYTES; p < to; p += MAX_LINE_BYTES + 1) {
    if (buf[p] === NL) continue;
    const start = Math.max(from, buf.lastIndexOf(NL, p) + 1);
    const nl = buf.indexOf(NL, p);
    if ((nl < 0 || nl > to ? to : nl) - start > MAX_LINE_BYTES) return start;
  }
  return -1;
}

/** Characters of a line over the cap that its error quotes (escape.ts QUOTE_MAX). */
const HEAD_CHARS = 200;

/**
 * The 1-based field number at byte `at` of a line: one more than the commas before it outside quotes. Used by
 * error paths only (a line over the cap, an unclosed quote), never on a line that parses.
 */
export function fieldNumberAt(line: Uint8Array, at: number): number {
  let field = 1;
  let quoted = false;
  const end = Math.min(at, line.length);
  for (let i = 0; i < end; i++) {
    const b = line[i]!;
    if (b === QUOTE) quoted = !quoted; // "" inside quotes toggles twice
    else if (b === COMMA && !quoted) field++;
  }
  return field;
}

/**
 * The error of a line longer than MAX_LINE_BYTES, from its first bytes as held (`head`, at least up to the cap when
 * the reader held that much): the column is the field in which the line passed the cap, the text its first 200
 * characters, said to be part of a line of more than MAX_LINE_BYTES bytes (its length is not known: it is not read on).
 */
export function longLineError(file: TraceFile, head: Uint8Array): TraceError {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, HEAD_CHARS * 4)).toString('utf8').slice(0, HEAD_CHARS);
  return new TraceError(
    { file: file.name, line: file.line + 1, column: fieldNumberAt(head, MAX_LINE_BYTES), text, longerThan: MAX_LINE_BYTES },
    `line is longer than ${MAX_LINE_BYTES} bytes`,
  );
}

/**
 * The 1-based field number where an unclosed quote opens in `text` (a line csv-parse found a quote left open on),
 * or 0 when no quote is left open in it.
 */
export function openQuoteField(text: string): number {
  let field = 1;
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) open = open === 0 ? field : 0;
    else if (c === COMMA && open === 0) field++;
  }
  return open;
}

/** One input file being read: line count, header and column layout. */
export class TraceFile {
  /** File name as the user gave it. */
  readonly name: string;
  readonly ctx: ReadContext;
  /** Physical lines consumed so far (comments, blank lines and the header included). */
  line = 0;
  /** Set once the first non-blank, non-comment line was seen: only that line may be a header. */
  started = false;
  /** True while the layout is the positional one or a `pfn,nid,src,time` header: the fast path can read it. */
  plain = true;
  /** Fields a data line must have. */
  private width = 4;
  /** cols[Field] = 0-based position of that column in a line. */
  private readonly cols = [0, 1, 2, 3];
  /** Fields in the order they appear in a line, so the leftmost bad field is reported. */
  private order = [0, 1, 2, 3];
  private readonly vals = new Float64Array(4);

  constructor(name: string, ctx: ReadContext) {
    this.name = name;
    this.ctx = ctx;
  }

  /** Applies one content line split into trimmed cells; `lineText` yields the line for error reports. */
  applyCells(cells: readonly string[], line: number, lineText: () => string): void {
    if (!this.started) {
      this.started = true;
      if (isHeader(cells)) {
        this.setHeader(cells, line, lineText());
        return;
      }
    }
    if (cells.length !== this.width) {
      // The column where the line goes wrong: its first extra field, or the first one missing.
      const column = Math.min(cells.length, this.width) + 1;
      this.bad({ file: this.name, line, column, text: lineText() }, `expected ${this.width} fields, found ${cells.length}`);
      return;
    }
    const vals = this.vals;
    for (const f of this.order) {
      const col = this.cols[f]!;
      const text = cells[col]!;
      const r = FIELD_PARSERS[f]!(text);
      if (typeof r === 'string') {
        this.bad({ file: this.name, line, column: col + 1, field: FIELD_NAMES[f]!, text }, r);
        return;
      }
      vals[f] = r;
    }
    this.ctx.records++;
    this.ctx.sink.record_access(vals[0]!, vals[1]!, vals[2]!, vals[3]!);
  }

  /** The layout a header gave: each column's field (FIELD_NAMES index, or -1 for a column read by no field), and their count. */
  layout(): { readonly fieldOf: Int8Array; readonly width: number } {
    const fieldOf = new Int8Array(this.width).fill(-1);
    for (let f = 0; f < 4; f++) fieldOf[this.cols[f]!] = f;
    return { fieldOf, width: this.width };
  }

  /** Name of the column at 0-based position `col`, when it is one of the four. */
  fieldAt(col: number): string | undefined {
    const f = this.cols.indexOf(col);
    return f >= 0 ? FIELD_NAMES[f] : undefined;
  }

  /** Reports a bad line: to onBad (and counts it skipped) or by throwing. */
  bad(loc: TraceLocation, reason: string): void {
    this.badLine(new TraceError(loc, reason));
  }

  /** Reports the error of a bad line: to onBad (and counts it skipped) or by throwing it. */
  private badLine(err: TraceError): void {
    if (this.ctx.onBad === undefined) throw err;
    this.ctx.onBad(err);
    this.ctx.skipped++;
  }

  /**
   * The next line is longer than MAX_LINE_BYTES (`head`: its first bytes as held, see longLineError()): its error is
   * thrown, or with onBad (`--skip-bad`) reported and the line counted, and the caller discards its bytes up to its LF
   * (never holding them). It does not start the file: the content line after it may still be the header, as in the
   * same file without it.
   */
  longLine(head: Uint8Array): void {
    this.badLine(longLineError(this, head));
    this.line++;
  }

  /** A header names the columns; a bad header is fatal even with onBad, as no line after it can be read. */
  private setHeader(cells: readonly string[], line: number, text: string): void {
    const cols = [-1, -1, -1, -1];
    cells.forEach((cell, i) => {
      const f = headerField(cell);
      if (f < 0) return;
      if (cols[f]! >= 0) {
        throw new TraceError({ file: this.name, line, column: i + 1, field: FIELD_NAMES[f]!, text: cell }, `header names column "${FIELD_NAMES[f]}" twice`);
      }
      cols[f] = i;
    });
    const missing = FIELD_NAMES.filter((_, f) => cols[f]! < 0);
    if (missing.length > 0) {
      throw new TraceError({ file: this.name, line, column: 0, text }, `header lacks column ${missing.map((m) => `"${m}"`).join(', ')}`);
    }
    for (let f = 0; f < 4; f++) this.cols[f] = cols[f]!;
    this.width = cells.length;
    this.order = [0, 1, 2, 3].sort((a, b) => cols[a]! - cols[b]!);
    this.plain = this.width === 4 && cols.every((c, f) => c === f);
  }
}
