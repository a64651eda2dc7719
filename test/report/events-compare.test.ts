import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEventsDifference, EventsComparer, MAX_EVENT_LINE } from '../../src/report/events-compare.js';

const golden = (text: string): string => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-events-')), 'g.events.csv');
  fs.writeFileSync(f, text);
  return f;
};

function compare(file: string, actual: string): string | null {
  const c = new EventsComparer(file);
  c.feed(actual);
  const d = c.finish();
  return d === null ? null : describeEventsDifference(d);
}

describe('EventsComparer', () => {
  it('names the first differing line', () => {
    expect(compare(golden('a\nb\n'), 'a\nc\n')).toBe('events line 2: expected "b" got "c"');
    expect(compare(golden('a\n'), 'a\nb\n')).toBe('events line 2: expected <end of file> got "b"');
    expect(compare(golden('a\nb'), 'a\nb\n')).toBe('events line 2: the golden\'s last line "b" has no newline');
    expect(compare(golden('a\nb\n'), 'a\nb\n')).toBeNull();
  });

  it('says a golden line over the cap is longer than the cap, not that it has the cap\'s length', () => {
    const long = 'x'.repeat(2 * MAX_EVENT_LINE + 5);
    const msg = compare(golden(`${long}\nnext\n`), 'a\n');
    expect(msg).toBe(`events line 1: expected "${'x'.repeat(200)}"... (more than ${MAX_EVENT_LINE} bytes) got "a"`);
    // The same as an extra line at the end, and without a final newline.
    expect(compare(golden(`a\n${long}`), 'a\n')).toBe(`events line 2: expected "${'x'.repeat(200)}"... (more than ${MAX_EVENT_LINE} bytes) got <end of file>`);
    // A line of exactly the cap is read whole: its length is known.
    const full = 'y'.repeat(MAX_EVENT_LINE);
    expect(compare(golden(`${full}\n`), 'a\n')).toBe(`events line 1: expected "${'y'.repeat(200)}"... (${MAX_EVENT_LINE} characters) got "a"`);
  });
});
