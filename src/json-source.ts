/**
 * JSON side inputs (topology files) read as text, checked in one pass before JSON.parse: JSON.parse recurses (100 k
 * `[` would overflow the call stack), keeps the last of two equal keys without a word, gives no line or column in
 * its messages, and loses how a number was written (`9007199254740993` comes back as 9007199254740992). The pass
 * here is linear in the text and holds only the stack of open arrays and objects with the keys of each: bounded by
 * the nesting limit and the text itself. On an error path, locateJson() walks the text again to find where a value
 * is and how it was written.
 */

/** Deepest nesting of JSON arrays and objects accepted: far above any topology, far below the call stack. */
export const JSON_MAX_DEPTH = 512;

/** One step of a path into a JSON value: an object key or an array index. */
export type JsonPathStep = string | number;

/** 1-based line and column of a character (columns count UTF-16 code units, tabs as one). */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** What is wrong with a JSON text, where, and the key path of the place (`nodes[0].id`). */
export interface JsonProblem {
  readonly message: string;
  readonly offset: number;
  readonly path: readonly JsonPathStep[];
  /** The text is not JSON (syntax, nesting); false for a key that appears twice, which JSON.parse would take. */
  readonly syntax: boolean;
}

/** Where a value is in the text: its first character, its text as written and, for an object member, its key's. */
export interface JsonSpot {
  readonly offset: number;
  readonly text: string;
  readonly keyOffset?: number;
}

const BOM = 0xfeff;

/** The text without a leading UTF-8 byte order mark (U+FEFF), which some editors write; JSON.parse refuses one. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

/** Line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$]*$/;

/** Paths longer than this (a deeply nested text) are cut in messages. */
const PATH_MAX = 120;

/**
 * A key path as messages write it: `nodes[1].pfn_ranges[0].end`; a key that is not a plain name is quoted, `["a.b"]`.
 * A long path is cut: `[0][0][0]... (512 steps)`.
 */
export function formatJsonPath(path: readonly JsonPathStep[]): string {
  let s = '';
  for (const step of path) {
    if (s.length > PATH_MAX) return `${s}... (${path.length} steps)`;
    if (typeof step === 'number') s += `[${step}]`;
    else if (SIMPLE_KEY.test(step)) s += s === '' ? step : `.${step}`;
    else s += `[${JSON.stringify(step).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}]`;
  }
  return s;
}

/** An open array or object during the scan; reused by depth, so the scan allocates nothing per value. */
interface Frame {
  isObject: boolean;
  /** Array: index of the current element. Object: the current key, once read (`hasKey`). */
  index: number;
  key: string;
  hasKey: boolean;
  keyOffset: number;
  /** Keys seen in this object and where; a Map once the object has more than a few. */
  keys: string[];
  keyOffsets: number[];
  keyMap: Map<string, number> | null;
}

/** Objects with at most this many keys look for duplicates in a list, larger ones in a Map. */
const SMALL_OBJECT = 8;

/** What the scan expects next. */
const W_VALUE = 0;
/** After `[`: a value or `]`. */
const W_FIRST_VALUE = 1;
/** After `{`: a key or `}`. */
const W_FIRST_KEY = 2;
/** After `,` in an object: a key. */
const W_KEY = 3;
const W_COLON = 4;
/** After a value: `,`, or the end of the container (or of the text at the top). */
const W_NEXT = 5;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** What a character is, for messages: `"}"`, `end of text`. */
function describeAt(text: string, i: number): string {
  if (i >= text.length) return 'end of text';
  const cp = text.codePointAt(i)!;
  const ch = String.fromCodePoint(cp);
  if (cp === BOM) return 'byte order mark U+FEFF';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return JSON.stringify(ch);
}

class ScanError {
  constructor(
    readonly offset: number,
    readonly message: string,
    readonly syntax = true,
  ) {}
}

/** End of the string token starting at `i` (a `"`): the index after its closing quote. */
function stringEnd(text: string, i: number): number {
  const n = text.length;
  let j = i + 1;
  for (;;) {
    if (j >= n) throw new ScanError(i, 'string not closed');
    const c = text.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c === 0x5c) {
      const e = text.charCodeAt(j + 1);
      if (e === 0x75) {
        for (let k = j + 2; k < j + 6; k++) if (!isHex(text.charCodeAt(k))) throw new ScanError(j, 'bad \\u escape in a string (four hex digits follow \\u)');
        j += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 2;
      } else {
        throw new ScanError(j, `bad escape ${describeAt(text, j + 1)} in a string`);
      }
    } else if (c < 0x20) {
      throw new ScanError(j, `${describeAt(text, j)} inside a string (control characters are written escaped, \\n, \\u0000)`);
    } else {
      j++;
    }
  }
}

/** End of the number token starting at `i`; sets `fraction` when it has a fraction or an exponent. */
function numberEnd(text: string, i: number, out: { fraction: boolean }): number {
  let j = i;
  if (text.charCodeAt(j) === 0x2d) j++;
  const first = text.charCodeAt(j);
  if (first === 0x30) j++;
  else if (isDigit(first)) while (isDigit(text.charCodeAt(j))) j++;
  else throw new ScanError(i, 'a minus sign without digits');
  if (isDigit(text.charCodeAt(j))) throw new ScanError(i, 'a number with a leading zero');
  if (text.charCodeAt(j) === 0x2e) {
    out.fraction = true;
    j++;
    if (!isDigit(text.charCodeAt(j))) throw new ScanError(i, 'a number without digits after its decimal point');
    while (isDigit(text.charCodeAt(j))) j++;
  }
  const e = text.charCodeAt(j);
  if (e === 0x65 || e === 0x45) {
    out.fraction = true;
    j++;
    const s = text.charCodeAt(j);
    if (s === 0x2b || s === 0x2d) j++;
    if (!isDigit(text.charCodeAt(j))) throw new ScanError(i, 'a number without digits in its exponent');
    while (isDigit(text.charCodeAt(j))) j++;
  }
  return j;
}

const NUMBER_PARTS = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Whether a number token with a fraction or exponent is not an integer as written, yet a double rounds it to one. */
function roundedToInteger(t: string): boolean {
  if (!Number.isInteger(Number(t))) return false;
  const m = NUMBER_PARTS.exec(t)!;
  const digits = m[1]! + (m[2] ?? '');
  const point = m[1]!.length + Number(m[3] ?? 0);
  // As written, an integer iff every digit after the decimal point (moved by the exponent) is 0.
  return !/^0*$/.test(digits.slice(Math.max(point, 0)));
}

/** `i` moved back over the white space after a value that starts at `start`. */
function endBefore(text: string, i: number, start: number): number {
  while (i > start && isSpace(text.charCodeAt(i - 1))) i--;
  return i;
}

/** What scanJson() learnt beyond the text being valid. */
export interface JsonScan {
  /**
   * The first number that is not an integer as written but that JSON.parse reads as one (`4503599627370495.5` as
   * 4503599627370496, `1e-400` as 0), which an integer field would take without a word; null if none.
   */
  readonly firstRounded: { readonly offset: number; readonly text: string; readonly value: number; readonly path: readonly JsonPathStep[] } | null;
}

/** A value located by the scan (locateJson's search). */
interface Found {
  offset: number;
  end: number;
  keyOffset?: number;
}

/**
 * One pass over a JSON text (RFC 8259): its syntax, a nesting limit, and no key twice in one object. Returns what it
 * learnt, or the first problem. With `find`, it instead stops at the value at that path (see locateJson).
 */
function scan(text: string, find?: readonly JsonPathStep[]): { problem: JsonProblem } | { scan: JsonScan; found?: Found; deepest?: Found } {
  const frames: Frame[] = [];
  let depth = 0;
  let want = W_VALUE;
  let firstRounded: JsonScan['firstRounded'] = null;
  const num = { fraction: false };
  // With `find`: the value found, its depth (its end is recorded when the scan is back at that depth), and the
  // deepest ancestor seen, for a path whose last steps are missing.
  let found: Found | undefined;
  let foundDepth = -1;
  let deepest: Found | undefined;
  let deepestLen = -1;
  const pathNow = (): JsonPathStep[] => {
    const p: JsonPathStep[] = [];
    for (let d = 0; d < depth; d++) {
      const f = frames[d]!;
      if (f.isObject && !f.hasKey) break; // between members: the path is the object's
      p.push(f.isObject ? f.key : f.index);
    }
    return p;
  };
  /** With `find`: how many leading steps of the current path match it (the current path being `depth` long). */
  const matchLen = (): number => {
    let k = 0;
    while (k < depth && k < find!.length) {
      const f = frames[k]!;
      if ((f.isObject ? f.key : f.index) !== find![k]) break;
      k++;
    }
    return k;
  };
  let i = 0;
  const n = text.length;
  try {
    for (;;) {
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      const c = i < n ? text.charCodeAt(i) : -1;
      switch (want) {
        case W_FIRST_VALUE:
          if (c === 0x5d) {
            i++;
            depth--;
            want = W_NEXT;
          } else {
            want = W_VALUE;
          }
          break;
        case W_VALUE: {
          const start = i;
          if (find !== undefined && found === undefined) {
            const k = matchLen();
            if (k === depth && k === find.length) {
              const f = depth > 0 ? frames[depth - 1]! : undefined;
              found = { offset: start, end: -1, ...(f?.isObject ? { keyOffset: f.keyOffset } : {}) };
              foundDepth = depth;
            } else if (k === depth && k > deepestLen) {
              deepest = { offset: start, end: -1 };
              deepestLen = k;
            }
          }
          if (c === 0x7b || c === 0x5b) {
            if (depth >= JSON_MAX_DEPTH) throw new ScanError(i, `nested more than ${JSON_MAX_DEPTH} levels deep`);
            let f = frames[depth];
            if (f === undefined) {
              f = { isObject: false, index: 0, key: '', hasKey: false, keyOffset: 0, keys: [], keyOffsets: [], keyMap: null };
              frames.push(f);
            }
            f.isObject = c === 0x7b;
            f.index = 0;
            f.hasKey = false;
            f.keys.length = 0;
            f.keyOffsets.length = 0;
            f.keyMap = null;
            depth++;
            i++;
            want = c === 0x7b ? W_FIRST_KEY : W_FIRST_VALUE;
            break;
          }
          if (c === 0x22) i = stringEnd(text, i);
          else if (c === 0x2d || isDigit(c)) {
            num.fraction = false;
            i = numberEnd(text, i, num);
            if (num.fraction && firstRounded === null) {
              const t = text.slice(start, i);
              if (roundedToInteger(t)) firstRounded = { offset: start, text: t, value: Number(t), path: pathNow() };
            }
          } else if (c === 0x74 && text.startsWith('true', i)) i += 4;
          else if (c === 0x66 && text.startsWith('false', i)) i += 5;
          else if (c === 0x6e && text.startsWith('null', i)) i += 4;
          else throw new ScanError(i, `unexpected ${describeAt(text, i)} where a value should be`);
          want = W_NEXT;
          break;
        }
        case W_FIRST_KEY:
          if (c === 0x7d) {
            i++;
            depth--;
            want = W_NEXT;
          } else {
            want = W_KEY;
          }
          break;
        case W_KEY: {
          if (c !== 0x22) throw new ScanError(i, `unexpected ${describeAt(text, i)} where a key (a string in double quotes) should be`);
          const end = stringEnd(text, i);
          const raw = text.slice(i + 1, end - 1);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
          const f = frames[depth - 1]!;
          let prev: number | undefined;
          if (f.keyMap !== null) prev = f.keyMap.get(key);
          else {
            const k = f.keys.indexOf(key);
            if (k >= 0) prev = f.keyOffsets[k];
          }
          f.key = key;
          f.hasKey = true;
          f.keyOffset = i;
          if (prev !== undefined) {
            const at = positionAt(text, prev);
            throw new ScanError(i, `duplicate key ${JSON.stringify(key)} (first at ${at.line}:${at.column}); a key may appear once in an object`, false);
          }
          if (f.keyMap !== null) f.keyMap.set(key, i);
          else if (f.keys.length < SMALL_OBJECT) {
            f.keys.push(key);
            f.keyOffsets.push(i);
          } else {
            f.keyMap = new Map(f.keys.map((k, j) => [k, f.keyOffsets[j]!]));
            f.keyMap.set(key, i);
          }
          i = end;
          want = W_COLON;
          break;
        }
        case W_COLON:
          if (c !== 0x3a) throw new ScanError(i, `unexpected ${describeAt(text, i)} where ":" should follow the key`);
          i++;
          want = W_VALUE;
          break;
        case W_NEXT: {
          if (found !== undefined && found.end < 0 && depth === foundDepth) {
            found.end = endBefore(text, i, found.offset);
            return { scan: { firstRounded }, found };
          }
          if (deepest !== undefined && deepest.end < 0 && depth === deepestLen) deepest.end = endBefore(text, i, deepest.offset);
          if (depth === 0) {
            if (i < n) throw new ScanError(i, `unexpected ${describeAt(text, i)} after the end of the JSON value`);
            return { scan: { firstRounded }, ...(deepest ? { deepest } : {}) };
          }
          const f = frames[depth - 1]!;
          if (c === 0x2c) {
            i++;
            if (f.isObject) {
              f.hasKey = false;
              want = W_KEY;
            } else {
              f.index++;
              want = W_VALUE;
            }
          } else if (c === (f.isObject ? 0x7d : 0x5d)) {
            i++;
            depth--;
          } else {
            throw new ScanError(i, `unexpected ${describeAt(text, i)} where "," or "${f.isObject ? '}' : ']'}" should be`);
          }
          break;
        }
      }
    }
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    return { problem: { message: e.message, offset: e.offset, path: pathNow(), syntax: e.syntax } };
  }
}

/**
 * Checks a JSON text in one pass (see the file comment): syntax, nesting, duplicate keys. Returns the first problem,
 * or what the pass learnt. Give it the text without a BOM (stripBom).
 */
export function scanJson(text: string): { problem: JsonProblem } | { scan: JsonScan } {
  const r = scan(text);
  return 'problem' in r ? r : { scan: r.scan };
}

/**
 * Where the value at `path` is in a JSON text that scanJson() accepted, and its text as written; when the path
 * leads nowhere (a missing key), the deepest value on it that exists, with `missing` set. Walks the text again: for
 * error messages only.
 */
export function locateJson(text: string, path: readonly JsonPathStep[]): (JsonSpot & { readonly missing: boolean }) | undefined {
  const r = scan(text, path);
  if ('problem' in r) return undefined;
  const f = r.found ?? r.deepest;
  if (f === undefined) return undefined;
  return {
    offset: f.offset,
    text: text.slice(f.offset, f.end < 0 ? text.length : f.end),
    ...(f.keyOffset !== undefined ? { keyOffset: f.keyOffset } : {}),
    missing: r.found === undefined,
  };
}

/** A JSON side input parsed: its value, the text it came from (without a BOM) and what the scan learnt. */
export interface ParsedJson {
  readonly value: unknown;
  readonly text: string;
  readonly scan: JsonScan;
}

/** A JSON text refused: why, where, and the key path there (`nodes[0].id`; empty at the top). */
export interface JsonRefusal {
  readonly error: string;
  readonly position: TextPosition;
  readonly path: string;
  /** The text is not JSON (syntax, nesting); false for a key that appears twice, which JSON.parse would take. */
  readonly syntax: boolean;
}

/**
 * Parses a JSON side input after scanJson(): a leading BOM is skipped, and the text is refused, with line and
 * column, when it is not JSON, nests deeper than JSON_MAX_DEPTH, or has a key twice in one object.
 */
export function parseJsonBounded(input: string): ParsedJson | JsonRefusal {
  const text = stripBom(input);
  const r = scanJson(text);
  if ('problem' in r) {
    const p = r.problem;
    return { error: p.message, position: positionAt(text, p.offset), path: formatJsonPath(p.path), syntax: p.syntax };
  }
  // The scan accepted the text, so JSON.parse does too (its nesting is bounded above).
  return { value: JSON.parse(text) as unknown, text, scan: r.scan };
}
