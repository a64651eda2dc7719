/** escape.ts: names from files on a terminal, and bad text quoted in messages (issue 10 sections 3 and 5). */
import { describe, expect, it } from 'vitest';
import { escapeControl, QUOTE_MAX, quoteText } from '../src/escape.js';
import { quoteName, TraceError } from '../src/errors.js';

describe('escapeControl', () => {
  it('leaves ordinary names alone (unicode included)', () => {
    expect(escapeControl('2s-cxl')).toBe('2s-cxl');
    expect(escapeControl('nœud-é 節点')).toBe('nœud-é 節点');
    expect(escapeControl('a\\b')).toBe('a\\b');
  });

  it('escapes ESC, CR, LF, TAB, DEL, C1 and bidi overrides; a backslash next to them is doubled', () => {
    expect(escapeControl('\x1b[31mred\x1b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(escapeControl('a\rb\nc\td')).toBe('a\\rb\\nc\\td');
    expect(escapeControl('x\x7fy\x9bz')).toBe('x\\x7fy\\x9bz');
    expect(escapeControl('abc\u202egnp.exe')).toBe('abc\\u202egnp.exe');
    expect(escapeControl('\\x1b\x1b')).toBe('\\\\x1b\\x1b');
  });
});

describe('quoteText: at most 200 characters, escaped, with the length', () => {
  it('quotes short text whole as a JSON string', () => {
    expect(quoteText('hwhint')).toBe('"hwhint"');
    expect(quoteText('a\x1bb\u009b')).toBe('"a\\u001bb\\u009b"');
  });

  it('cuts a 1 MB line to 200 characters and gives its length', () => {
    const q = quoteText('x'.repeat(1 << 20));
    expect(q).toBe(`"${'x'.repeat(QUOTE_MAX)}"... (1048576 characters)`);
  });

  it('never cuts a surrogate pair in two', () => {
    const q = quoteText('a'.repeat(199) + '😀'.repeat(40));
    expect(q.startsWith(`"${'a'.repeat(199)}"`)).toBe(true);
  });

  it('a TraceError on a 1 MB line quotes 200 characters (the message stays short)', () => {
    const e = new TraceError({ file: 't.csv', line: 3, column: 1, field: 'pfn', text: '9'.repeat(1 << 20) }, 'pfn is out of range');
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).toMatch(/^t\.csv:3:1 \(pfn\): pfn is out of range: "9{200}"\.\.\. \(1048576 characters\)$/);
    expect(e.text.length).toBe(1 << 20); // the context keeps the whole text
  });

  it('quoteName leaves plain names, quotes names with control characters', () => {
    expect(quoteName('traces/a.csv')).toBe('traces/a.csv');
    expect(quoteName('evil\x1b[2J.csv')).toBe('"evil\\u001b[2J.csv"');
  });
});
