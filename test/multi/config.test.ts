import { describe, expect, it } from 'vitest';
import type { RawEngineOptions } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';
import { cachedLoader, engineSettings, parseEngineSpec, specSettings, uniqueLabels } from '../../src/multi/config.js';
import { loadTopology } from '../../src/topology/load.js';

const BASE: RawEngineOptions = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };

describe('parseEngineSpec', () => {
  it('splits NAME:key=value,... into the options it overrides; bare keys are flags', () => {
    expect(parseEngineSpec('rfc-v1')).toEqual({ text: 'rfc-v1', engine: 'rfc-v1', overrides: {} });
    expect(parseEngineSpec('rfc-v1:window=1000,threshold=3,hash_order=8').overrides).toEqual({ window: '1000', threshold: '3', hashOrder: '8' });
    expect(parseEngineSpec('pghot:precise').overrides).toEqual({ pghotPrecise: true });
    expect(parseEngineSpec('rfc-v1:demotion,window=1000').overrides).toEqual({ demotion: true, window: '1000' });
    expect(parseEngineSpec('pghot:precise=0,target-nid=1,sources=0x2').overrides).toEqual({ pghotPrecise: false, targetNid: '1', sources: '0x2' });
  });

  it('rejects unknown engines, unknown keys and missing values, quoting the spec', () => {
    expect(() => parseEngineSpec('rfc-v2')).toThrow('--engine "rfc-v2": engine must be one of rfc-v1, rfc-v1-fixed, pghot, got "rfc-v2"');
    expect(() => parseEngineSpec('rfc-v1:windw=5')).toThrow('--engine "rfc-v1:windw=5": unknown key "windw"');
    expect(() => parseEngineSpec('rfc-v1:window')).toThrow('--engine "rfc-v1:window": window needs a value (window=...)');
    expect(() => parseEngineSpec('pghot:precise=yes')).toThrow(UsageError);
  });

  it('takes spaces around an item of the key list only, as every list; the name, a key and a value are taken as written', () => {
    expect(parseEngineSpec('rfc-v1: window=1000 , threshold=3').overrides).toEqual({ window: '1000', threshold: '3' });
    const cases: [string, string][] = [
      [' rfc-v1', 'engine must be one of rfc-v1, rfc-v1-fixed, pghot, got " rfc-v1"'],
      ['rfc-v1 ', 'engine must be one of rfc-v1, rfc-v1-fixed, pghot, got "rfc-v1 "'],
      ['rfc-v1 :window=1', 'engine must be one of rfc-v1, rfc-v1-fixed, pghot, got "rfc-v1 "'],
      ['rfc-v1:window =1000', 'no spaces around = in "window =1000"'],
      ['rfc-v1:window= 1000', 'no spaces around = in "window= 1000"'],
      ['rfc-v1:topology= t.json', 'no spaces around = in "topology= t.json"'],
      ['pghot:precise = 1', 'no spaces around = in "precise = 1"'],
      ['rfc-v1:window=1 000', '--engine "rfc-v1:window=1 000": --window must be an integer in [0, 2147483647], got "1 000"'],
    ];
    for (const [text, msg] of cases) {
      const load = cachedLoader((a) => loadTopology(a));
      expect(() => specSettings(parseEngineSpec(text), BASE, load), text).toThrow(UsageError);
      expect(() => specSettings(parseEngineSpec(text), BASE, load), text).toThrow(msg);
    }
  });

  it('quotes an unknown key as typed (underscores included)', () => {
    expect(() => parseEngineSpec('rfc-v1:__proto__=1')).toThrow('--engine "rfc-v1:__proto__=1": unknown key "__proto__"');
  });

  it('refuses a key the engine does not use, and a key given twice, naming the key and the engine', () => {
    expect(() => parseEngineSpec('rfc-v1:precise')).toThrow('--engine "rfc-v1:precise": precise is not used by rfc-v1 (only by pghot)');
    expect(() => parseEngineSpec('pghot:demotion,hash_order=3')).toThrow('--engine "pghot:demotion,hash_order=3": demotion is not used by pghot (only by rfc-v1 and rfc-v1-fixed)');
    expect(() => parseEngineSpec('pghot:hash_order=3')).toThrow('hash-order is not used by pghot');
    expect(() => parseEngineSpec('pghot:default_node=2')).toThrow('default-node is not used by pghot');
    expect(() => parseEngineSpec('rfc-v1-fixed:target-nid=1')).toThrow('target-nid is not used by rfc-v1-fixed (only by pghot)');
    expect(() => parseEngineSpec('rfc-v1:window=1,window=2')).toThrow('--engine "rfc-v1:window=1,window=2": window given twice');
    expect(() => parseEngineSpec('pghot:precise,pghot_precise=0')).toThrow('pghot-precise given twice (precise and pghot-precise are one key)');
    // Keys every engine uses stay accepted everywhere.
    expect(parseEngineSpec('pghot:window=2000,threshold=2,period=100,hz=1000').overrides).toEqual({ window: '2000', threshold: '2', period: '100', hz: '1000' });
  });
});

describe('engineSettings', () => {
  const load = cachedLoader((a) => loadTopology(a));

  it('checks rfc engines against the rfc ranges only (window 5000 and threshold 4 are fine for rfc-v1)', () => {
    const s = engineSettings({ ...BASE, window: '5000', threshold: '4', period: '100' }, load);
    expect(s.engine).toBe('rfc-v1');
    expect([s.rfc.window_ms, s.rfc.threshold, s.rfc.period_ms]).toEqual([5000, 4, 100]);
    expect(s.rfc.topology.name).toBe('2s-cxl');
  });

  it('checks pghot against its own ranges', () => {
    expect(() => engineSettings({ ...BASE, engine: 'pghot', window: '5000' }, load)).toThrow('got "5000"');
    const s = engineSettings({ ...BASE, engine: 'pghot', window: '2000', pghotPrecise: true }, load);
    expect(s.pghot.freq_window_ms).toBe(2000);
    expect(s.pghot.precise).toBe(true);
  });

  it('prefixes errors of a spec with the spec', () => {
    const spec = parseEngineSpec('rfc-v1:window=-1');
    expect(() => specSettings(spec, BASE, load)).toThrow('--engine "rfc-v1:window=-1": --window must be an integer in [0, 2147483647], got "-1"');
  });

  it('loads each topology once per run', () => {
    let calls = 0;
    const counting = cachedLoader((a) => {
      calls++;
      return loadTopology(a);
    });
    for (let i = 0; i < 3; i++) engineSettings(BASE, counting);
    expect(calls).toBe(1);
  });
});

describe('uniqueLabels', () => {
  it('suffixes repeats', () => {
    expect(uniqueLabels(['a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a#2', 'a#3']);
  });
});
