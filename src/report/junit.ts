/**
 * `kpromo check --junit FILE`: JUnit XML as GitHub Actions (test-reporter actions), GitLab
 * (artifacts:reports:junit) and Jenkins (junit step) read it: one <testsuite> for the directory, one
 * <testcase> per case; a mismatch is a <failure> whose message is the counter diff, a case that cannot
 * run is an <error>. Pure: no I/O.
 */

/** One case as the report shows it. */
export interface JunitCase {
  readonly name: string;
  /** The trace file, shown as the case's `file`. */
  readonly file: string;
  readonly status: 'pass' | 'fail' | 'error' | 'updated' | 'unchanged';
  readonly seconds: number;
  /** One-line reason (failure/error message). */
  readonly message: string;
  /** Full text (the counter diff, one line per counter; the first differing events line). */
  readonly details: string;
  /** Warnings printed for the case (stderr), kept as system-err. */
  readonly warning: string;
}

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot carry. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The whole report. `suite` names the directory; `timestamp` is an ISO date without zone suffix rules. */
export function renderJunit(suite: string, cases: readonly JunitCase[], timestamp: string): string {
  const failures = cases.filter((c) => c.status === 'fail').length;
  const errors = cases.filter((c) => c.status === 'error').length;
  const time = cases.reduce((t, c) => t + c.seconds, 0).toFixed(3);
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}"`;
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<testsuites name="kpromo check" ${counts}>\n`;
  out += `  <testsuite name="${xmlEscape(suite)}" ${counts} timestamp="${xmlEscape(timestamp)}">\n`;
  for (const c of cases) {
    const head = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(c.name)}" file="${xmlEscape(c.file)}" time="${c.seconds.toFixed(3)}"`;
    const body: string[] = [];
    if (c.status === 'fail') body.push(`      <failure message="${xmlEscape(c.message)}" type="mismatch">${xmlEscape(c.details)}</failure>`);
    if (c.status === 'error') body.push(`      <error message="${xmlEscape(c.message)}" type="error">${xmlEscape(c.details)}</error>`);
    if (c.warning !== '') body.push(`      <system-err>${xmlEscape(c.warning)}</system-err>`);
    out += body.length === 0 ? `${head}/>\n` : `${head}>\n${body.join('\n')}\n    </testcase>\n`;
  }
  out += '  </testsuite>\n</testsuites>\n';
  return out;
}
