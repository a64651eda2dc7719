/** One read of a trace feeding several engines: the AccessSink behind `kpromo compare` and `kpromo sweep`. */
import type { AccessSink } from '../engine/types.js';

/** Forwards each record to every sink, in order; the loop allocates nothing per record. */
export class Fanout implements AccessSink {
  private readonly sinks: readonly AccessSink[];

  constructor(sinks: readonly AccessSink[]) {
    this.sinks = [...sinks];
  }

  /** kpromoted_record_access for every sink, in configuration order. */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    const s = this.sinks;
    for (let i = 0; i < s.length; i++) s[i]!.record_access(pfn, nid, src, time);
  }
}
