import { describe, expect, it } from 'vitest';
import { benchEnv, environmentNote, UNTIMED_VARS } from '../../bench/environment.js';

describe('bench environment', () => {
  it('removes NODE_EXTRA_CA_CERTS and keeps everything else', () => {
    const env = benchEnv({ KPROMO_BENCH_PROBE: '/tmp/p.json' }, { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', NO_COLOR: '1' });
    expect(env).toEqual({ PATH: '/usr/bin', NO_COLOR: '1', KPROMO_BENCH_PROBE: '/tmp/p.json' });
    expect(UNTIMED_VARS).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('says nothing when the variable is not set', () => {
    expect(environmentNote(1, { PATH: process.env['PATH'] })).toBe('');
    expect(environmentNote(1, { PATH: process.env['PATH'], NODE_EXTRA_CA_CERTS: '' })).toBe('');
  });

  it('names the variable and what a start costs with it, measured', () => {
    // A file of no certificates: node warns on its stderr and starts; the note is measured all the same.
    const note = environmentNote(1, { PATH: process.env['PATH'], NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' });
    expect(note).toMatch(/^environment: NODE_EXTRA_CA_CERTS=\/nonexistent\/ca\.pem is set here/);
    expect(note).toMatch(/`node -e 0` \d+\.\d{3} s with it, \d+\.\d{3} s without \(median of 1 each\)/);
    expect(note).toMatch(/every run below is timed without it/);
  });
});
