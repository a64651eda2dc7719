/** `--events FILE`: one CSV line per record a daemon pass examined, in pass order (SPEC 5). */
import { OUTCOMES, type OutcomeCode, type PassObserver } from '../engine/types.js';

/** Header line of the events CSV. */
export const EVENTS_HEADER = 'time,node,pfn,from,to,outcome\n';

/** How `--events` writes pfns: decimal (SPEC 5, the default, what goldens hold) or 0x hex as the rest of kpromo shows them. */
export type PfnFormat = 'dec' | 'hex';

/** A PassObserver that renders events into text chunks of about `chunkBytes` and hands them to `write`. */
export class EventsCsvWriter implements PassObserver {
  /** Events only: no accesses per pass are read, so the engine does not count them. */
  readonly intervals = false;
  private buf = EVENTS_HEADER;
  lines = 0;
  constructor(
    private readonly write: (chunk: string) => void,
    private readonly chunkBytes = 1 << 20,
    private readonly pfnFormat: PfnFormat = 'dec',
  ) {}

  /** Appends one event line. */
  examined(time: number, node: number, pfn: number, from: number, to: number, outcome: OutcomeCode): void {
    const p = this.pfnFormat === 'hex' ? `0x${pfn.toString(16)}` : pfn;
    this.buf += `${time},${node},${p},${from},${to},${OUTCOMES[outcome]}\n`;
    this.lines++;
    if (this.buf.length >= this.chunkBytes) this.drain();
  }

  /** Writes whatever is buffered. */
  drain(): void {
    if (this.buf.length > 0) this.write(this.buf);
    this.buf = '';
  }
}
