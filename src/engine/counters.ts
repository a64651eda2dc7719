/** The kpromoted vmstat counters (mm/vmstat.c names, vm_event_item.h order) and kpromo's extra lines. */

/** Index of each rfc-v1 counter in the engine's counter array. */
export const enum C {
  recorded_accesses = 0,
  recorded_hwhints,
  recorded_pgtscans,
  record_toptier,
  record_added,
  record_exists,
  mig_right_node,
  mig_non_lru,
  mig_cold_old,
  mig_cold_not_accessed,
  mig_candidate,
  mig_promoted,
  mig_dropped,
  numa_pages_migrated,
  pgdemote_kswapd,
  pingpong_promotions,
  COUNT,
}

/** /proc/vmstat names, in the order SPEC 5 prints them. */
export const RFC_V1_COUNTER_NAMES: readonly string[] = [
  'kpromoted_recorded_accesses',
  'kpromoted_recorded_hwhints',
  'kpromoted_recorded_pgtscans',
  'kpromoted_record_toptier',
  'kpromoted_record_added',
  'kpromoted_record_exists',
  'kpromoted_mig_right_node',
  'kpromoted_mig_non_lru',
  'kpromoted_mig_cold_old',
  'kpromoted_mig_cold_not_accessed',
  'kpromoted_mig_candidate',
  'kpromoted_mig_promoted',
  'kpromoted_mig_dropped',
  'numa_pages_migrated',
];

/** Extra lines printed with `--demotion`: kswapd demotions, and promotions of pages that had been demoted. */
export const DEMOTION_COUNTER_NAMES: readonly string[] = ['pgdemote_kswapd', 'kpromo_pingpong_promotions'];
