/** `kpromo page PFN [trace ...]`: the life of one page: each access, its record after it, and each pass that examined it. */
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { RfcV1Engine } from '../../engine/rfc-v1.js';
import { memoryTiers } from '../../engine/topology.js';
import { OUTCOMES, type OutcomeCode } from '../../engine/types.js';
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../../errors.js';
import { OutputFile } from '../file-output.js';
import { makeProgress } from '../progress.js';
import { loadTopology } from '../../topology/load.js';
import { inputNotes, readInputs, type InputStats } from '../../trace/input.js';
import { noRangeWarning } from '../../report/summary.js';
import { READ_STOPPED, settleRead } from '../signals.js';
import { catchUp, PASS_SLICE, PassInterrupted } from '../../run/slices.js';
import { INPUT_OPTIONS, PAGE_ENGINE_OPTIONS, PERF_DEFAULTED_FLAGS, addOptions, normalizeReplayOptions, refuseIgnoredOptions, refuseOtherInputOptions, type RawEngineOptions, PROGRESS_OPTION } from '../options.js';
import { skipReport, type CommandContext } from './replay.js';

const SRC = ['hwhints', 'pgtscan'];

/** Formats one access line of the page view. */
export function accessLine(
  time: number,
  nid: number,
  src: number,
  node: number,
  toptier: boolean,
  rec: { frequency: number; last_update: number; hot_node: number } | null,
  before: boolean,
): string {
  const head = `${String(time).padStart(12)}  access  nid ${String(nid).padStart(2)} ${(SRC[src] ?? `src ${src}`).padEnd(8)} page on node ${node}`;
  if (toptier) return `${head}: top tier, not recorded (kpromoted_record_toptier)`;
  if (rec === null) return `${head}: not recorded (no range, nonlru or device)`;
  const age = time - rec.last_update;
  const window = age === 0 ? `window from ${rec.last_update} (this jiffy)` : `window from ${rec.last_update} (${age} jiffies ago)`;
  return `${head}: ${before ? 'record exists' : 'record added'}, frequency ${rec.frequency}, ${window}, hot_node ${rec.hot_node}`;
}

/** Builds the page subcommand. */
export function pageCommand(ctx: CommandContext): Command {
  const cmd = new Command('page')
    .description('show the life of one page in a replay: accesses, its record, and the passes that examined it (rfc-v1 engines)')
    .argument('<pfn>', 'page frame number, decimal or 0x hex')
    .argument('[trace...]', 'trace files (- or none = stdin)');
  addOptions(cmd, PAGE_ENGINE_OPTIONS);
  addOptions(cmd, INPUT_OPTIONS);
  addOptions(cmd, [PROGRESS_OPTION]);
  cmd.action(async (pfnText: string, traces: string[], raw: RawEngineOptions & { progress?: boolean }, self: Command) => {
    const pfn = /^(0x[0-9a-f]+|\d+)$/i.test(pfnText) ? Number(pfnText) : NaN;
    if (!Number.isSafeInteger(pfn) || pfn < 0) throw new UsageError(`PFN must be a decimal or 0x hex integer below 2^53, got ${JSON.stringify(pfnText)}`);
    refuseIgnoredOptions(raw);
    const perfTyped = refuseOtherInputOptions(self, PERF_DEFAULTED_FLAGS);
    const settings = normalizeReplayOptions(raw, traces, (a) => loadTopology(a));
    if (settings.engine === 'pghot') throw new UsageError('kpromo page follows the kpromoted record of a page: use --engine rfc-v1 or rfc-v1-fixed');
    const color: ChalkInstance = ctx.color();
    const engine = new RfcV1Engine(settings.rfc, settings.engine);
    const toptier = new Map(memoryTiers(settings.rfc.topology).nodes.map((t) => [t.id, t.toptier] as const));
    // Spooled and copied to stdout at the end, so a bad line near the end leaves nothing on stdout (file-output.ts).
    const out = new OutputFile('-', { stdout: ctx.io.stdout });
    let lines = 0;
    out.write(color.bold(`page ${pfn} (0x${pfn.toString(16)}), engine ${settings.engine}\n`));
    engine.observer = {
      intervals: false, // reads no accesses per pass
      examined(time: number, node: number, p: number, from: number, to: number, outcome: OutcomeCode) {
        if (p !== pfn) return;
        lines++;
        const o = OUTCOMES[outcome]!;
        const c = o === 'promoted' ? color.green(o) : o === 'failed' ? color.yellow(o) : color.red(o);
        out.write(`${String(time).padStart(12)}  pass    kpromoted${node} examined it: page on node ${from}, hot_node ${to}: ${c}\n`);
      },
    };
    // Passes run in slices, as a replay's do (run/slices.ts): the reader waits for settle() between chunks, where the
    // event loop turns and a signal is seen (a pass over millions of records took a second in one piece). The followed
    // page's own access is shown with its record after it: the pass part way and the records queued behind it are
    // applied first, and the access itself at once.
    engine.sliceRecords = PASS_SLICE;
    const caughtUp = (): void => {
      while (!engine.resume());
    };
    let stop = false;
    const progress = makeProgress(ctx.io.stderr, raw.progress !== false);
    const settle = (): Promise<void> | null => (engine.suspended ? catchUp(engine, () => stop, (p) => progress.pass(p)) : null);
    const sink = {
      record_access(p: number, nid: number, src: number, time: number) {
        if (p !== pfn) {
          engine.record_access(p, nid, src, time);
          return;
        }
        caughtUp();
        const before = engine.record_of(pfn) !== null;
        engine.record_access(p, nid, src, time);
        caughtUp();
        const node = engine.pfn_to_nid(pfn);
        const rec = engine.record_of(pfn);
        lines++;
        out.write(accessLine(time, nid, src, node, toptier.get(node) === true, rec, before) + '\n');
      },
      settle,
    };
    const off = ctx.io.onInterrupt(() => {
      stop = true;
    });
    // Waiting on an idle pipe or the terminal, the read cannot see the stop: the process is ended (signals.ts) with this.
    const offForced =
      ctx.io.onForcedStop?.(() => {
        progress.done();
        ctx.io.stderr.write('kpromo page: interrupted; nothing written\n');
      }) ?? ((): void => {});
    const interrupted = (after: string): void => {
      progress.done();
      out.discard();
      ctx.io.stderr.write(`kpromo page: interrupted${after}; nothing written\n`);
      ctx.setExit(EXIT_INTERRUPTED);
    };
    let read: InputStats | typeof READ_STOPPED;
    try {
      try {
        // A pipe's writer killed by the same Ctrl-C ends (or cuts) the input before this process sees its signal.
        read = await settleRead(
          readInputs(settings.inputs, sink, {
            input: settings.input,
            topology: settings.rfc.topology,
            hz: settings.rfc.hz,
            stdin: ctx.io.stdin,
            parser: settings.parser,
            onProgress: (p) => progress.update(p),
            shouldStop: () => stop,
          }),
          () => stop,
          settings.inputs.map((i) => i.name),
        );
      } catch (e) {
        out.discard();
        throw e;
      }
      if (read === READ_STOPPED) return interrupted(` after ${engine.summary().records} records${engine.suspended ? ', part way through a migrate pass' : ''}`);
      progress.done(); // the line is cleared before anything else goes to stderr
      // What the read skipped or could not use, as replay reports it (replay.ts): never silent.
      ctx.io.stderr.write(skipReport(read));
      ctx.io.stderr.write(inputNotes(read, perfTyped, 'no page has a life to show'));
      if (read.stopped || stop) return interrupted(` after ${read.records} records`);
      try {
        await settle(); // a pass part way after the last chunk
        engine.finish();
        await settle(); // the final pass, in slices too
      } catch (e) {
        if (!(e instanceof PassInterrupted)) throw e;
      }
      if (stop) return interrupted(` after ${read.records} records${engine.suspended ? ', part way through a migrate pass' : ''}`);
    } finally {
      offForced();
      off();
      progress.done();
    }
    ctx.io.stderr.write(noRangeWarning(engine.summary(), settings.rfc.topology, self.getOptionValueSource('topology') === 'default'));
    if (lines === 0) out.write(`no access to page ${pfn} in the trace\n`);
    const left = engine.record_of(pfn);
    if (left !== null) {
      const daemon = engine.daemon_nodes.includes(left.hot_node);
      out.write(
        `${' '.repeat(12)}  end     still tracked: frequency ${left.frequency}, hot_node ${left.hot_node}` +
          (daemon ? ' (its last promotion failed)\n' : ` (node ${left.hot_node} has no kpromoted daemon: never examined)\n`),
      );
    }
    await out.commitAsync();
    ctx.setExit(EXIT_OK);
  });
  return cmd;
}
