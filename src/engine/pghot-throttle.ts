/**
 * kmigrated_should_migrate_memory() of mm/pghot.c: the promotion rate limit and dynamic threshold that
 * pghot took over from NUMA balancing mode 2 (kernel/sched/fair.c numa_promotion_rate_limit(),
 * numa_promotion_adjust_threshold()). State lives in the TARGET node's pglist_data.
 */

/** KMIGRATED_MIGRATION_ADJUST_STEPS. */
export const KMIGRATED_MIGRATION_ADJUST_STEPS = 16;
/** KMIGRATED_PROMOTION_THRESHOLD_WINDOW in ms. */
export const KMIGRATED_PROMOTION_THRESHOLD_WINDOW = 60000;
const MSEC_PER_SEC = 1000;

/** The pglist_data fields pghot reads and writes on a target node, and its node stats. */
export class TargetPgdat {
  /** pgdat->nbp_threshold (unsigned int ms; 0 = use the default). */
  nbp_threshold = 0;
  /** pgdat->nbp_th_start (unsigned int ms). */
  nbp_th_start = 0;
  /** pgdat->nbp_th_nr_cand. */
  nbp_th_nr_cand = 0;
  /** pgdat->nbp_rl_start (unsigned int ms). */
  nbp_rl_start = 0;
  /** pgdat->nbp_rl_nr_cand. */
  nbp_rl_nr_cand = 0;
  /** node_page_state(pgdat, PGPROMOTE_CANDIDATE). */
  pgpromote_candidate = 0;
  /** node_page_state(pgdat, PGPROMOTE_CANDIDATE_NRL). */
  pgpromote_candidate_nrl = 0;
}

/** Verdict of kmigrated_should_migrate_memory(). */
export const enum Verdict {
  /** Returns true. */
  Migrate = 0,
  /** pghot_access_latency(time, now) >= th: returns false. */
  TooOld = 1,
  /** kmigrated_promotion_rate_limit() said limited: returns false. */
  RateLimited = 2,
}

/** kmigrated_promotion_rate_limit(): counts the candidates, true when this 1 s window is over the limit. */
export function promotion_rate_limit(pgdat: TargetPgdat, rateLimit: number, nr: number, nowMs: number): boolean {
  pgdat.pgpromote_candidate += nr;
  const nrCand = pgdat.pgpromote_candidate;
  const start = pgdat.nbp_rl_start;
  // unsigned int arithmetic: now_ms - start wraps at 2^32
  if ((nowMs - start) >>> 0 > MSEC_PER_SEC) {
    pgdat.nbp_rl_start = nowMs;
    pgdat.nbp_rl_nr_cand = nrCand;
  }
  return nrCand - pgdat.nbp_rl_nr_cand >= rateLimit;
}

/** kmigrated_promotion_adjust_threshold(): every 60 s, move the threshold by one step toward the rate. */
export function promotion_adjust_threshold(pgdat: TargetPgdat, rateLimit: number, refTh: number, nowMs: number): void {
  const start = pgdat.nbp_th_start;
  if ((nowMs - start) >>> 0 > KMIGRATED_PROMOTION_THRESHOLD_WINDOW) {
    pgdat.nbp_th_start = nowMs;
    const refCand = Math.floor((rateLimit * KMIGRATED_PROMOTION_THRESHOLD_WINDOW) / MSEC_PER_SEC);
    const nrCand = pgdat.pgpromote_candidate;
    const diffCand = nrCand - pgdat.nbp_th_nr_cand;
    const unitTh = Math.floor((refTh * 2) / KMIGRATED_MIGRATION_ADJUST_STEPS);
    let th = pgdat.nbp_threshold || refTh;
    if (diffCand > Math.floor((refCand * 11) / 10)) th = Math.max(th - unitTh, unitTh);
    else if (diffCand < Math.floor((refCand * 9) / 10)) th = Math.min(th + unitTh, refTh * 2);
    pgdat.nbp_th_nr_cand = nrCand;
    pgdat.nbp_threshold = th;
  }
}

/** Inputs of one kmigrated_should_migrate_memory() call besides the target's state. */
export interface ShouldMigrateArgs {
  /** pgdat_free_space_enough(NODE_DATA(nid)). */
  readonly freeSpaceEnough: boolean;
  /** sysctl_pghot_freq_window: the default threshold def_th in ms. */
  readonly defTh: number;
  /** MB_TO_PAGES(sysctl_pghot_promote_rate_limit). */
  readonly rateLimit: number;
  /** jiffies_to_msecs(jiffies) as unsigned int. */
  readonly nowMs: number;
  /** pghot_access_latency(time, now) in ms: age of the record's last access. */
  readonly latencyMs: number;
}

/** kmigrated_should_migrate_memory(nr_pages, nid, time) for a target node's pgdat. */
export function should_migrate_memory(pgdat: TargetPgdat, nr: number, a: ShouldMigrateArgs): Verdict {
  if (a.freeSpaceEnough) {
    pgdat.nbp_threshold = 0; // workload changed, reset hot threshold
    pgdat.pgpromote_candidate_nrl += nr;
    return Verdict.Migrate;
  }
  promotion_adjust_threshold(pgdat, a.rateLimit, a.defTh, a.nowMs);
  const th = pgdat.nbp_threshold || a.defTh;
  if (a.latencyMs >= th) return Verdict.TooOld;
  return promotion_rate_limit(pgdat, a.rateLimit, nr, a.nowMs) ? Verdict.RateLimited : Verdict.Migrate;
}
