/**
 * Seeded synthetic trace generator: writes canonical CSV `pfn,nid,src,time` (SPEC 4) in ~1 MiB
 * string chunks. Independent PRNG streams drive the page sequence, nid and src, so changing the
 * node or source mix leaves the sequence of pages unchanged.
 */
import { createLayout } from './layout.js';
import { normalizeGenOptions, type GenOptions } from './options.js';
import { createPrng, type Prng } from './prng.js';
import { createZipf } from './zipf.js';

/** What a generate() call wrote. */
export interface GenStats {
  /** Access records written (not counting the header). */
  readonly records: number;
  /** Distinct pages touched. */
  readonly pagesTouched: number;
  /** Time of the first and last record in jiffies; null when no record was written. */
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  /** Characters written, header included (bytes: the output is ASCII). */
  readonly bytes: number;
}

/** Header line of the canonical CSV. */
export const GEN_HEADER = 'pfn,nid,src,time\n';

/** Flush the output buffer once it holds this many characters. */
const CHUNK = 1 << 20;

/** phase: the hot set of phase k starts at frac(k * golden ratio) of the pages, so phases differ. */
const PHASE_STEP = 0.6180339887498949;

/** Splits one seed into independent streams (the master only seeds them). */
function streams(seed: number): { layout: Prng; pages: Prng; nid: Prng; src: Prng } {
  const master = createPrng(seed);
  const sub = (): Prng => createPrng(master.u32() * 0x200000 + (master.u32() & 0x1fffff));
  return { layout: sub(), pages: sub(), nid: sub(), src: sub() };
}

/**
 * Writes a trace for options (see normalizeGenOptions; UsageError if invalid) through `write`, header first.
 * Times advance evenly from `start` over `duration * hz` jiffies, so they are non-decreasing
 * and every time lies in [start, start + duration * hz).
 */
export function generate(options: GenOptions, write: (chunk: string) => void): GenStats {
  const chunks = generateChunks(options);
  for (let r = chunks.next(); ; r = chunks.next()) {
    if (r.done === true) return r.value;
    write(r.value);
  }
}

/**
 * The same trace as generate(), as an iterator of ~1 MiB chunks returning GenStats, so a caller
 * writing to a slow stream can wait for 'drain' between chunks instead of buffering the trace.
 */
export function* generateChunks(options: GenOptions): Generator<string, GenStats, void> {
  // Validate again (cheap, idempotent) so a hand-built GenOptions cannot produce a bad trace.
  const opts = normalizeGenOptions(options);
  const rng = streams(opts.seed);
  const layout = createLayout(opts, rng.layout);
  const pages = opts.pages;
  const records = opts.records;
  const span = Math.round(opts.duration * opts.hz);
  const zipf = createZipf(pages, opts.exponent, rng.pages);
  const scatter = layout.scatter;
  const pattern = opts.pattern;
  const phaseRecords = opts.phaseRecords;
  const scanFraction = pattern === 'mix' ? opts.scanFraction : 0;

  // ",nid,src," for every (nid, src): nid -1..nodes-1 at index (nid + 1) * 2 + src.
  const middles: string[] = [];
  for (let nid = -1; nid < opts.nodes; nid++) middles.push(`,${nid},hwhints,`, `,${nid},pgtscan,`);
  const nodes = opts.nodes;
  const noNode = opts.numaNoNodeFraction;
  const pgtscan = opts.pgtscanFraction;

  const touched = new Uint32Array(Math.ceil(pages / 32));
  let pagesTouched = 0;
  let bytes = 0;
  let out = GEN_HEADER;
  let scanCursor = 0;
  let phase = -1;
  let phaseOffset = 0;
  let phaseEnd = 0;
  let lastTime = -1;
  let timeText = '';

  for (let i = 0; i < records; i++) {
    let slot: number;
    if (pattern === 'scan' || (scanFraction > 0 && rng.pages.next() < scanFraction)) {
      // Sequential sweep in slot (= ascending pfn) order; each page once per sweep.
      slot = scanCursor;
      scanCursor = scanCursor + 1 === pages ? 0 : scanCursor + 1;
    } else if (pattern === 'phase') {
      if (i >= phaseEnd) {
        phase++;
        phaseEnd += phaseRecords;
        phaseOffset = Math.floor(((phase * PHASE_STEP) % 1) * pages);
      }
      slot = scatter.apply((zipf.sample() - 1 + phaseOffset) % pages);
    } else {
      slot = scatter.apply(zipf.sample() - 1);
    }
    const bit = 1 << (slot & 31);
    const word = touched[slot >>> 5]!;
    if ((word & bit) === 0) {
      touched[slot >>> 5] = word | bit;
      pagesTouched++;
    }

    const nid = noNode > 0 && rng.nid.next() < noNode ? -1 : nodes === 1 ? 0 : rng.nid.int(nodes);
    const src = pgtscan > 0 && rng.src.next() < pgtscan ? 1 : 0;
    const time = opts.start + Math.floor((i * span) / records);
    if (time !== lastTime) {
      lastTime = time;
      timeText = `${time}\n`;
    }
    out += '0x' + layout.pfnOf(slot).toString(16) + middles[(nid + 1) * 2 + src]! + timeText;
    if (out.length >= CHUNK) {
      bytes += out.length;
      yield out;
      out = '';
    }
  }
  if (out.length > 0) {
    bytes += out.length;
    yield out;
  }
  return {
    records,
    pagesTouched,
    firstTime: records > 0 ? opts.start : null,
    lastTime: records > 0 ? lastTime : null,
    bytes,
  };
}
