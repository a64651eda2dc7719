/**
 * Preloaded into a benchmarked child (`node --require probe.cjs ...`): at exit, writes the child's
 * peak resident set size, CPU time and page faults to the file named by KPROMO_BENCH_PROBE. Lives in bench/ so product
 * code carries no measuring hooks. CommonJS, as bin/kpromo.js is: a probe preloaded with --import
 * starts Node's ES module loader, which the CLI never does, and that added 8-12 MiB to every
 * peak RSS measured (92-94 MiB with --require, 103-109 MiB with --import, for the same replay).
 */
import { writeFileSync } from 'node:fs';

const out = process.env['KPROMO_BENCH_PROBE'];
if (out !== undefined && out !== '') {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss); CPU times in microseconds; all threads, as are the
    // minor page faults (ru_minflt: first touches of memory).
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, minorFaults: u.minorPageFault }));
  });
}
