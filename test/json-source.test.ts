/** The JSON side-input scan: syntax with line and column, duplicate keys, BOM, numbers as written, locating values. */
import { describe, expect, it } from 'vitest';
import { formatJsonPath, locateJson, parseJsonBounded, positionAt, scanJson, type JsonRefusal } from '../src/json-source.js';

function refused(text: string): JsonRefusal {
  const r = parseJsonBounded(text);
  if (!('error' in r)) throw new Error(`expected ${JSON.stringify(text)} to be refused`);
  return r;
}

describe('parseJsonBounded', () => {
  it('refuses a key twice in one object, naming both places; the last one no longer wins', () => {
    const r4 = '{"name":"t","nodes":[{"id":0,"id":5,"cpus":"0-7"}]}';
    expect(refused(r4)).toEqual({
      error: 'duplicate key "id" (first at 1:23); a key may appear once in an object',
      position: { line: 1, column: 30 },
      path: 'nodes[0].id',
      syntax: false,
    });
    expect(refused('{"name":"a",\n "nodes":[],\n "name":"b"}')).toMatchObject({ position: { line: 3, column: 2 }, path: 'name' });
    expect(refused('{"nodes":[],"nodes":[{"id":0}]}')).toMatchObject({ position: { line: 1, column: 13 }, path: 'nodes' });
    // Equal once unescaped: "\u0069d" is "id".
    expect(refused('{"id":0,"\\u0069d":1}')).toMatchObject({ path: 'id', position: { line: 1, column: 9 } });
    // Past the small-object list: the Map.
    const many = Array.from({ length: 20 }, (_, k) => `"k${k}":${k}`).join(',');
    expect(refused(`{${many},"k3":0}`)).toMatchObject({ path: 'k3', error: expect.stringContaining('(first at 1:') });
  });

  it('takes equal keys in different objects, and keys equal to values', () => {
    expect(parseJsonBounded('[{"id":0},{"id":1,"x":{"id":2}},"id"]')).toMatchObject({ value: [{ id: 0 }, { id: 1, x: { id: 2 } }, 'id'] });
  });

  it('skips a leading BOM (columns count from after it); a BOM anywhere else is refused by name', () => {
    expect(parseJsonBounded('\ufeff{"a":1}')).toMatchObject({ value: { a: 1 }, text: '{"a":1}' });
    expect(refused('\ufeff\ufeff{}')).toMatchObject({ error: 'unexpected byte order mark U+FEFF where a value should be', position: { line: 1, column: 1 } });
  });

  it('names line, column and the path for syntax errors', () => {
    expect(refused('{\n  "nodes": [\n    {"id": 0,}\n  ]\n}')).toEqual({
      error: 'unexpected "}" where a key (a string in double quotes) should be',
      position: { line: 3, column: 14 },
      path: 'nodes[0]',
      syntax: true,
    });
    expect(refused('{"a": 01}')).toMatchObject({ error: 'a number with a leading zero', position: { column: 7 } });
    expect(refused('{"a": "x\ny"}')).toMatchObject({ position: { line: 1, column: 9 } });
    expect(refused('[1,]')).toMatchObject({ error: 'unexpected "]" where a value should be', path: '[1]' });
    expect(refused('{"a":1} x')).toMatchObject({ error: 'unexpected "x" after the end of the JSON value' });
    expect(refused('')).toMatchObject({ error: 'unexpected end of text where a value should be' });
  });

  it('accepts exactly what JSON.parse accepts, on seeded mutations of a topology', () => {
    const base = '{"name":"a\\u00e9\\n","nodes":[{"id":0,"cpus":"0-7","pfn_ranges":[{"start":"0x0","end":-1.5e+3}]},true,false,null,[]]}';
    const alphabet = ' \t\n{}[]",:\\/0123456789-+.eEtrufalsn\u00e9\u0001';
    let seed = 1;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let accepted = 0;
    for (let k = 0; k < 4000; k++) {
      let t = base;
      for (let m = 0; m <= rnd(3); m++) {
        const at = rnd(t.length + 1);
        const op = rnd(3);
        const ch = alphabet[rnd(alphabet.length)]!;
        t = op === 0 ? t.slice(0, at) + t.slice(at + 1) : op === 1 ? t.slice(0, at) + ch + t.slice(at) : t.slice(0, at) + ch + t.slice(at + 1);
      }
      let expected: unknown;
      let ok = true;
      try {
        expected = JSON.parse(t);
      } catch {
        ok = false;
      }
      const r = parseJsonBounded(t);
      if ('error' in r && !r.syntax) continue; // a duplicate key: JSON.parse takes it, the scan does not
      expect('value' in r, t).toBe(ok);
      if (ok) {
        expect((r as { value: unknown }).value).toEqual(expected);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('reports a number that is not an integer as written but that JSON.parse makes one', () => {
    const scan = (t: string) => {
      const r = scanJson(t);
      if ('problem' in r) throw new Error(r.problem.message);
      return r.scan.firstRounded;
    };
    expect(scan('{"a":[1.0, 5.76e2, 1e400, 1.5, -0.0, 12e-1]}')).toBeNull();
    expect(scan('{"a":[1, {"b": 9007199254740990.5}]}')).toEqual({ offset: 15, text: '9007199254740990.5', value: 9007199254740990, path: ['a', 1, 'b'] });
    expect(scan('[1e-400]')?.value).toBe(0);
    expect(scan('[0.99999999999999999]')?.value).toBe(1);
  });
});

describe('locateJson', () => {
  const text = '{\n  "name": "x",\n  "nodes": [\n    {"id": 9007199254740993, "cpus": "0"},\n    {"id": 1e400}\n  ]\n}';
  it('finds a value as written, and its key', () => {
    const s = locateJson(text, ['nodes', 0, 'id'])!;
    expect([s.text, positionAt(text, s.offset), positionAt(text, s.keyOffset!), s.missing]).toEqual([
      '9007199254740993',
      { line: 4, column: 12 },
      { line: 4, column: 6 },
      false,
    ]);
    expect(locateJson(text, ['nodes', 1, 'id'])!.text).toBe('1e400');
    expect(locateJson(text, ['nodes', 1])!.text).toBe('{"id": 1e400}');
    expect(locateJson(text, [])!.text).toBe(text);
  });

  it('falls back to the deepest value on the path when the rest is missing', () => {
    const s = locateJson(text, ['nodes', 1, 'cpus'])!;
    expect([s.missing, s.text, positionAt(text, s.offset)]).toEqual([true, '{"id": 1e400}', { line: 5, column: 5 }]);
  });
});

describe('formatJsonPath', () => {
  it('writes keys and indexes as the messages do, quoting odd keys and cutting long paths', () => {
    expect(formatJsonPath(['nodes', 1, 'pfn_ranges', 0, 'end'])).toBe('nodes[1].pfn_ranges[0].end');
    expect(formatJsonPath(['nodes', 0, 'a.b', 'x\u001b\u202e'])).toBe('nodes[0]["a.b"]["x\\u001b\\u202e"]');
    expect(formatJsonPath(Array(512).fill(0))).toMatch(/^(\[0\]){41}\.\.\. \(512 steps\)$/);
  });
});
