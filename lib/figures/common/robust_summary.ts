/**
 * Summaries that one extreme seed cannot swing: the median and inter-quartile range beside the
 * mean ± sd, over the finite values of a group (per seed). Quartiles use linear interpolation
 * between order statistics (numpy's default, "type 7").
 */

export interface RobustSummary {
  n: number;
  median: number;
  /** First and third quartiles; their difference is the IQR. */
  q1: number;
  q3: number;
  mean: number;
  /** Sample standard deviation (0 for one value). */
  sd: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, interpolated linearly; NaN when empty. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in [0, 1]`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Finite values, sorted ascending. */
export function sortedFinite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

export function medianOf(values: readonly number[]): number {
  return quantileSorted(sortedFinite(values), 0.5);
}

export function robustSummary(values: readonly number[]): RobustSummary {
  const s = sortedFinite(values);
  const n = s.length;
  if (n === 0) return { n: 0, median: NaN, q1: NaN, q3: NaN, mean: NaN, sd: NaN };
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return {
    n,
    median: quantileSorted(s, 0.5),
    q1: quantileSorted(s, 0.25),
    q3: quantileSorted(s, 0.75),
    mean,
    sd,
  };
}

/** "median [q1, q3]; mean ± sd (n = k)", or "–" for no values. */
export function formatRobust(r: RobustSummary, digits = 1): string {
  if (r.n === 0) return "–";
  const f = (v: number) => v.toFixed(digits);
  if (r.n === 1) return `${f(r.median)} (n = 1)`;
  return `median ${f(r.median)} [IQR ${f(r.q1)}–${f(r.q3)}]; mean ${f(r.mean)} ± ${f(r.sd)} ` +
    `(n = ${r.n})`;
}
