/**
 * Rank-based location estimates and their confidence intervals (Hollander & Wolfe, Nonparametric
 * Statistical Methods, §3.2 and §4.3), for verdicts that one extreme seed cannot swing:
 *
 * - paired (one sample of per-seed differences): the Hodges–Lehmann estimate is the median of the
 *   Walsh averages (dᵢ + dⱼ)/2, i ≤ j; its interval runs between order statistics of the Walsh
 *   averages chosen from the Wilcoxon signed-rank distribution;
 * - two samples x, y: the estimate of the shift x − y is the median of the m·n differences
 *   xᵢ − yⱼ; its interval runs between order statistics of those differences chosen from the
 *   Mann–Whitney U distribution.
 *
 * Exact null distributions (no ties) are counted with generating functions while that is cheap
 * (signed rank: n ≤ 200; Mann–Whitney: m·n ≤ 10,000), the normal approximation beyond. With c the
 * largest count such that P(stat ≤ c) ≤ (1 − level)/2, the interval is [A₍c+1₎, A₍N−c₎] (1-based
 * order statistics of the N sorted averages or differences), with confidence 1 − 2·P(stat ≤ c).
 * When even c = 0 exceeds (1 − level)/2 (too few values for the level), the interval falls back
 * to c = 0 — the whole range — and reports its lower confidence; callers check `confidence`.
 */
import { quantileSorted } from "./robust_summary.ts";

export interface ShiftEstimate {
  /** The Hodges–Lehmann estimate (NaN without values). */
  estimate: number;
  lo: number;
  hi: number;
  /** The interval's actual coverage under the null distribution (0 without values). */
  confidence: number;
  /** "exact" or "normal" null distribution. */
  method: "exact" | "normal";
  n: number;
}

/** Cumulative counts: cdf[u] = #{arrangements with stat ≤ u}, and their total. */
interface NullCounts {
  cdf: number[];
  total: number;
}

/** Counts of the Wilcoxon signed-rank statistic T⁺ for n values: coefficients of ∏(1 + qⁱ). */
export function signedRankCounts(n: number): NullCounts {
  const max = n * (n + 1) / 2;
  const f = new Array<number>(max + 1).fill(0);
  f[0] = 1;
  for (let i = 1; i <= n; i++) {
    for (let u = max; u >= i; u--) f[u] += f[u - i];
  }
  return cumulative(f);
}

/**
 * Counts of the Mann–Whitney U for sizes m, n: the coefficients of the Gaussian binomial
 * [m+n choose m]_q = ∏_{i=1..m} (1 − q^{n+i}) / (1 − qⁱ).
 */
export function mannWhitneyCounts(m: number, n: number): NullCounts {
  const max = m * n;
  const f = new Array<number>(max + 1).fill(0);
  f[0] = 1;
  for (let i = 1; i <= m; i++) {
    // × (1 − q^{n+i}) (degree stays ≤ max: the product is a polynomial of degree m·n).
    for (let u = max; u >= n + i; u--) f[u] -= f[u - n - i];
    // ÷ (1 − qⁱ): a running sum with stride i.
    for (let u = i; u <= max; u++) f[u] += f[u - i];
  }
  return cumulative(f.map((v) => Math.round(v)));
}

function cumulative(f: number[]): NullCounts {
  const cdf = new Array<number>(f.length);
  let s = 0;
  for (let u = 0; u < f.length; u++) cdf[u] = s += f[u];
  return { cdf, total: s };
}

/** P(stat ≤ u) under the exact null. */
export function nullCdf(c: NullCounts, u: number): number {
  if (u < 0) return 0;
  return c.cdf[Math.min(u, c.cdf.length - 1)] / c.total;
}

/** The largest c with P(stat ≤ c) ≤ tail (−1 when none). */
function criticalCount(c: NullCounts, tail: number): number {
  let k = -1;
  while (k + 1 < c.cdf.length && c.cdf[k + 1] / c.total <= tail + 1e-12) k++;
  return k;
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile of ${p}`);
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = (q: number) => {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
      ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  };
  if (p < 0.02425) return lowTail(p);
  if (p > 1 - 0.02425) return -lowTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t +
        0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** The interval from N sorted values and an exact or normal null. */
function interval(
  sorted: number[],
  level: number,
  exact: NullCounts | null,
  mean: number,
  sd: number,
): Omit<ShiftEstimate, "n"> {
  const N = sorted.length;
  const estimate = quantileSorted(sorted, 0.5);
  const tail = (1 - level) / 2;
  let c: number;
  let cover: (c: number) => number;
  if (exact) {
    c = criticalCount(exact, tail);
    cover = (k) => 1 - 2 * nullCdf(exact, k);
  } else {
    // Continuity-corrected: P(stat ≤ c) ≈ Φ((c + ½ − mean)/sd).
    c = Math.floor(mean + sd * normalQuantile(tail) - 0.5);
    cover = (k) => 1 - 2 * normalCdf((k + 0.5 - mean) / sd);
  }
  c = Math.max(0, Math.min(c, Math.floor((N - 1) / 2)));
  return {
    estimate,
    lo: sorted[c],
    hi: sorted[N - 1 - c],
    confidence: Math.max(0, cover(c)),
    method: exact ? "exact" : "normal",
  };
}

const EMPTY = (n: number): ShiftEstimate => ({
  estimate: NaN,
  lo: NaN,
  hi: NaN,
  confidence: 0,
  method: "exact",
  n,
});

/** Counts of the sign statistic (values below the median) for n values: C(n, k), k = 0..n. */
export function signCounts(n: number): NullCounts {
  const f = [1];
  for (let k = 1; k <= n; k++) f.push(f[k - 1] * (n - k + 1) / k);
  return cumulative(f.map((v) => Math.round(v)));
}

/**
 * The sample median with its distribution-free (sign-test) interval [x₍c+1₎, x₍n−c₎], c from the
 * Binomial(n, ½) tail (Conover, Practical Nonparametric Statistics, §3.2: n = 10 → x₍2₎, x₍9₎ at
 * 97.9%). Unlike the signed-rank interval, it ignores how far the extreme values lie: with n ≥ 9
 * at 95%, one seed at either end, however extreme, cannot move it.
 */
export function medianWithInterval(values: readonly number[], level = 0.95): ShiftEstimate {
  const x = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = x.length;
  if (n === 0) return EMPTY(0);
  const exact = n <= 1000 ? signCounts(n) : null;
  return { ...interval(x, level, exact, n / 2, Math.sqrt(n) / 2), n };
}

/** Hodges–Lehmann estimate of a paired (one-sample) location, with the signed-rank interval. */
export function pairedShift(diffs: readonly number[], level = 0.95): ShiftEstimate {
  const d = diffs.filter((v) => Number.isFinite(v));
  const n = d.length;
  if (n === 0) return EMPTY(0);
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((d[i] + d[j]) / 2);
  walsh.sort((a, b) => a - b);
  const N = walsh.length;
  const exact = n <= 200 ? signedRankCounts(n) : null;
  const sd = Math.sqrt(n * (n + 1) * (2 * n + 1) / 24);
  return { ...interval(walsh, level, exact, N / 2, sd), n };
}

/** Hodges–Lehmann estimate of the shift x − y, with the Mann–Whitney interval. */
export function twoSampleShift(
  x: readonly number[],
  y: readonly number[],
  level = 0.95,
): ShiftEstimate {
  const a = x.filter((v) => Number.isFinite(v));
  const b = y.filter((v) => Number.isFinite(v));
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return EMPTY(Math.min(m, n));
  const diffs: number[] = [];
  for (const u of a) for (const v of b) diffs.push(u - v);
  diffs.sort((p, q) => p - q);
  const exact = m * n <= 10_000 ? mannWhitneyCounts(Math.min(m, n), Math.max(m, n)) : null;
  const sd = Math.sqrt(m * n * (m + n + 1) / 12);
  return { ...interval(diffs, level, exact, m * n / 2, sd), n: Math.min(m, n) };
}
