/**
 * Configuration and counters of the `pghot` engine: the later pghot / kmigrated design
 * (include/linux/pghot.h, mm/pghot.c; docs/engines.md lists the file versions modelled).
 */
import { UsageError } from '../errors.js';
import { memoryTiers, type Topology } from './topology.js';

/** enum pghot_src of the latest pghot.h: PGHOT_HINTFAULTS = 0, PGHOT_HWHINTS = 1. */
export const PGHOT_HINTFAULTS = 0;
/** enum pghot_src: hardware hints (AMD IBS and the like). */
export const PGHOT_HWHINTS = 1;
/** PGHOT_HINTFAULTS_ENABLED = BIT(PGHOT_HINTFAULTS): bit of vm.pghot_enabled_sources. */
export const PGHOT_HINTFAULTS_ENABLED = 1 << PGHOT_HINTFAULTS;
/** PGHOT_HWHINTS_ENABLED = BIT(PGHOT_HWHINTS). */
export const PGHOT_HWHINTS_ENABLED = 1 << PGHOT_HWHINTS;
/** PGHOT_SRC_ENABLED_MASK = GENMASK(PGHOT_SRC_MAX - 1, 0). */
export const PGHOT_SRC_ENABLED_MASK = PGHOT_HINTFAULTS_ENABLED | PGHOT_HWHINTS_ENABLED;

/**
 * Trace `src` numbers (kpromoted's numbering, SPEC 1) -> pghot source, or -1 when the latest pghot has no
 * such source and pghot_record_access() returns -EINVAL. 0 hwhints -> PGHOT_HWHINTS; 1 pgtscan -> none (the
 * page-table-scan source was dropped); 2 -> PGHOT_HINTFAULTS (pghot v2/v3 numbered PGHOT_HINT_FAULT 2).
 */
export function pghotSource(traceSrc: number): number {
  if (traceSrc === 0) return PGHOT_HWHINTS;
  if (traceSrc === 2) return PGHOT_HINTFAULTS;
  return -1;
}

/** Tunables of the pghot engine. Omitted fields take the kernel's defaults for the chosen mode. */
export interface PghotConfig {
  /** CONFIG_HZ. */
  readonly hz: number;
  readonly topology: Topology;
  /** CONFIG_PGHOT_PRECISE: 4-byte records with the accessing nid (`--pghot-precise`). */
  readonly precise: boolean;
  /** vm.pghot_target_nid; omitted: pghot_target_nid_init() (node 0 if online and top tier, else the first top-tier memory node). */
  readonly target_nid?: number;
  /** vm.pghot_freq_threshold (PGHOT_FREQ_THRESHOLD_DEFAULT 2; range 1..PGHOT_FREQ_MAX). */
  readonly freq_threshold?: number;
  /** vm.pghot_promote_freq_window_ms (3000 default mode, 5000 precise mode). */
  readonly freq_window_ms?: number;
  /** debugfs pghot/kmigrated_sleep_ms (100; 50..1000). */
  readonly kmigrated_sleep_ms?: number;
  /** debugfs pghot/kmigrated_batch_nr (512; 64..1024). */
  readonly kmigrated_batch_nr?: number;
  /** vm.pghot_promote_rate_limit_MBps (65536). */
  readonly promote_rate_limit_MBps?: number;
  /** PAGE_SIZE in bytes (4096). */
  readonly page_size?: number;
  /** vm.pghot_enabled_sources bitmask (0x1 hint faults, 0x2 hwhints); kpromo default 0x3, see docs/engines.md. */
  readonly enabled_sources?: number;
}

/** A PghotConfig with every tunable resolved and checked. */
export interface ResolvedPghotConfig {
  readonly hz: number;
  readonly topology: Topology;
  readonly precise: boolean;
  readonly target_nid: number;
  readonly freq_threshold: number;
  readonly freq_window_ms: number;
  readonly kmigrated_sleep_ms: number;
  readonly kmigrated_batch_nr: number;
  readonly promote_rate_limit_MBps: number;
  readonly page_size: number;
  readonly enabled_sources: number;
}

/** Kernel defaults (include/linux/pghot.h, mm/pghot.c). */
export const PGHOT_DEFAULTS = {
  freq_threshold: 2, // PGHOT_FREQ_THRESHOLD_DEFAULT
  freq_window_ms: 3000, // PGHOT_FREQ_WINDOW_DEFAULT, default mode
  freq_window_ms_precise: 5000, // PGHOT_FREQ_WINDOW_DEFAULT, CONFIG_PGHOT_PRECISE
  kmigrated_sleep_ms: 100, // KMIGRATED_SLEEP_MS_DEFAULT
  kmigrated_batch_nr: 512, // KMIGRATED_BATCH_NR_DEFAULT
  promote_rate_limit_MBps: 65536, // sysctl_pghot_promote_rate_limit
  page_size: 4096,
  enabled_sources: PGHOT_SRC_ENABLED_MASK,
  target_nid: 0, // PGHOT_DEFAULT_NODE
} as const;

/** PGHOT_FREQ_MAX: 2-bit frequency in default mode, 3-bit in precise mode. */
export function pghotFreqMax(precise: boolean): number {
  return precise ? 7 : 3;
}

/** PGHOT_NID_MAX = (1 << PGHOT_NID_WIDTH) - 1. */
export const PGHOT_NID_MAX = 1023;

/** Checks a tunable against its range; the message names the option a user types, then the kernel's knob. */
function int(option: string, v: number, min: number, max: number, knob?: string): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`${option} must be an integer in [${min}, ${max}]${knob ? ` (${knob})` : ''}, got ${JSON.stringify(String(v))}`); // quoted, as the command line's range errors quote the text
  }
  return v;
}

/** pghot_target_nid_init(): keep node 0 if online and top tier, else the first top-tier N_MEMORY node. */
function defaultTargetNid(topo: Topology): number {
  const tiers = memoryTiers(topo).nodes;
  const zero = tiers.find((t) => t.id === PGHOT_DEFAULTS.target_nid);
  if (zero !== undefined && zero.toptier) return zero.id;
  const first = tiers.find((t) => t.has_memory && t.toptier);
  return first === undefined ? PGHOT_DEFAULTS.target_nid : first.id;
}

/**
 * Fills in the defaults and checks every tunable against the range its sysctl / debugfs file accepts
 * (a write outside it is -EINVAL in the kernel), quoting the bad value.
 */
export function resolvePghotConfig(cfg: PghotConfig): ResolvedPghotConfig {
  const precise = cfg.precise;
  int('--hz', cfg.hz, 1, 100000);
  const freqMax = pghotFreqMax(precise);
  // PGHOT_FREQ_WINDOW_MIN 1000; MAX = PGHOT_TIME_BUCKETS_MASK (3968) default mode, PGHOT_TIME_MAX (16383) precise.
  const windowMax = precise ? 16383 : 3968;
  let target_nid: number;
  if (cfg.target_nid === undefined) {
    target_nid = defaultTargetNid(cfg.topology);
  } else {
    // sysctl_target_nid_handler(): numa_valid_node, <= PGHOT_NID_MAX, node_online, node_is_toptier.
    target_nid = int('--target-nid', cfg.target_nid, 0, PGHOT_NID_MAX);
    const t = memoryTiers(cfg.topology).nodes.find((n) => n.id === target_nid);
    if (t === undefined) throw new UsageError(`--target-nid ${target_nid}: no such node in the topology`);
    if (!t.toptier) throw new UsageError(`--target-nid ${target_nid}: node is not a top-tier node`);
  }
  const page_size = cfg.page_size ?? PGHOT_DEFAULTS.page_size;
  if (![4096, 16384, 65536].includes(page_size)) {
    throw new UsageError(`page size must be 4096, 16384 or 65536, got ${JSON.stringify(page_size)}`);
  }
  return {
    hz: cfg.hz,
    topology: cfg.topology,
    precise,
    target_nid,
    freq_threshold: int('--threshold', cfg.freq_threshold ?? PGHOT_DEFAULTS.freq_threshold, 1, freqMax, 'vm.pghot_freq_threshold'),
    freq_window_ms: int(
      '--window',
      cfg.freq_window_ms ?? (precise ? PGHOT_DEFAULTS.freq_window_ms_precise : PGHOT_DEFAULTS.freq_window_ms),
      1000,
      windowMax,
      'vm.pghot_promote_freq_window_ms',
    ),
    kmigrated_sleep_ms: int('--period', cfg.kmigrated_sleep_ms ?? PGHOT_DEFAULTS.kmigrated_sleep_ms, 50, 1000, 'pghot/kmigrated_sleep_ms'),
    kmigrated_batch_nr: int('--batch', cfg.kmigrated_batch_nr ?? PGHOT_DEFAULTS.kmigrated_batch_nr, 64, 1024, 'pghot/kmigrated_batch_nr'),
    promote_rate_limit_MBps: int(
      '--rate-limit',
      cfg.promote_rate_limit_MBps ?? PGHOT_DEFAULTS.promote_rate_limit_MBps,
      0,
      0x7fffffff,
      'vm.pghot_promote_rate_limit_MBps',
    ),
    page_size,
    enabled_sources: int(
      '--sources',
      cfg.enabled_sources ?? PGHOT_DEFAULTS.enabled_sources,
      0,
      PGHOT_SRC_ENABLED_MASK,
      'vm.pghot_enabled_sources',
    ),
  };
}

/** Index of each pghot counter in the engine's counter array (same order as PGHOT_COUNTER_NAMES). */
export const enum P {
  recorded_accesses = 0,
  recorded_hintfaults,
  recorded_hwhints,
  src_invalid,
  src_disabled,
  nid_invalid,
  local,
  toptier,
  not_lru,
  ready,
  kmigrated_runs,
  examined,
  too_old,
  rate_limited,
  prepare_failed,
  migrate_failed,
  batches,
  pgpromote_success,
  pgpromote_candidate,
  pgpromote_candidate_nrl,
  numa_pages_migrated,
  COUNT,
}

/**
 * Counter names in print order: the three pghot vmstat items in the order of
 * Documentation/admin-guide/mm/pghot.rst, kpromo's own model counters (prefix `kpromo_`), then node and
 * NUMA stats with their /proc/vmstat names.
 */
export const PGHOT_COUNTER_NAMES: readonly string[] = [
  'pghot_recorded_accesses',
  'pghot_recorded_hintfaults',
  'pghot_recorded_hwhints',
  'kpromo_pghot_src_invalid',
  'kpromo_pghot_src_disabled',
  'kpromo_pghot_nid_invalid',
  'kpromo_pghot_local',
  'kpromo_pghot_toptier',
  'kpromo_pghot_not_lru',
  'kpromo_pghot_ready',
  'kpromo_kmigrated_runs',
  'kpromo_kmigrated_examined',
  'kpromo_kmigrated_too_old',
  'kpromo_kmigrated_rate_limited',
  'kpromo_kmigrated_prepare_failed',
  'kpromo_kmigrated_migrate_failed',
  'kpromo_kmigrated_batches',
  'pgpromote_success',
  'pgpromote_candidate',
  'pgpromote_candidate_nrl',
  'numa_pages_migrated',
];
