/** Streams timeline rows as CSV into an output in ~1 MiB chunks (for `--timeline-csv`). */
import type { TimelineRow } from '../analysis/model.js';
import { timelineCsvHeader, timelineCsvRows } from '../render/timeline-csv.js';

/** Buffers CSV text of rows and hands full chunks to `write`. */
export class TimelineCsvWriter {
  private buf: string;
  constructor(
    private readonly write: (chunk: string) => void,
    private readonly budgetNodes: readonly number[],
    /** Issue 12: write the per-row instant bound columns. */
    private readonly bounds = false,
  ) {
    this.buf = timelineCsvHeader(budgetNodes, bounds);
  }

  /** Appends one row. */
  row(row: TimelineRow): void {
    this.buf += timelineCsvRows([row], this.budgetNodes, this.bounds);
    if (this.buf.length >= 1 << 20) this.drain();
  }

  /** Writes whatever is buffered. */
  drain(): void {
    if (this.buf !== '') this.write(this.buf);
    this.buf = '';
  }
}
