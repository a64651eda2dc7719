/**
 * A parse thread that dies without a word (no error message: an uncaught failure, a kill) ends the threaded read with
 * its error, instead of leaving the engine's thread waiting on the ring for ever (threaded.ts, worker-link.ts
 * lastMessage().failure()). The parse thread here is a script that exits with code 3 as soon as it starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_INPUT_SETTINGS } from '../../src/trace/input.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-worker-death-'));
const CRASH = path.join(dir, 'crash-worker.cjs');
fs.writeFileSync(CRASH, 'setTimeout(() => process.exit(3), 20);\n');

vi.mock('../../src/trace/worker-link.js', async (original) => ({ ...(await original<typeof import('../../src/trace/worker-link.js')>()), parseWorkerPath: () => CRASH }));

describe('a parse thread that dies', () => {
  it('ends a threaded read of a gzip file with its exit, at once', async () => {
    const { readInputsThreaded } = await import('../../src/trace/threaded.js');
    let text = 'pfn,nid,src,time\n';
    for (let i = 0; i < 20000; i++) text += `0x${(0x200000 + i).toString(16)},0,hwhints,${4294892296 + i}\n`;
    const gz = path.join(dir, 't.csv.gz');
    fs.writeFileSync(gz, gzipSync(text));
    let records = 0;
    const t0 = Date.now();
    await expect(readInputsThreaded([{ name: gz }], { record_access: () => records++ }, { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250 })).rejects.toThrow(
      /parser thread exited with code 3 and no result/,
    );
    expect(records).toBe(0);
    // Noticed within a wait or two of the ring (200 ms each), not after a timeout of the test.
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 20000);
});
