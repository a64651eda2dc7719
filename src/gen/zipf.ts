/**
 * Zipf sampler over ranks 1..N: P(k) = k^-s / H(N, s). Rejection-inversion (W. Hörmann and
 * G. Derflinger, "Rejection-inversion to generate variates from monotone discrete distributions",
 * ACM TOMACS 6(3), 1996), as in Apache Commons RNG's RejectionInversionZipfSampler: O(1) time and
 * memory per sample for any N, fewer than ~1.1 uniforms per sample on average.
 * Math.log/exp/log1p/expm1 are V8's fdlibm ports, so samples are the same on every platform.
 */
import type { Prng } from './prng.js';

/** Draws Zipf-distributed ranks. */
export interface ZipfSampler {
  /** Number of ranks N. */
  readonly n: number;
  /** Exponent s. */
  readonly exponent: number;
  /** A rank in [1, N]; rank 1 is the most frequent. */
  sample(): number;
}

/** log1p(x)/x, continued to x = 0 by its Taylor series. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x)/x, continued to x = 0 by its Taylor series. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/**
 * Creates a Zipf(s) sampler over 1..n drawing uniforms from `rng`. n is an integer >= 1 below 2^53,
 * s a finite number >= 0 (s = 0 is the uniform distribution).
 */
export function createZipf(n: number, exponent: number, rng: Prng): ZipfSampler {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`zipf: n must be an integer >= 1, got ${String(n)}`);
  if (!Number.isFinite(exponent) || exponent < 0) {
    throw new RangeError(`zipf: exponent must be a finite number >= 0, got ${String(exponent)}`);
  }
  const s = exponent;
  if (s === 0) {
    return { n, exponent, sample: () => (n <= 4294967296 ? rng.int(n) : Math.floor(rng.next() * n)) + 1 };
  }
  // h(x) = x^-s, the density that dominates P(k); H is an antiderivative of h.
  const h = (x: number): number => Math.exp(-s * Math.log(x));
  const hIntegral = (x: number): number => {
    const logX = Math.log(x);
    return helper2((1 - s) * logX) * logX;
  };
  const hIntegralInverse = (x: number): number => {
    let t = x * (1 - s);
    if (t < -1) t = -1; // guard against rounding just below the pole
    return Math.exp(helper1(t) * x);
  };
  const hIntegralX1 = hIntegral(1.5) - 1;
  const hIntegralN = hIntegral(n + 0.5);
  // Squeeze: k - x <= sq accepts without evaluating H again.
  const sq = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
  const sample = (): number => {
    for (;;) {
      // u uniform in (hIntegralX1, hIntegralN]
      const u = hIntegralN + rng.next() * (hIntegralX1 - hIntegralN);
      const x = hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= sq || u >= hIntegral(k + 0.5) - h(k)) return k;
    }
  };
  return { n, exponent, sample };
}

