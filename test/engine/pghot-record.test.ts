/**
 * phi_t encodings, jiffies_to_msecs and the rate-limit / threshold helpers, derived by hand from
 * mm/pghot-default.c, mm/pghot-precise.c, kernel/time/time.c and mm/pghot.c.
 */
import { describe, expect, it } from 'vitest';
import {
  default_access_latency,
  default_update_record,
  jiffies_to_msecs,
  precise_access_latency,
  precise_update_record,
} from '../../src/engine/pghot-record.js';
import {
  TargetPgdat,
  Verdict,
  promotion_adjust_threshold,
  promotion_rate_limit,
  should_migrate_memory,
} from '../../src/engine/pghot-throttle.js';

describe('jiffies_to_msecs', () => {
  it('uses (MSEC_PER_SEC / HZ) * j when HZ divides 1000', () => {
    expect(jiffies_to_msecs(1, 250)).toBe(4);
    expect(jiffies_to_msecs(750, 250)).toBe(3000);
    expect(jiffies_to_msecs(123, 1000)).toBe(123);
  });
  it('rounds up for HZ=300 (DIV_ROUND_UP(j * 10, 3)), values from kernel-facts section 4', () => {
    expect([1, 2, 3, 1000, 1500].map((j) => jiffies_to_msecs(j, 300))).toEqual([4, 7, 10, 3334, 5000]);
  });
  it('truncates to unsigned int', () => {
    // 4 * 2^30 = 2^32 -> 0
    expect(jiffies_to_msecs(2 ** 30, 250)).toBe(0);
    // 10 * (2^53 - 1) = 10 * 2^53 - 10; 2^53 is 0 mod 2^32, so the result is 2^32 - 10.
    expect(jiffies_to_msecs(2 ** 53 - 1, 100)).toBe(4294967286);
  });
});

describe('default mode record (pghot-default.c)', () => {
  const hz = 250;
  it('latency is the 128-jiffy bucket distance mod 32 buckets, in ms', () => {
    // now 1000: 1000 & 0xf80 = 896 (bucket 7); old bucket 5 -> 256 jiffies -> 1024 ms.
    expect(default_access_latency(5, 1000, hz)).toBe(1024);
    // old bucket 9 is "ahead": (896 - 1152) & 0xf80 = 3840 jiffies -> 15360 ms.
    expect(default_access_latency(9, 1000, hz)).toBe(15360);
  });
  it('saturates the 2-bit frequency at 3 and keeps READY once set', () => {
    // fresh slot, now 0: latency 0 -> not a new window -> 0 + 1 = 1; bucket 0.
    let phi = default_update_record(0, 0, 3000, 2, hz);
    expect(phi).toBe(1);
    phi = default_update_record(phi, 1, 3000, 2, hz); // freq 2 >= 2 -> READY (0x80)
    expect(phi).toBe(0x82);
    phi = default_update_record(phi, 2, 3000, 2, hz);
    expect(phi).toBe(0x83);
    phi = default_update_record(phi, 3, 3000, 2, hz); // stays 3
    expect(phi).toBe(0x83);
    // now 6 * 128 = 768, bucket 6: latency 768 jiffies = 3072 ms > 3000 -> new window, freq 1;
    // hotness = old_hotness with freq and time cleared: READY survives. 0x80 | 1 | 6 << 2 = 0x99.
    phi = default_update_record(phi, 768, 3000, 2, hz);
    expect(phi).toBe(0x99);
  });
});

describe('default mode record: never freq 0 (the engine marks a migrated page with freq 0, pghot.ts)', () => {
  it('every record made from a fresh slot or from a record has freq 1-3', () => {
    // Every u8 value a slot can hold as a record (freq 1-3), and the fresh slot 0, at times across several buckets,
    // windows of 1 ms to 10 s, thresholds 1-4, HZ 100, 250 and 1000.
    const starts = [0];
    for (let v = 0; v < 256; v++) if ((v & 3) !== 0) starts.push(v);
    for (const hz of [100, 250, 1000])
      for (const window of [1, 1000, 3000, 10_000])
        for (const threshold of [1, 2, 3, 4])
          for (const v of starts)
            for (const now of [4294892296, 4294892296 + 127, 4294892296 + 128, 4294892296 + 4095, 2 ** 40 + 7]) {
              const r = default_update_record(v, now, window, threshold, hz);
              expect(r & 3, `phi ${v} at ${now}`).not.toBe(0);
              expect(r).toBeLessThan(256);
            }
  });
});

describe('precise mode record (pghot-precise.c)', () => {
  const hz = 250;
  it('latency wraps at 14 bits', () => {
    expect(precise_access_latency(100, 110, hz)).toBe(40);
    expect(precise_access_latency(110, 100, hz)).toBe((16384 - 10) * 4);
  });
  it('rebuilds the record: READY is cleared when a new window drops below the threshold', () => {
    // nid 1, now 0: freq 1, not ready: 1 | 1 << 10 = 1025.
    let phi = precise_update_record(0, 1, 0, 5000, 2, hz);
    expect(phi).toBe(1025);
    // now 1: freq 2 -> READY (2^31): 1 | 2 << 10 | 1 << 13 | 2^31.
    phi = precise_update_record(phi, 1, 1, 5000, 2, hz);
    expect(phi).toBe(1 + 2048 + 8192 + 2 ** 31);
    // now 1253: (1253 - 1) = 1252 jiffies = 5008 ms > 5000 -> freq 1 -> no READY; nid 0 overwrites nid 1.
    phi = precise_update_record(phi, 0, 1253, 5000, 2, hz);
    expect(phi).toBe(1024 + 1253 * 8192);
  });
});

describe('kmigrated_should_migrate_memory pieces (mm/pghot.c)', () => {
  it('rate limit: the first call past 1 s opens a window at the current candidate count', () => {
    const p = new TargetPgdat();
    // now 4100 ms: 4100 - 0 > 1000 -> nbp_rl_start = 4100, nbp_rl_nr_cand = 1; 1 - 1 = 0 < 2
    expect(promotion_rate_limit(p, 2, 1, 4100)).toBe(false);
    expect(promotion_rate_limit(p, 2, 1, 4100)).toBe(false); // 2 - 1 = 1 < 2
    expect(promotion_rate_limit(p, 2, 1, 4500)).toBe(true); // 3 - 1 = 2 >= 2
    expect(p.pgpromote_candidate).toBe(3);
    expect(promotion_rate_limit(p, 2, 1, 5101)).toBe(false); // 5101 - 4100 > 1000: base 4 -> 0
  });
  it('rate limit: now_ms - start is unsigned int arithmetic', () => {
    const p = new TargetPgdat();
    p.nbp_rl_start = 4294967000;
    // (500 - 4294967000) mod 2^32 = 796: no new window; 1 - 0 >= 1 -> limited
    expect(promotion_rate_limit(p, 1, 1, 500)).toBe(true);
    expect(p.nbp_rl_start).toBe(4294967000);
  });
  it('adjust threshold: one step of ref_th * 2 / 16 every 60 s', () => {
    // rate 256 pages/s -> ref_cand 15360; 0 candidates < 13824 -> th = min(3000 + 375, 6000)
    const p = new TargetPgdat();
    promotion_adjust_threshold(p, 256, 3000, 60000); // not > 60000: nothing
    expect(p.nbp_threshold).toBe(0);
    promotion_adjust_threshold(p, 256, 3000, 60001);
    expect(p.nbp_threshold).toBe(3375);
    expect(p.nbp_th_start).toBe(60001);
    // 20000 new candidates > 16896 -> th = max(3375 - 375, 375)
    p.pgpromote_candidate = 20000;
    promotion_adjust_threshold(p, 256, 3000, 120002);
    expect(p.nbp_threshold).toBe(3000);
    expect(p.nbp_th_nr_cand).toBe(20000);
  });
  it('free space enough: resets the threshold and counts pgpromote_candidate_nrl only', () => {
    const p = new TargetPgdat();
    p.nbp_threshold = 2625;
    const v = should_migrate_memory(p, 1, { freeSpaceEnough: true, defTh: 3000, rateLimit: 0, nowMs: 0, latencyMs: 99999 });
    expect(v).toBe(Verdict.Migrate);
    expect([p.nbp_threshold, p.pgpromote_candidate_nrl, p.pgpromote_candidate]).toEqual([0, 1, 0]);
  });
  it('latency >= threshold is refused before the rate limit counts a candidate', () => {
    const p = new TargetPgdat();
    const args = { freeSpaceEnough: false, defTh: 3000, rateLimit: 100, nowMs: 0, latencyMs: 3000 };
    expect(should_migrate_memory(p, 1, args)).toBe(Verdict.TooOld);
    expect(p.pgpromote_candidate).toBe(0);
    expect(should_migrate_memory(p, 1, { ...args, latencyMs: 2999 })).toBe(Verdict.Migrate);
    expect(should_migrate_memory(p, 1, { ...args, rateLimit: 0 })).toBe(Verdict.TooOld);
    expect(should_migrate_memory(p, 1, { ...args, latencyMs: 0, rateLimit: 0 })).toBe(Verdict.RateLimited);
  });
});
