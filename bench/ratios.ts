/**
 * The bench's cost ratios (analysis against a plain replay, compare against the three replays, ...), each given two
 * ways: the ratio of the cases' medians, which the verdict reads, and the paired ratio, the median of each round's
 * own ratio. The cases run in rounds (run.ts measureAll()), and this VM drifts by tens of % within minutes: in a round
 * the cases of a ratio ran minutes apart at most, so the paired ratio shows how much of a ratio is the drift between
 * rounds. The native section pairs its runs the same way (engine-bench.ts).
 */

/** Seconds of one case, a value per round, in round order. */
export type Rounds = readonly number[];

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Round by round: the sum of several cases' seconds, each times its weight (9 x 'replay file', the three replays). */
export function sumRounds(parts: ReadonlyArray<readonly [Rounds, number]>): Rounds {
  const n = Math.min(...parts.map(([r]) => r.length));
  return Array.from({ length: n }, (_, i) => parts.reduce((s, [r, w]) => s + w * r[i]!, 0));
}

/** A ratio both ways: of the medians (the verdict's), and paired (the median of the rounds' ratios). */
export interface Ratio {
  readonly ofMedians: number;
  readonly paired: number;
}

/**
 * num against den, each a case's rounds (den may be a sumRounds()). Rounds pair by index: a case that ran fewer rounds
 * (none fails part way: a failed case has no ratio) pairs its rounds with the first of the other's.
 */
export function ratioOf(num: Rounds, den: Rounds): Ratio {
  const n = Math.min(num.length, den.length);
  if (n === 0) throw new Error('a ratio of cases that never ran');
  const rounds = Array.from({ length: n }, (_, i) => num[i]! / den[i]!);
  return { ofMedians: median(num) / median(den), paired: median(rounds) };
}

/** `label: 1.38x, paired 1.30x (target <= 1.5x): PASS`; the verdict is the ratio of the medians'. An empty string when a case did not run. */
export function ratioLine(label: string, num: Rounds | null, den: Rounds | null, target: number): string {
  if (num === null || den === null) return '';
  const r = ratioOf(num, den);
  return `\n${label}: ${r.ofMedians.toFixed(2)}x, paired ${r.paired.toFixed(2)}x (target <= ${target}x): ${r.ofMedians <= target ? 'PASS' : 'MISS'}`;
}
