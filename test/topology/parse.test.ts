import { describe, it, expect } from 'vitest';
import { parseTopology, topologyToObject } from '../../src/topology/parse.js';
import { topologyError } from './helpers.js';

/** A minimal valid file: one CPU node with memory, one CXL node. */
function file(): { name?: unknown; nodes: Record<string, unknown>[] } & Record<string, unknown> {
  return {
    name: 't',
    nodes: [
      { id: 0, cpus: '0-3', pfn_ranges: [{ start: '0x0', end: '0x1000' }] },
      { id: 2, adistance: 2880, pfn_ranges: [{ start: 0x1000, end: 0x2000 }] },
    ],
  };
}

describe('parseTopology: valid input', () => {
  it('normalizes the SPEC 3.1 example', () => {
    const topo = parseTopology(
      {
        name: '2-socket + CXL',
        nodes: [
          {
            id: 0, cpus: '0-7', adistance: 576, pfn_ranges: [{ start: '0x0', end: '0x100000' }],
            free_pages: 200000, high_wmark_pages: 1024,
          },
          {
            id: 2, adistance: 2880,
            pfn_ranges: [
              { start: '0x200000', end: '0x400000' },
              { start: '0x400000', end: '0x400100', kind: 'nonlru' },
            ],
          },
        ],
      },
      'example.json',
    );
    expect(topo).toEqual({
      name: '2-socket + CXL',
      nodes: [
        {
          id: 0, cpus: [0, 1, 2, 3, 4, 5, 6, 7], adistance: 576,
          pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }], free_pages: 200000, high_wmark_pages: 1024,
        },
        {
          id: 2, cpus: [], adistance: 2880,
          pfn_ranges: [
            { start: 0x200000, end: 0x400000, kind: 'lru' },
            { start: 0x400000, end: 0x400100, kind: 'nonlru' },
          ],
          free_pages: null, high_wmark_pages: 0,
        },
      ],
    });
  });

  it('applies defaults: adistance 576, no budget, watermark 0, name = source, "" cpus = memory-only', () => {
    const topo = parseTopology(
      { nodes: [{ id: 0, cpus: '0' }, { id: 1, cpus: '', pfn_ranges: [{ start: 0, end: 1 }] }] },
      'f.json',
    );
    expect(topo.name).toBe('f.json');
    expect(topo.nodes[0]).toEqual({ id: 0, cpus: [0], adistance: 576, pfn_ranges: [], free_pages: null, high_wmark_pages: 0 });
    expect(topo.nodes[1]!.cpus).toEqual([]);
  });

  it('sorts nodes by id and ranges by start', () => {
    const topo = parseTopology(
      {
        nodes: [
          { id: 5, pfn_ranges: [{ start: '0x30', end: '0x40' }, { start: '0x10', end: '0x20', kind: 'device' }] },
          { id: 1, cpus: '0' },
        ],
      },
      's',
    );
    expect(topo.nodes.map((n) => n.id)).toEqual([1, 5]);
    expect(topo.nodes[1]!.pfn_ranges.map((r) => r.start)).toEqual([0x10, 0x30]);
    expect(topo.nodes[1]!.pfn_ranges[0]!.kind).toBe('device');
  });

  it('accepts adjacent ranges, pfn end 2^53 as hex, node id 1023', () => {
    const topo = parseTopology(
      {
        nodes: [
          { id: 1023, cpus: '0', pfn_ranges: [{ start: 0, end: 16 }] },
          { id: 7, pfn_ranges: [{ start: 16, end: '0x20000000000000' }] },
        ],
      },
      's',
    );
    expect(topo.nodes[0]!.pfn_ranges[0]!.end).toBe(2 ** 53);
    expect(topo.nodes[1]!.id).toBe(1023);
  });
});

describe('parseTopology: errors name the key and the node', () => {
  it('rejects a non-object', () => {
    const e = topologyError(() => parseTopology([1], 'f.json'));
    expect(e.source).toBe('f.json');
    expect(e.path).toBe('');
    expect(e.message).toContain('[1]');
    expect(e.code).toBe('KPROMO_TOPOLOGY');
    expect(e.exitCode).toBe(2);
  });

  it('rejects an unknown top-level key', () => {
    const f = { ...file(), nodez: [] };
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodez');
    expect(e.message).toContain('"nodez"');
  });

  it('rejects an unknown node key', () => {
    const f = file();
    f.nodes[1]!.adist = 5;
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes[1].adist');
    expect(e.message).toContain('"adist"');
  });

  it('rejects an unknown range key', () => {
    const f = file();
    f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: 0x2000, type: 'lru' }];
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes[1].pfn_ranges[0].type');
    expect(e.message).toContain('"type"');
    expect(e.message).toContain('node 2');
  });

  it.each([
    ['name', (f: ReturnType<typeof file>) => (f.name = 7), 'name', '7'],
    ['nodes missing', (f: ReturnType<typeof file>) => delete (f as Record<string, unknown>).nodes, 'nodes', 'undefined'],
    ['nodes empty', (f: ReturnType<typeof file>) => (f.nodes = []), 'nodes', '[]'],
    ['node not an object', (f: ReturnType<typeof file>) => ((f.nodes as unknown[])[1] = 'x'), 'nodes[1]', '"x"'],
    ['id missing', (f: ReturnType<typeof file>) => delete f.nodes[1]!.id, 'nodes[1].id', 'missing'],
    ['id string', (f: ReturnType<typeof file>) => (f.nodes[1]!.id = '2'), 'nodes[1].id', '"2"'],
    ['id negative', (f: ReturnType<typeof file>) => (f.nodes[1]!.id = -1), 'nodes[1].id', '-1'],
    ['id fraction', (f: ReturnType<typeof file>) => (f.nodes[1]!.id = 1.5), 'nodes[1].id', '1.5'],
    ['id too large', (f: ReturnType<typeof file>) => (f.nodes[1]!.id = 1024), 'nodes[1].id', '1024'],
    ['cpus not a string', (f: ReturnType<typeof file>) => (f.nodes[0]!.cpus = [0, 1]), 'nodes[0].cpus', '[0,1]'],
    ['cpus bad list', (f: ReturnType<typeof file>) => (f.nodes[0]!.cpus = '0-x'), 'nodes[0].cpus', '"0-x"'],
    ['adistance string', (f: ReturnType<typeof file>) => (f.nodes[1]!.adistance = 'far'), 'nodes[1].adistance', '"far"'],
    ['adistance negative', (f: ReturnType<typeof file>) => (f.nodes[1]!.adistance = -576), 'nodes[1].adistance', '-576'],
    ['pfn_ranges not array', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = {}), 'nodes[1].pfn_ranges', '{}'],
    ['range not object', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [5]), 'nodes[1].pfn_ranges[0]', '5'],
    ['start missing', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ end: 9 }]), 'nodes[1].pfn_ranges[0].start', 'missing'],
    ['end missing', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 9 }]), 'nodes[1].pfn_ranges[0].end', 'missing'],
    ['start decimal string', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: '4096', end: 9000 }]),
      'nodes[1].pfn_ranges[0].start', '"4096"'],
    ['end bad hex', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: '0xzz' }]),
      'nodes[1].pfn_ranges[0].end', '"0xzz"'],
    ['end negative', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: -1 }]),
      'nodes[1].pfn_ranges[0].end', '-1'],
    ['end unsafe number', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: 2 ** 60 }]),
      'nodes[1].pfn_ranges[0].end', '1152921504606847000'],
    ['end above 2^53', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: '0x20000000000001' }]),
      'nodes[1].pfn_ranges[0].end', '"0x20000000000001"'],
    ['empty range', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: 0x1000 }]),
      'nodes[1].pfn_ranges[0].end', '0x1000'],
    ['kind unknown', (f: ReturnType<typeof file>) => (f.nodes[1]!.pfn_ranges = [{ start: 0x1000, end: 0x2000, kind: 'anon' }]),
      'nodes[1].pfn_ranges[0].kind', '"anon"'],
    ['free_pages negative', (f: ReturnType<typeof file>) => (f.nodes[0]!.free_pages = -5), 'nodes[0].free_pages', '-5'],
    ['free_pages null', (f: ReturnType<typeof file>) => (f.nodes[0]!.free_pages = null), 'nodes[0].free_pages', 'null'],
    ['high_wmark_pages string', (f: ReturnType<typeof file>) => (f.nodes[0]!.high_wmark_pages = '10'),
      'nodes[0].high_wmark_pages', '"10"'],
  ])('rejects %s', (_label, mutate, path, quoted) => {
    const f = file();
    mutate(f);
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe(path);
    expect(e.message).toContain(quoted);
    expect(e.message.startsWith(`f.json: ${path}: `)).toBe(true);
  });

  it('names the node id in per-node type errors', () => {
    const f = file();
    f.nodes[1]!.adistance = 'far';
    expect(topologyError(() => parseTopology(f, 'f.json')).message).toContain('node 2');
  });

  it('rejects duplicate ids', () => {
    const f = file();
    f.nodes[1]!.id = 0;
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes[1].id');
    expect(e.message).toContain('duplicate node id 0');
    expect(e.message).toContain('nodes[0]');
  });

  it('rejects a cpu in two nodes, naming the cpu and both nodes', () => {
    const f = file();
    f.nodes[1]!.cpus = '4,3';
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes[1].cpus');
    expect(e.message).toContain('cpu 3 is in node 0 and node 2');
  });

  it('rejects overlapping ranges across nodes, naming both nodes and ranges', () => {
    const f = file();
    f.nodes[1]!.pfn_ranges = [{ start: '0xfff', end: '0x2000' }];
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes[1].pfn_ranges[0]');
    expect(e.message).toContain('[0xfff, 0x2000) of node 2');
    expect(e.message).toContain('[0x0, 0x1000) of node 0');
  });

  it('rejects overlapping ranges within one node', () => {
    const f = file();
    f.nodes[1]!.pfn_ranges = [{ start: '0x5000', end: '0x6000' }, { start: '0x4000', end: '0x9000' }];
    const e = topologyError(() => parseTopology(f, 'f.json'));
    // Sorted by start, [0x4000, 0x9000) comes first, so the later one, [0x5000, 0x6000), is reported.
    expect(e.path).toBe('nodes[1].pfn_ranges[0]');
    expect(e.message).toContain('[0x5000, 0x6000) of node 2 overlaps range [0x4000, 0x9000) of node 2');
  });

  it('finds an overlap hidden behind a range nested in a long one', () => {
    const f = file();
    f.nodes[0]!.pfn_ranges = [{ start: 0, end: 100 }];
    f.nodes[1]!.pfn_ranges = [{ start: 10, end: 20 }];
    f.nodes.push({ id: 3, pfn_ranges: [{ start: 50, end: 60 }] });
    // [10,20) is reported first; drop it and [50,60) must still be caught against [0,100).
    expect(topologyError(() => parseTopology(f, 'f.json')).path).toBe('nodes[1].pfn_ranges[0]');
    f.nodes[1]!.pfn_ranges = [{ start: 100, end: 120 }];
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes[2].pfn_ranges[0]');
    expect(e.message).toContain('node 3');
    expect(e.message).toContain('node 0');
  });

  it('rejects a topology where no node has CPUs', () => {
    const f = file();
    delete f.nodes[0]!.cpus;
    const e = topologyError(() => parseTopology(f, 'f.json'));
    expect(e.path).toBe('nodes');
    expect(e.message).toContain('no node has CPUs');
  });
});

describe('topologyToObject', () => {
  it('omits defaults and writes pfns in hex', () => {
    const topo = parseTopology(file(), 'f.json');
    expect(topologyToObject(topo)).toEqual({
      name: 't',
      nodes: [
        { id: 0, cpus: '0-3', pfn_ranges: [{ start: '0x0', end: '0x1000' }] },
        { id: 2, adistance: 2880, pfn_ranges: [{ start: '0x1000', end: '0x2000' }] },
      ],
    });
  });
});
