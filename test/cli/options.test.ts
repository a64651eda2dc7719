import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const TRACE = path.resolve(__dirname, '../../traces/spec-worked.csv');

describe('a single-value option given twice', () => {
  it.each([
    [['replay', '--format', 'vmstat', '--threshold', '1', '--threshold', '5', TRACE], '--threshold given twice, "1" and "5"'],
    [['replay', '--engine', 'pghot', '--engine=rfc-v1', TRACE], '--engine given twice, "pghot" and "rfc-v1"'],
    [['convert', '-o', 'c1.csv', '--output', 'c2.csv', TRACE], '--output given twice, "c1.csv" and "c2.csv"'],
    [['gen', '--records', '5', '--records=6'], '--records given twice, "5" and "6"'],
    [['sweep', '--hz', '250', '--hz', '1000', TRACE], '--hz given twice, "250" and "1000"'],
  ])('is refused: kpromo %j', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`kpromo: ${message}: give it once\n`);
  });

  it('options documented as repeatable keep every value', async () => {
    const r = await runCli(['compare', '--format', 'csv', '--engine', 'rfc-v1', '--engine', 'pghot', '--event', 'ibs_op', '--event', 'mem-loads', TRACE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rfc-v1');
    expect(r.stdout).toContain('pghot');
  });
});
