/** Jiffies arithmetic from include/linux/jiffies.h and kernel/time/time.c. */

/** msecs_to_jiffies(m) = ceil(m * HZ / 1000) (SPEC 2; the kernel's rounding for every HZ). */
export function msecs_to_jiffies(ms: number, hz: number): number {
  return Math.floor((ms * hz + 999) / 1000);
}

/** jiffies_to_msecs(j): the kernel returns an unsigned int, so the result is truncated to 32 bits. */
export function jiffies_to_msecs(j: number, hz: number): number {
  const ms = 1000 % hz === 0 ? (1000 / hz) * j : Math.ceil((j * 1000) / hz);
  return ms % 4294967296;
}

/** INITIAL_JIFFIES = (unsigned long)(unsigned int)(-300*HZ): jiffies at boot on a 64-bit kernel. */
export function initial_jiffies(hz: number): number {
  return 4294967296 - 300 * hz;
}
