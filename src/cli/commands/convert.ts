/**
 * `kpromo convert [options] [input ...] [-o FILE]`: writes the canonical CSV (`pfn,nid,src,time`)
 * of any accepted input, so a large perf dump is parsed once and replayed many times; replaying the
 * CSV gives the counters of replaying the input.
 */
import { Command } from 'commander';
import { RFC_V1_DEFAULTS } from '../../engine/config.js';
import { EXIT_INTERRUPTED, EXIT_OK, quoteName } from '../../errors.js';
import { loadTopology, topologyFile } from '../../topology/load.js';
import { useParseThread } from '../../run/replay.js';
import { inputNotes, readInputs, type InputStats } from '../../trace/input.js';
import { readInputsThreaded } from '../../trace/threaded.js';
import { CanonicalCsvSink } from '../../trace/csv-write.js';
import { checkHz } from '../../trace/perf-map.js';
import { OutputFile, traceInputSpecs } from '../file-output.js';
import { READ_STOPPED, settleRead } from '../signals.js';
import { traceInputs } from '../../run/settings.js';
import { addOptions, DEFAULT_TOPOLOGY, INPUT_OPTIONS, normalizeInputOptions, parseIntOption, PERF_DEFAULTED_FLAGS, PROGRESS_OPTION, refuseOtherInputOptions, type OptionSpec, type RawInputOptions } from '../options.js';
import { makeProgress } from '../progress.js';
import { perfSkipText, skipReport, type CommandContext } from './replay.js';

/** Options of `kpromo convert` besides INPUT_OPTIONS. */
const CONVERT_OPTIONS: readonly OptionSpec[] = [
  { flags: '-o, --output <file>', description: 'write the CSV to FILE (appears only when the conversion succeeds); default or -: stdout (written when the whole input converted)' },
  { flags: '--topology <file|preset>', description: 'topology JSON file or preset name (its cpus give perf samples their node)', default: DEFAULT_TOPOLOGY },
  { flags: '--hz <n>', description: 'CONFIG_HZ: jiffies per second of perf sample times', default: String(RFC_V1_DEFAULTS.hz) },
  { flags: '--parser <kind>', description: 'CSV parser: auto, fast, csv-parse', default: 'auto', choices: ['auto', 'fast', 'csv-parse'] },
  PROGRESS_OPTION,
];

interface RawConvertOptions extends RawInputOptions {
  output?: string;
  topology: string;
  hz: string;
  parser: 'auto' | 'fast' | 'csv-parse';
  parseThread: 'auto' | 'on' | 'off';
  progress: boolean;
}

/** The one-line summary on stderr. */
export function convertSummary(read: InputStats, target: string): string {
  const kinds = [...new Set(read.kinds)].join('+') || 'csv';
  const files = `${read.files} input${read.files === 1 ? '' : 's'}`;
  const perf = perfSkipText(read);
  const bad = read.skipped > 0 ? `; ${read.skipped} bad line${read.skipped === 1 ? '' : 's'} skipped` : '';
  return `kpromo convert: ${read.records} records from ${files} (${kinds}) to ${target}${perf ? `; samples skipped: ${perf}` : ''}${bad}\n`;
}

/** Builds the convert subcommand. */
export function convertCommand(ctx: CommandContext): Command {
  const cmd = new Command('convert')
    .description('write the canonical CSV (pfn,nid,src,time) of traces of any accepted input (CSV, perf script text; - or none = stdin)')
    .argument('[input...]', 'inputs, converted as one stream in order');
  addOptions(cmd, CONVERT_OPTIONS);
  addOptions(cmd, INPUT_OPTIONS);
  cmd.action(async (inputs: string[], raw: RawConvertOptions, self: Command) => {
    // A CSV input is copied as it is: the topology (cpus -> node) and HZ (sample times) are for perf samples only.
    const perfTyped = refuseOtherInputOptions(self, ['--topology', '--hz', ...PERF_DEFAULTED_FLAGS]);
    ctx.setExit(await convert(ctx, inputs, raw, perfTyped));
  });
  return cmd;
}

async function convert(ctx: CommandContext, names: string[], raw: RawConvertOptions, perfTyped: readonly string[] = []): Promise<number> {
  const { io } = ctx;
  const topology = loadTopology(raw.topology);
  const hz = parseIntOption('--hz', raw.hz, 1, 100000);
  checkHz(hz);
  const input = normalizeInputOptions(raw, topology);
  const inputs = traceInputs(names);
  // Standard output (no -o, or -o -) is spooled and copied out only when the whole input converted, so a bad
  // line near the end leaves nothing on stdout, as with a file (file-output.ts).
  const file = new OutputFile(raw.output ?? '-', { option: '-o', stdout: io.stdout, inputs: traceInputSpecs(inputs, topologyFile(raw.topology)) });
  await file.open();
  const sink = new CanonicalCsvSink((chunk) => file.write(chunk));
  const progress = makeProgress(io.stderr, raw.progress);
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  const offForced =
    io.onForcedStop?.(() => {
      progress.done();
      io.stderr.write(`kpromo convert: interrupted; ${file.isStdout ? 'nothing written to stdout' : `${file.file} not written`}\n`);
    }) ?? ((): void => {});
  let read: InputStats;
  // Parsed on a second thread as a replay's input is (4 MiB or more, or a pipe), while this one formats and writes.
  const stdin = inputs.some((i) => i.name === '-') ? { stdin: io.stdin } : {};
  const threaded = useParseThread({ inputs, parseThread: raw.parseThread }, stdin);
  try {
    // A pipe's writer killed by the same Ctrl-C ends (or cuts) the input before this process sees its signal.
    const r = await settleRead(
      (threaded ? readInputsThreaded : readInputs)(inputs, sink, {
        input,
        topology,
        hz,
        ...stdin,
        parser: raw.parser,
        onProgress: (p) => progress.update(p),
        shouldStop: () => stop,
      }).then((s) => {
        if (!s.stopped) sink.flush();
        return s;
      }),
      () => stop,
      inputs.map((i) => i.name),
    );
    if (r === READ_STOPPED) {
      file.discard();
      progress.done();
      io.stderr.write(`kpromo convert: interrupted; ${file.isStdout ? 'nothing written to stdout' : `${quoteName(file.file)} not written`}\n`);
      return EXIT_INTERRUPTED;
    }
    read = r;
  } catch (e) {
    file.discard();
    throw e;
  } finally {
    offForced();
    off();
    progress.done();
  }
  io.stderr.write(skipReport(read));
  io.stderr.write(inputNotes(read, perfTyped, 'the CSV written holds the header only'));
  if (read.stopped || stop) {
    file.discard();
    io.stderr.write(`kpromo convert: interrupted after ${read.records} records; ${file.isStdout ? 'nothing written to stdout' : `${quoteName(file.file)} not written`}\n`);
    return EXIT_INTERRUPTED;
  }
  await file.commitAsync();
  // The reader of stdout left (quietly), or stdout failed (main() reports it in one line); either arrives as an event.
  if (file.isStdout) await new Promise((resolve) => setImmediate(resolve));
  if (file.isStdout && io.stdout.closed === true) return EXIT_OK;
  io.stderr.write(convertSummary(read, file.isStdout ? 'stdout' : quoteName(file.file)));
  return EXIT_OK;
}
