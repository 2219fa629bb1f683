/**
 * Tail-index estimators (2106.03795, docs/papers.md §B.4). All arithmetic is f64.
 *
 * Block-sum estimator of Mohammadi, Mohammadpour & Ohlsson (2014): if X_1..X_N are iid α-stable
 * (symmetric, or vectors with an α-stable norm law) then a sum of K1 of them is K1^{1/α} times one
 * of them in law, so E log|sum| − E log|X| = (log K1)/α. With the N samples cut into K2 = N/K1
 * consecutive blocks with sums Y_i:
 *   1/α̂ = (mean_i log|Y_i| − mean_j log|X_j|) / log K1,
 * with |·| the Euclidean norm for vectors (rows). A tiny ε inside each log guards exact zeros.
 *
 * The reported estimate takes the median of α̂ over several block sizes K1 (`blockSizeCandidates`)
 * and caps it at 2, the largest possible stable index.
 */
import { philox4x32_10 } from "../rng/philox.ts";
import { median, type Samples } from "./median.ts";

/** Added inside every log (f64 machine epsilon). */
export const LOG_EPS = Number.EPSILON;
/** The largest tail index of a stable law: estimates are capped here. */
export const ALPHA_CAP = 2;
/** Block sizes tried before they are snapped to divisors of N. */
export const BLOCK_SIZE_SEEDS: readonly number[] = [2, 5, 10, 20, 50, 100, 500, 1000];
/** RNG stream of the optional random permutations (key = (seed, stream)). */
export const PERMUTATION_STREAM = 0x5000;

/** The largest divisor of n that is ≤ m (1 when nothing larger divides n). */
export function largestDivisorAtMost(n: number, m: number): number {
  for (let d = Math.min(Math.floor(m), n); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/**
 * Block sizes for N samples: each seed c ≤ N/2 is replaced by the largest divisor of N not above
 * it, duplicates dropped, and the largest divisor ≤ ⌊√N⌋ added if missing. Sizes below 2 are
 * dropped (they carry no information). E.g. N = 784 gives 2, 4, 8, 16, 49, 98, 28.
 */
export function blockSizeCandidates(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: ${n} must be a positive integer`);
  const out: number[] = [];
  for (const c of BLOCK_SIZE_SEEDS) {
    if (c > n / 2) continue;
    const k = largestDivisorAtMost(n, c);
    if (k >= 2 && !out.includes(k)) out.push(k);
  }
  out.sort((a, b) => a - b);
  const root = largestDivisorAtMost(n, Math.floor(Math.sqrt(n)));
  if (root >= 2 && !out.includes(root)) out.push(root);
  return out;
}

function checkBlock(n: number, k1: number): void {
  if (!Number.isInteger(k1) || k1 < 2 || n % k1 !== 0) {
    throw new Error(`k1: block size ${k1} must be an integer ≥ 2 dividing N = ${n}`);
  }
}

/** mean_j log(|x_j| + ε). */
function meanLogAbs(x: Samples): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.log(Math.abs(x[i]) + LOG_EPS);
  return s / x.length;
}

/** The univariate block-sum (MMO 2014) estimate of α for one block size `k1` (must divide N). */
export function mmoAlpha(x: Samples, k1: number): number {
  checkBlock(x.length, k1);
  return mmoFromMeanLog(x, k1, meanLogAbs(x));
}

function mmoFromMeanLog(x: Samples, k1: number, meanLogX: number): number {
  const k2 = x.length / k1;
  let s = 0;
  for (let i = 0; i < k2; i++) {
    let y = 0;
    for (let j = i * k1; j < (i + 1) * k1; j++) y += x[j];
    s += Math.log(Math.abs(y) + LOG_EPS);
  }
  return Math.log(k1) / (s / k2 - meanLogX);
}

function checkRows(x: Samples, n: number, d: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1 || x.length !== n * d) {
    throw new Error(`shape ${n}×${d} does not match ${x.length} values`);
  }
}

/** mean_i log(‖row_i‖₂ + ε) of a row-major n×d matrix. */
function meanLogNorm(x: Samples, n: number, d: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let j = i * d; j < (i + 1) * d; j++) q += x[j] * x[j];
    s += Math.log(Math.sqrt(q) + LOG_EPS);
  }
  return s / n;
}

/**
 * Multivariate block-sum estimate for the n rows (d-vectors) of a row-major matrix: blocks of `k1`
 * consecutive rows are summed and Euclidean norms replace absolute values.
 */
export function mmoAlphaRows(x: Samples, n: number, d: number, k1: number): number {
  checkRows(x, n, d);
  checkBlock(n, k1);
  return mmoRowsFromMeanLog(x, n, d, k1, meanLogNorm(x, n, d));
}

function mmoRowsFromMeanLog(
  x: Samples,
  n: number,
  d: number,
  k1: number,
  meanLogX: number,
): number {
  const k2 = n / k1;
  const y = new Float64Array(d);
  let s = 0;
  for (let b = 0; b < k2; b++) {
    y.fill(0);
    for (let i = b * k1; i < (b + 1) * k1; i++) {
      for (let j = 0; j < d; j++) y[j] += x[i * d + j];
    }
    let q = 0;
    for (let j = 0; j < d; j++) q += y[j] * y[j];
    s += Math.log(Math.sqrt(q) + LOG_EPS);
  }
  return Math.log(k1) / (s / k2 - meanLogX);
}

export interface EstimateOptions {
  /** Block sizes (default `blockSizeCandidates(N)`); each must divide N. */
  candidates?: number[];
  /** Upper cap of the estimate (default 2). */
  cap?: number;
  /**
   * Median over this many random row orders (Philox-driven Fisher–Yates keyed by `seed`), as the
   * authors do with 5; 0 (default) uses the data in the given order.
   */
  permutations?: number;
  seed?: number;
}

export interface AlphaEstimate {
  /** min(median over block sizes, cap); with permutations, the median of those. */
  alpha: number;
  /** Block size → α̂ (of the data in the given order). */
  perBlockSize: { k1: number; alpha: number }[];
}

/** A random permutation of 0..n−1 (Fisher–Yates; index i's swap uses counter (i, draw, 0, 0)). */
export function randomPermutation(n: number, seed: number, draw: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const [w0, w1] = philox4x32_10([i, draw, 0, 0], [seed >>> 0, PERMUTATION_STREAM]);
    const u = (w0 * 2 ** 21 + (w1 >>> 11)) / 2 ** 53; // 53 random bits in [0, 1)
    const j = Math.floor(u * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function permuteRows(x: Samples, n: number, d: number, perm: Uint32Array): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = x[perm[i] * d + j];
  }
  return out;
}

function capped(values: number[], cap: number): number {
  return Math.min(median(values), cap);
}

/** Rows version of `estimateAlphaDetail` (N = n rows of dimension d). */
export function estimateAlphaRowsDetail(
  x: Samples,
  n: number,
  d: number,
  opts: EstimateOptions = {},
): AlphaEstimate {
  checkRows(x, n, d);
  const candidates = opts.candidates ?? blockSizeCandidates(n);
  if (candidates.length === 0) {
    throw new Error(`N = ${n} has no divisor ≥ 2 to use as a block size; drop a sample or two`);
  }
  candidates.forEach((k) => checkBlock(n, k));
  const cap = opts.cap ?? ALPHA_CAP;
  const run = (data: Samples) => {
    const ml = d === 1 ? meanLogAbs(data) : meanLogNorm(data, n, d);
    return candidates.map((k1) => ({
      k1,
      alpha: d === 1 ? mmoFromMeanLog(data, k1, ml) : mmoRowsFromMeanLog(data, n, d, k1, ml),
    }));
  };
  const perBlockSize = run(x);
  const perms = opts.permutations ?? 0;
  if (!Number.isInteger(perms) || perms < 0) {
    throw new Error(`permutations: ${perms} must be a non-negative integer`);
  }
  if (perms === 0) return { alpha: capped(perBlockSize.map((e) => e.alpha), cap), perBlockSize };
  const estimates: number[] = [];
  for (let p = 0; p < perms; p++) {
    const shuffled = permuteRows(x, n, d, randomPermutation(n, opts.seed ?? 0, p));
    estimates.push(capped(run(shuffled).map((e) => e.alpha), cap));
  }
  return { alpha: median(estimates), perBlockSize };
}

/** Univariate α̂ with the block-size candidates, their median and the cap at 2. */
export function estimateAlphaDetail(x: Samples, opts: EstimateOptions = {}): AlphaEstimate {
  return estimateAlphaRowsDetail(x, x.length, 1, opts);
}

/** α̂ = min(median over block sizes of `mmoAlpha`, 2). */
export function estimateAlpha(x: Samples, opts: EstimateOptions = {}): number {
  return estimateAlphaDetail(x, opts).alpha;
}

/** α̂ of the n rows (d-vectors) of a row-major matrix = min(median of `mmoAlphaRows`, 2). */
export function estimateAlphaRows(
  x: Samples,
  n: number,
  d: number,
  opts: EstimateOptions = {},
): number {
  return estimateAlphaRowsDetail(x, n, d, opts).alpha;
}

/** |x| sorted ascending, as f64 logs log(|x| + ε). */
function sortedLogAbs(x: Samples): Float64Array {
  const y = Float64Array.from(x, (v) => Math.abs(v)).sort();
  for (let i = 0; i < y.length; i++) y[i] = Math.log(y[i] + LOG_EPS);
  return y;
}

/** Default number of upper order statistics for Hill: ⌊√N⌋. */
export function defaultHillK(n: number): number {
  return Math.max(1, Math.floor(Math.sqrt(n)));
}

function hillFromSortedLogs(logY: Float64Array, k: number): number {
  const n = logY.length;
  if (!Number.isInteger(k) || k < 1 || k >= n) {
    throw new Error(`k: ${k} must be an integer in [1, N − 1] (N = ${n})`);
  }
  const threshold = logY[n - k - 1];
  let s = 0;
  for (let i = n - k; i < n; i++) s += logY[i] - threshold;
  return 1 / (s / k);
}

/**
 * Hill (1975) estimate from the k largest |x|: 1/α̂ = mean of log|x|_(i) − log|x|_(k+1) over the
 * top k order statistics. Default k = ⌊√N⌋.
 */
export function hillAlpha(x: Samples, k: number = defaultHillK(x.length)): number {
  return hillFromSortedLogs(sortedLogAbs(x), k);
}

/** Hill over the block-size candidates (as k), then median and cap (the authors' alternate). */
export function estimateHillAlpha(x: Samples, opts: { candidates?: number[]; cap?: number } = {}) {
  const logY = sortedLogAbs(x);
  const candidates = (opts.candidates ?? blockSizeCandidates(x.length)).filter((k) => k < x.length);
  if (candidates.length === 0) throw new Error(`N = ${x.length} gives no usable k`);
  return capped(candidates.map((k) => hillFromSortedLogs(logY, k)), opts.cap ?? ALPHA_CAP);
}
