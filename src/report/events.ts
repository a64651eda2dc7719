/** `--events FILE`: one CSV line per record a daemon pass examined, in pass order (SPEC 5). */
import { OUTCOMES, type OutcomeCode, type PassObserver } from '../engine/types.js';
import { DecimalCache, writeDecimal, writeHex } from '../trace/csv-write.js';

/** Header line of the events CSV. */
export const EVENTS_HEADER = 'time,node,pfn,from,to,outcome\n';

/** How `--events` writes pfns: decimal (SPEC 5, the default, what goldens hold) or 0x hex as the rest of kpromo shows them. */
export type PfnFormat = 'dec' | 'hex';

/** Longest line examined() writes: six fields of at most 24 bytes, an outcome name, commas, the line end. */
const LINE_MAX = 256;
const COMMA = 44;
const NL = 10;
/** `,` and each outcome's name, as bytes. */
const OUTCOME_BYTES = OUTCOMES.map((o) => Buffer.from(`,${o}`, 'latin1'));

/**
 * A PassObserver that renders events into chunks of about `chunkBytes` (ASCII bytes, whole lines, each a Buffer of its
 * own that the receiver may keep) and hands them to `write`. Lines are written as bytes (trace/csv-write.ts), not
 * template strings: a replay of 2 M records that writes its 0.8 M events took 1.55 s with them, 1.29 s without.
 */
export class EventsCsvWriter implements PassObserver {
  /** Events only: no accesses per pass are read, so the engine does not count them. */
  readonly intervals = false;
  private buf: Buffer;
  private n: number;
  /** The events of a pass share its time. */
  private readonly time = new DecimalCache();
  lines = 0;
  constructor(
    private readonly write: (chunk: Buffer) => void,
    private readonly chunkBytes = 1 << 20,
    private readonly pfnFormat: PfnFormat = 'dec',
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes + LINE_MAX);
    this.n = this.buf.write(EVENTS_HEADER, 0, 'latin1');
  }

  /** Appends one event line. */
  examined(time: number, node: number, pfn: number, from: number, to: number, outcome: OutcomeCode): void {
    const buf = this.buf;
    let p = this.time.write(buf, this.n, time);
    buf[p++] = COMMA;
    p = writeDecimal(buf, p, node);
    buf[p++] = COMMA;
    if (this.pfnFormat === 'hex') {
      buf[p++] = 48; // 0
      buf[p++] = 120; // x
      p = writeHex(buf, p, pfn);
    } else p = writeDecimal(buf, p, pfn);
    buf[p++] = COMMA;
    p = writeDecimal(buf, p, from);
    buf[p++] = COMMA;
    p = writeDecimal(buf, p, to);
    const name = OUTCOME_BYTES[outcome];
    if (name !== undefined) {
      for (let i = 0; i < name.length; i++) buf[p + i] = name[i]!;
      p += name.length;
    } else p += buf.write(`,${String(OUTCOMES[outcome])}`, p, 'latin1');
    buf[p++] = NL;
    this.n = p;
    this.lines++;
    if (p >= this.chunkBytes) this.drain();
  }

  /** Writes whatever is buffered. */
  drain(): void {
    if (this.n === 0) return;
    const chunk = this.buf.subarray(0, this.n);
    this.buf = Buffer.allocUnsafe(this.chunkBytes + LINE_MAX);
    this.n = 0;
    this.write(chunk);
  }
}
