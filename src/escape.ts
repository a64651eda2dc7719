/**
 * Text from files on its way to a terminal: control characters (C0, DEL, C1 such as ESC, CR, LF) and
 * bidirectional overrides are shown escaped, never passed through to the terminal.
 */

/** C0 controls, DEL, C1 controls, and the Unicode bidi embedding/override/isolate characters. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A name taken from a file (topology `name`, a file name) as it may be printed on a terminal: control
 * characters become `\n`, `\r`, `\t`, `\xNN` or `\uNNNN`, and a backslash next to one is doubled so the
 * escape cannot be confused with the text. Text without control characters is returned unchanged.
 */
export function escapeControl(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  CONTROL.lastIndex = 0;
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\\]/g, escapeOne);
}

/** How many characters of a bad text an error message quotes. */
export const QUOTE_MAX = 200;

/** Text at most this much longer than QUOTE_MAX is quoted whole. */
const QUOTE_SLACK = 40;

/**
 * Bad text quoted for an error message: a JSON string of at most QUOTE_MAX characters (control characters
 * escaped, C1 and bidi controls too), followed by `... (N characters)` when the text was longer.
 */
export function quoteText(text: string, max = QUOTE_MAX): string {
  // A little over `max` is quoted whole: a reader that cut the text itself (perf: `... (N bytes)`) is not cut again.
  let shown = text.length > max + QUOTE_SLACK ? text.slice(0, max) : text;
  // Do not cut a surrogate pair in two.
  if (shown.length < text.length && /[\ud800-\udbff]$/.test(shown)) shown = shown.slice(0, -1);
  const q = JSON.stringify(shown).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shown.length < text.length ? `${q}... (${text.length} characters)` : q;
}
