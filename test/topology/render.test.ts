import { describe, it, expect } from 'vitest';
import { Chalk } from 'chalk';
import { parseTopology } from '../../src/topology/parse.js';
import { PRESETS, presetNames } from '../../src/topology/presets.js';
import { renderTopology, topologyToJson } from '../../src/topology/render.js';

const plain = new Chalk({ level: 0 });

/** The cells of the table row whose first cell is `id` (first line of multi-line rows). */
function row(text: string, id: number): string[] {
  const line = text.split('\n').find((l) => new RegExp(`^│ ${id} +│`).test(l));
  if (!line) throw new Error(`no row for node ${id} in\n${text}`);
  return line.split('│').slice(1, -1).map((c) => c.trim());
}

describe('renderTopology', () => {
  it('shows one row per node with tier, top tier, daemon, ranges and budget', () => {
    const out = renderTopology(PRESETS['2s-cxl-budget']!, plain);
    expect(out).toContain('2s-cxl-budget');
    // 0x100000 pages = 1048576; 0x200000 = 2097152.
    expect(row(out, 0)).toEqual(['0', '0-7', '576', '4', 'yes', 'kpromoted0', '0x0-0x100000 (1048576 pages)', '64 / 32']);
    expect(row(out, 1)).toEqual(['1', '8-15', '576', '4', 'yes', 'kpromoted1', '0x100000-0x200000 (1048576 pages)', '64 / 32']);
    expect(row(out, 2)).toEqual(['2', '-', '2880', '22', 'no', 'no', '0x200000-0x400000 (2097152 pages)', 'unlimited']);
    expect(out).toContain('top-tier boundary: tier 4 (adistance < 640); top-tier nodes: 0,1; promotion sources: 2');
  });

  it('marks nodes without memory and non-lru kinds', () => {
    const topo = parseTopology(
      {
        nodes: [
          { id: 0, cpus: '0-1,4' },
          { id: 3, adistance: 2880, pfn_ranges: [{ start: 0, end: 16 }, { start: 16, end: 32, kind: 'device' }] },
        ],
      },
      'x.json',
    );
    const out = renderTopology(topo, plain);
    expect(row(out, 0)).toEqual(['0', '0-1,4', '576', '-', 'yes', 'kpromoted0', '-', 'unlimited']);
    expect(row(out, 3).slice(0, 7)).toEqual(['3', '-', '2880', '22', 'no', 'no', '0x0-0x10 (16 pages)']);
    expect(out).toContain('0x10-0x20 device (16 pages)');
    expect(out).toContain('no node has both CPUs and memory');
  });

  it('emits no escape codes without colour, and some with', () => {
    expect(renderTopology(PRESETS['2s-cxl']!, plain)).not.toContain('\u001b[');
    expect(renderTopology(PRESETS['2s-cxl']!, new Chalk({ level: 1 }))).toContain('\u001b[');
  });
});

describe('topologyToJson', () => {
  it.each(presetNames())('round-trips preset %s through parseTopology', (name) => {
    const topo = PRESETS[name]!;
    expect(parseTopology(JSON.parse(topologyToJson(topo)), 'rt')).toEqual(topo);
  });

  it('round-trips kinds, budgets and odd adistances', () => {
    const topo = parseTopology(
      {
        name: 'odd',
        nodes: [
          { id: 4, cpus: '2,7', adistance: 300, pfn_ranges: [{ start: 5, end: 9, kind: 'nonlru' }], free_pages: 0 },
          { id: 1, cpus: '0-1', high_wmark_pages: 7 },
        ],
      },
      'x',
    );
    expect(parseTopology(JSON.parse(topologyToJson(topo)), 'rt')).toEqual(topo);
  });

  it('writes the SPEC 3.1 file format with defaults omitted', () => {
    expect(topologyToJson(PRESETS['2s-cxl']!)).toBe(
      [
        '{',
        '  "name": "2s-cxl",',
        '  "nodes": [',
        '    {',
        '      "id": 0,',
        '      "cpus": "0-7",',
        '      "pfn_ranges": [',
        '        { "start": "0x0", "end": "0x100000" }',
        '      ]',
        '    },',
        '    {',
        '      "id": 1,',
        '      "cpus": "8-15",',
        '      "pfn_ranges": [',
        '        { "start": "0x100000", "end": "0x200000" }',
        '      ]',
        '    },',
        '    {',
        '      "id": 2,',
        '      "adistance": 2880,',
        '      "pfn_ranges": [',
        '        { "start": "0x200000", "end": "0x400000" }',
        '      ]',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });
});
