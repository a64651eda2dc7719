/**
 * `kpromo convert [options] [input ...] [-o FILE]`: writes the canonical CSV (`pfn,nid,src,time`)
 * of any accepted input, so a large perf dump is parsed once and replayed many times; replaying the
 * CSV gives the counters of replaying the input.
 */
import { Command } from 'commander';
import { RFC_V1_DEFAULTS } from '../../engine/config.js';
import type { AccessSink } from '../../engine/types.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../../errors.js';
import { loadTopology } from '../../topology/load.js';
import { inputNotes, readInputs, type InputStats } from '../../trace/input.js';
import { SRC_HWHINTS, SRC_PGTSCAN } from '../../trace/fields.js';
import { checkHz } from '../../trace/perf-map.js';
import { AtomicFile } from '../file-output.js';
import type { TextOut } from '../io.js';
import { addOptions, DEFAULT_TOPOLOGY, INPUT_OPTIONS, normalizeInputOptions, parseIntOption, type OptionSpec, type RawInputOptions } from '../options.js';
import { makeProgress } from '../progress.js';
import { perfSkipText, skipReport, type CommandContext } from './replay.js';

/** The header convert writes: the positional column order of SPEC 4. */
export const CANONICAL_HEADER = 'pfn,nid,src,time\n';

/** Output is handed on in chunks of about this size. */
const FLUSH_CHARS = 1 << 20;

/** Options of `kpromo convert` besides INPUT_OPTIONS. */
const CONVERT_OPTIONS: readonly OptionSpec[] = [
  { flags: '-o, --output <file>', description: 'write the CSV to FILE (appears only when the conversion succeeds); default stdout' },
  { flags: '--topology <file|preset>', description: 'topology JSON file or preset name (its cpus give perf samples their node)', default: DEFAULT_TOPOLOGY },
  { flags: '--hz <n>', description: 'CONFIG_HZ: jiffies per second of perf sample times', default: String(RFC_V1_DEFAULTS.hz) },
  { flags: '--parser <kind>', description: 'CSV parser: auto, fast, csv-parse', default: 'auto', choices: ['auto', 'fast', 'csv-parse'] },
  { flags: '--no-progress', description: 'no progress line on stderr (it is shown only on a terminal)' },
];

interface RawConvertOptions extends RawInputOptions {
  output?: string;
  topology: string;
  hz: string;
  parser: 'auto' | 'fast' | 'csv-parse';
  progress: boolean;
}

/** Formats access records as canonical CSV lines, handing on ~1 MiB chunks. */
export class CanonicalCsvSink implements AccessSink {
  private buf = CANONICAL_HEADER;
  constructor(private readonly out: (chunk: string) => void) {}

  record_access(pfn: number, nid: number, src: number, time: number): void {
    const s = src === SRC_HWHINTS ? 'hwhints' : src === SRC_PGTSCAN ? 'pgtscan' : String(src);
    this.buf += `0x${pfn.toString(16)},${nid},${s},${time}\n`;
    if (this.buf.length >= FLUSH_CHARS) this.flush();
  }

  /** Hands on what is buffered. */
  flush(): void {
    if (this.buf === '') return;
    const chunk = this.buf;
    this.buf = '';
    this.out(chunk);
  }
}

/** True when the Io's stdout says its reader went away (EPIPE), if it can tell. */
function stdoutClosed(out: TextOut): boolean {
  return (out as TextOut & { readonly closed?: boolean }).closed === true;
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
  cmd.action(async (inputs: string[], raw: RawConvertOptions) => {
    ctx.setExit(await convert(ctx, inputs, raw));
  });
  return cmd;
}

async function convert(ctx: CommandContext, names: string[], raw: RawConvertOptions): Promise<number> {
  const { io } = ctx;
  const topology = loadTopology(raw.topology);
  const hz = parseIntOption('--hz', raw.hz, 1, 100000);
  checkHz(hz);
  const input = normalizeInputOptions(raw, topology);
  const file = raw.output !== undefined ? new AtomicFile(raw.output) : null;
  const sink = new CanonicalCsvSink(file !== null ? (chunk) => file.write(chunk) : (chunk) => io.stdout.write(chunk));
  const progress = makeProgress(io.stderr, raw.progress);
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  let read: InputStats;
  try {
    read = await readInputs(
      (names.length === 0 ? ['-'] : names).map((name) => ({ name })),
      sink,
      {
        input,
        topology,
        hz,
        stdin: io.stdin,
        parser: raw.parser,
        onProgress: (p) => progress.update(p),
        // A closed stdout (`| head`) ends the conversion like Ctrl-C, but quietly.
        shouldStop: () => stop || (file === null && stdoutClosed(io.stdout)),
      },
    );
    if (!read.stopped) sink.flush();
  } catch (e) {
    file?.discard();
    throw e;
  } finally {
    off();
    progress.done();
  }
  io.stderr.write(skipReport(read));
  io.stderr.write(inputNotes(read));
  if (read.stopped) {
    file?.discard();
    if (!stop) return EXIT_OK; // the reader of stdout left
    io.stderr.write(`kpromo convert: interrupted after ${read.records} records${file !== null ? `; ${file.file} not written` : ''}\n`);
    return EXIT_INTERRUPTED;
  }
  file?.commit();
  io.stderr.write(convertSummary(read, file !== null ? file.file : 'stdout'));
  return EXIT_OK;
}
