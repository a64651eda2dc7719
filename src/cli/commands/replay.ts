/** `kpromo replay [options] [trace ...]`: stream traces through an engine and print counters. */
import * as fs from 'node:fs';
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { EXIT_INTERRUPTED, EXIT_MISMATCH, EXIT_OK, UsageError } from '../../errors.js';
import { EventsCsvWriter } from '../../report/events.js';
import { compareGolden, parseGolden, renderGoldenDiff, type GoldenEntry } from '../../report/golden.js';
import { counterNames } from '../../engine/registry.js';
import { renderJson } from '../../report/json.js';
import { renderTable } from '../../report/table.js';
import { renderVmstat } from '../../report/vmstat.js';
import { runReplay, type ReplayResult, type ReplaySettings } from '../../run/replay.js';
import { loadTopology } from '../../topology/load.js';
import { AtomicFile } from '../file-output.js';
import type { Io } from '../io.js';
import {
  addOptions,
  ENGINE_OPTIONS,
  normalizeReplayOptions,
  REPLAY_OUTPUT_OPTIONS,
  type RawEngineOptions,
} from '../options.js';
import { makeProgress } from '../progress.js';

/** What a command needs from main(). */
export interface CommandContext {
  readonly io: Io;
  color(): ChalkInstance;
  /** Stores the command's exit code. */
  setExit(code: number): void;
}

interface RawReplayOptions extends RawEngineOptions {
  format: 'table' | 'vmstat' | 'json';
  events?: string;
  expect?: string;
  progress: boolean;
}

/** The settings shown in the table and json outputs. */
export function settingsList(s: ReplaySettings): [string, string][] {
  const r = s.rfc;
  return [
    ['topology', `${s.topologySource} (${r.topology.name})`],
    ['hz', String(r.hz)],
    ['window / threshold', `${r.window_ms} ms / ${r.threshold}`],
    ['period', `${r.period_ms} ms`],
    ['default node / hash order', `${r.default_node} / ${r.hash_order}`],
    ['traces', s.inputs.map((i) => i.name).join(' ')],
  ];
}

/** Renders a finished replay in the chosen format. */
export function renderResult(format: RawReplayOptions['format'], s: ReplaySettings, r: ReplayResult, color: ChalkInstance): string {
  switch (format) {
    case 'vmstat':
      return renderVmstat(r.counters);
    case 'json':
      return renderJson({
        engine: r.engine.name,
        settings: {
          topology: s.topologySource,
          hz: s.rfc.hz,
          window_ms: s.rfc.window_ms,
          threshold: s.rfc.threshold,
          period_ms: s.rfc.period_ms,
          default_node: s.rfc.default_node,
          hash_order: s.rfc.hash_order,
          traces: s.inputs.map((i) => i.name),
        },
        counters: r.counters,
        summary: r.summary,
        input: { records: r.read.records, bytes: r.read.bytes, files: r.read.files, skipped: r.read.skipped },
      });
    case 'table':
      return renderTable(
        { engine: r.engine.name, counters: r.counters, summary: r.summary, topology: s.rfc.topology, settings: settingsList(s) },
        color,
      );
  }
}

/** Builds the replay subcommand. */
export function replayCommand(ctx: CommandContext): Command {
  const cmd = new Command('replay')
    .description('replay access traces (CSV; - or none = stdin; .gz ok) through a promotion engine')
    .argument('[trace...]', 'trace files, replayed as one stream in order');
  addOptions(cmd, ENGINE_OPTIONS);
  addOptions(cmd, REPLAY_OUTPUT_OPTIONS);
  cmd.action(async (traces: string[], raw: RawReplayOptions) => {
    ctx.setExit(await replay(ctx, traces, raw));
  });
  return cmd;
}

/** Reads and parses a golden vmstat file against the counters the engine knows. */
export function readGolden(file: string, settings: ReplaySettings): GoldenEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read golden file ${file}: ${(e as Error).message}`);
  }
  return parseGolden(text, file, new Set(counterNames(settings.engine)));
}

async function replay(ctx: CommandContext, traces: string[], raw: RawReplayOptions): Promise<number> {
  const { io } = ctx;
  const settings = normalizeReplayOptions(raw, traces, (arg) => loadTopology(arg));
  // Read the golden first: a bad golden is a usage error before any work is done.
  const golden = raw.expect !== undefined ? readGolden(raw.expect, settings) : undefined;

  const events = raw.events !== undefined ? new AtomicFile(raw.events) : null;
  const writer = events ? new EventsCsvWriter((chunk) => events.write(chunk)) : null;
  const progress = makeProgress(io.stderr, raw.progress);
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  let result: ReplayResult;
  try {
    result = await runReplay(settings, {
      stdin: io.stdin,
      ...(writer ? { observer: writer } : {}),
      onProgress: (p) => progress.update(p),
      shouldStop: () => stop,
    });
  } catch (e) {
    events?.discard();
    throw e;
  } finally {
    off();
    progress.done();
  }

  if (result.interrupted) {
    events?.discard();
    io.stderr.write(`# kpromo: interrupted after ${result.read.records} records: partial counters, no final pass\n`);
    io.stderr.write(renderVmstat(result.counters));
    return EXIT_INTERRUPTED;
  }
  if (writer && events) {
    writer.drain();
    events.commit();
  }
  io.stdout.write(renderResult(raw.format, settings, result, ctx.color()));
  if (golden) {
    const diffs = compareGolden(golden, result.counters);
    if (diffs.length > 0) {
      io.stderr.write(renderGoldenDiff(diffs, raw.expect!));
      return EXIT_MISMATCH;
    }
  }
  return EXIT_OK;
}
