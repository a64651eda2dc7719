/**
 * The per-PFN hotness record `phi_t` of pghot, in its two build modes, and the jiffies helpers it needs.
 * mm/pghot-default.c (u8: freq 2 bits, bucketed time 5 bits, ready bit 7) and mm/pghot-precise.c
 * (u32: nid 10 bits, freq 3 bits, time 14 bits, ready bit 31). A record of 0 is a fresh (kzalloc'ed) slot.
 */

const TWO_32 = 4294967296;

/**
 * x mod m for an integer 0 <= x < 2^53 and a power of two m, exactly, without a double's `%` (which V8 compiles
 * to a call to fmod: it was most of pghot's per-access cost). x / m and its floor are exact for such m.
 */
function modPow2(x: number, m: number): number {
  return x - Math.floor(x / m) * m;
}

/** An unsigned int's truncation to 32 bits of 0 <= x < 2^53, with no `%` when it fits already. */
function u32(x: number): number {
  return x < TWO_32 ? x : modPow2(x, TWO_32);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** DIV_ROUND_UP(p, d) for a non-negative integer p (exact when p < 2^53). */
function divRoundUp(p: number, d: number): number {
  const r = p % d;
  return (p - r) / d + (r === 0 ? 0 : 1);
}

/**
 * jiffies_to_msecs(j) (kernel/time/time.c, 64-bit), returned as the kernel's `unsigned int`: the product is
 * computed exactly (BigInt past 2^53) and truncated to 32 bits.
 */
export function jiffies_to_msecs(j: number, hz: number): number {
  if (hz <= 1000 && 1000 % hz === 0) {
    // (MSEC_PER_SEC / HZ) * j
    const m = 1000 / hz;
    const ms = m * j;
    if (ms <= Number.MAX_SAFE_INTEGER) return u32(ms);
    return Number((BigInt(m) * BigInt(j)) % BigInt(TWO_32));
  }
  if (hz > 1000 && hz % 1000 === 0) {
    // (j + (HZ / MSEC_PER_SEC) - 1) / (HZ / MSEC_PER_SEC)
    return u32(divRoundUp(j, hz / 1000));
  }
  // DIV_ROUND_UP(j * HZ_TO_MSEC_NUM, HZ_TO_MSEC_DEN)
  const g = gcd(1000, hz);
  const num = 1000 / g;
  const den = hz / g;
  const p = j * num;
  if (p <= Number.MAX_SAFE_INTEGER) return u32(divRoundUp(p, den));
  const big = (BigInt(j) * BigInt(num) + BigInt(den - 1)) / BigInt(den);
  return Number(big % BigInt(TWO_32));
}

// ---- default mode (!CONFIG_PGHOT_PRECISE), typedef u8 phi_t ----

/** PGHOT_MIGRATE_READY bit of the default-mode record (bit 7). */
export const DEFAULT_READY = 0x80;
/** PGHOT_FREQ_MAX in default mode ((1 << 2) - 1). */
export const DEFAULT_FREQ_MAX = 3;
/** PGHOT_TIME_BUCKETS_SHIFT: time is kept in 128-jiffy buckets. */
export const TIME_BUCKETS_SHIFT = 7;
/** PGHOT_TIME_BUCKETS_MASK = PGHOT_TIME_MASK (31) << 7 = 0xf80. */
export const TIME_BUCKETS_MASK = 0xf80;

/** The 5-bit bucketed time stored for an access at `now`: `(phi_t)(now >> 7) & PGHOT_TIME_MASK`. */
export function default_time_bucket(now: number): number {
  return Math.floor(modPow2(now, 4096) / 128); // (now >> 7) & 31
}

/**
 * pghot_access_latency() of pghot-default.c: `old_time` is a bucket, `time` full jiffies;
 * jiffies_to_msecs(((time & BUCKETS_MASK) - (old_time << 7)) & BUCKETS_MASK).
 */
export function default_access_latency(oldTime: number, time: number, hz: number): number {
  const t = modPow2(time, 4096) & TIME_BUCKETS_MASK; // time < 2^53: reduce before the 32-bit `&`
  const d = (t - oldTime * 128 + 4096) % 4096; // both multiples of 128: already inside the mask
  return jiffies_to_msecs(d, hz);
}

/**
 * pghot_update_record() of pghot-default.c. The new record keeps every bit it does not rewrite
 * (`hotness = old_hotness`, then only freq and time are cleared), so a set READY bit stays set
 * even when a new window starts at frequency 1, until kmigrated takes the record.
 */
export function default_update_record(phi: number, now: number, windowMs: number, threshold: number, hz: number): number {
  const oldFreq = phi & 3;
  const oldTime = (phi >> 2) & 31;
  let freq: number;
  if (default_access_latency(oldTime, now, hz) > windowMs) freq = 1;
  else freq = oldFreq < DEFAULT_FREQ_MAX ? oldFreq + 1 : oldFreq;
  let hotness = (phi & DEFAULT_READY) | freq | (default_time_bucket(now) << 2);
  if (freq >= threshold) hotness |= DEFAULT_READY;
  return hotness;
}

// ---- precise mode (CONFIG_PGHOT_PRECISE), typedef u32 phi_t ----

/** PGHOT_MIGRATE_READY bit 31 of the precise-mode record, as a number. */
export const PRECISE_READY = 2147483648;
/** PGHOT_FREQ_MAX in precise mode ((1 << 3) - 1). */
export const PRECISE_FREQ_MAX = 7;
/** PGHOT_TIME_MASK in precise mode: 14 bits of raw jiffies. */
export const PRECISE_TIME_MASK = 0x3fff;

/** pghot_access_latency() of pghot-precise.c: jiffies_to_msecs((time - old_time) & PGHOT_TIME_MASK). */
export function precise_access_latency(oldTime: number, time: number, hz: number): number {
  const d = (((time - oldTime) % 16384) + 16384) % 16384;
  return jiffies_to_msecs(d, hz);
}

/**
 * pghot_update_record() of pghot-precise.c; `nid` is already resolved (NUMA_NO_NODE -> target nid).
 * The record is rebuilt from 0, so READY is cleared again when a new window drops freq below the threshold.
 */
export function precise_update_record(
  phi: number,
  nid: number,
  now: number,
  windowMs: number,
  threshold: number,
  hz: number,
): number {
  const time = modPow2(now, 16384); // now & PGHOT_TIME_MASK
  const oldFreq = (phi >>> 10) & 7;
  const oldTime = (phi >>> 13) & PRECISE_TIME_MASK;
  let freq: number;
  if (precise_access_latency(oldTime, time, hz) > windowMs) freq = 1;
  else freq = oldFreq < PRECISE_FREQ_MAX ? oldFreq + 1 : oldFreq;
  let hotness = (nid & 1023) | (freq << 10) | (time << 13);
  if (freq >= threshold) hotness += PRECISE_READY;
  return hotness;
}
