import { it } from 'vitest';
import { writeFileSync, createReadStream } from 'node:fs';
import { PerfPrinter, IBS_SAMPLES, INTEL_SAMPLES, INTEL_DEFAULT } from './perf-gen.js';
import { readPerf } from '../../src/trace/perf-read.js';
import { readTraces } from '../../src/trace/read.js';
import { TOPO_2S_CXL } from './perf-topo.js';

const N = 1_000_000;
it('bench', async () => {
  const variants: Record<string, { fields: string[]; samples: typeof IBS_SAMPLES; w: number }> = {
    basic: { fields: ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'phys_addr'], samples: IBS_SAMPLES, w: 8 },
    full: { fields: ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'data_src', 'weight', 'ip', 'sym', 'phys_addr'], samples: IBS_SAMPLES, w: 8 },
    intel: { fields: INTEL_DEFAULT, samples: INTEL_SAMPLES, w: 24 },
  };
  let csv = 'pfn,nid,src,time\n';
  for (let i = 0; i < N; i++) csv += `${0x200000 + (i * 7919) % 1000000},${i & 1},hwhints,${4294892296 + (i >> 4)}\n`;
  writeFileSync('/tmp/b.csv', csv);
  for (const [name, v] of Object.entries(variants)) {
    const p = new PerfPrinter({ fields: v.fields, pidWidth: 7, ns: false, eventWidth: v.w });
    const parts: string[] = [];
    for (let i = 0; i < N; i++) {
      const s = v.samples[i % v.samples.length]!;
      parts.push(p.line({ ...s, cpu: i % 16, phys: BigInt(0x200000000 + (i * 7919) % 1000000 * 4096), timeNs: 1000_000000000n + BigInt(i) * 1000n }));
    }
    writeFileSync(`/tmp/b-${name}.txt`, parts.join(''));
  }
  const sink = { n: 0, record_access() { this.n++; } };
  for (let rep = 0; rep < 2; rep++) {
    let t = performance.now();
    await readTraces([{ name: '/tmp/b.csv' }], sink);
    const csvMs = performance.now() - t;
    console.log(`csv: ${(N / csvMs * 1000 / 1e6).toFixed(2)} M rec/s`);
    for (const name of Object.keys(variants)) {
      for (const mode of ['detect', 'fields']) {
        t = performance.now();
        const st = await readPerf(createReadStream(`/tmp/b-${name}.txt`, { highWaterMark: 1 << 20 }), sink, { topology: TOPO_2S_CXL,
          ...(mode === 'fields' ? { fields: variants[name]!.fields.join(',') } : {}) });
        const ms = performance.now() - t;
        console.log(`${name} ${mode}: ${st.records} rec, ${(st.records / ms * 1000 / 1e6).toFixed(2)} M rec/s, ${(ms / csvMs).toFixed(2)}x csv`);
      }
    }
  }
}, 300000);
