/**
 * Preloaded into a benchmarked child (`node --import probe.js ...`): at exit, writes the child's
 * peak resident set size to the file named by KPROMO_BENCH_PROBE. Lives in bench/ so product
 * code carries no measuring hooks.
 */
import { writeFileSync } from 'node:fs';

const out = process.env['KPROMO_BENCH_PROBE'];
if (out !== undefined && out !== '') {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss); CPU times in microseconds, all threads.
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
