/**
 * The samplers' tails, not just their bodies. A KS or CDF test on n draws never looks past
 * probability ~1/n; here the counts beyond fixed far thresholds are compared with the exact law's
 * Poisson expectation, and a conditional test feeds the samplers uniforms already deep in the
 * tail (t < 2^-32) so that probabilities down to ~2^-52 are checked with 2^20 draws.
 *
 * The uniforms used until the tail fix (an odd multiple of 2^-24 from one word) capped every
 * Cauchy draw at 2^24/π ≈ 5.34·10^6: 2^27 draws of the exact law put about 14 beyond 6·10^6, and
 * that sampler put none there (the first test fails on it).
 */
import assert from "node:assert/strict";
import { mapWords } from "../helpers.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { streamNoise, streamStable } from "../../lib/noise/sample.ts";
import { positiveHalfFromWords, sasBound, sasFromWords } from "../../lib/reference/stable.ts";
import {
  poissonTails,
  positiveStableTail,
  sasTwoSidedTail,
} from "../../lib/analysis/stable_tail.ts";
import { sasCdfNolan } from "../../lib/analysis/stable_cdf.ts";
import { integrate } from "../../lib/analysis/quadrature.ts";
import { philox4x32_10 } from "../../lib/rng/philox.ts";

/** A count is consistent with Poisson(μ) when both one-sided tail probabilities exceed this. */
const P_MIN = 1e-5;

type Stream = (onChunk: (x: Float32Array) => void) => Promise<void>;

/** How many |x| exceed each threshold. */
async function countBeyond(stream: Stream, thresholds: number[]): Promise<number[]> {
  const counts = thresholds.map(() => 0);
  await stream((x) => {
    for (let i = 0; i < x.length; i++) {
      const v = Math.abs(x[i]);
      for (let k = 0; k < thresholds.length; k++) if (v > thresholds[k]) counts[k]++;
    }
  });
  return counts;
}

/** The x with n·tail(x) = mu (bisection in log x; tail decreasing). */
function thresholdFor(tail: (x: number) => number, n: number, mu: number): number {
  let [lo, hi] = [Math.log(2), Math.log(1e30)];
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (n * tail(Math.exp(mid)) > mu) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Counts beyond thresholds placed at expected counts `mus`, checked against Poisson. */
async function checkTail(
  what: string,
  stream: Stream,
  tail: (x: number) => number,
  n: number,
  mus: number[],
  extra: number[] = [],
): Promise<void> {
  const xs = [...mus.map((mu) => thresholdFor(tail, n, mu)), ...extra];
  const counts = await countBeyond(stream, xs);
  const lines: string[] = [];
  let ok = true;
  xs.forEach((x, k) => {
    const mu = n * tail(x);
    const { below, above } = poissonTails(counts[k], mu);
    const good = below > P_MIN && above > P_MIN;
    ok &&= good;
    lines.push(`|x| > ${x.toPrecision(4)}: ${counts[k]} vs Poisson mean ${mu.toFixed(2)}`);
  });
  assert.ok(ok, `${what}:\n  ${lines.join("\n  ")}`);
}

Deno.test("tail series agree with Nolan's CDF (SαS) and with the Lévy law (a = 1/2)", () => {
  for (const alpha of [1.5, 1.75, 1.9]) {
    // The series' error falls like x^{−4α}; Nolan's 1 − F keeps digits only up to x ≈ 20.
    for (const [x, tol] of [[10, 2e-4], [20, 1e-6]]) {
      const nolan = 2 * (1 - sasCdfNolan(alpha, x));
      const series = sasTwoSidedTail(alpha, x);
      assert.ok(Math.abs(series / nolan - 1) < tol, `α=${alpha} x=${x}: ${series} vs ${nolan}`);
    }
  }
  // E e^{−sA} = e^{−√s} is the Lévy law with P(A > x) = erf(1/(2√x)).
  const erfSmall = (z: number) => (2 / Math.sqrt(Math.PI)) * (z - z ** 3 / 3 + z ** 5 / 10);
  for (const x of [1e3, 1e6, 1e12]) {
    const want = erfSmall(1 / (2 * Math.sqrt(x)));
    const got = positiveStableTail(0.5, x);
    assert.ok(Math.abs(got / want - 1) < 1e-7, `a=1/2 x=${x}: ${got} vs ${want}`);
  }
  // Poisson tails: P(N ≤ 0) = e^{−μ}.
  assert.ok(Math.abs(poissonTails(0, 7).below - Math.exp(-7)) < 1e-15);
  assert.ok(Math.abs(poissonTails(3, 2).above - (1 - 5 * Math.exp(-2))) < 1e-12); // 1 − P(0, 1, 2)
});

Deno.test("Cauchy: 2^27 draws beyond 6·10^6 (past the old 2^-24 grid's bound) match Poisson", async () => {
  const gpu = await Gpu.shared();
  const n = 2 ** 27;
  const stream: Stream = (f) => streamStable(gpu, n, { kind: "sas", alpha: 1, seed: 31 }, f);
  await checkTail("Cauchy", stream, (x) => sasTwoSidedTail(1, x), n, [1000, 100], [6e6]);
});

const n26 = 2 ** 26;
const ALPHA = 1.75;

Deno.test("Type II (iid SαS), α = 1.75: 2^26 draws, counts beyond far thresholds match Poisson", async () => {
  const gpu = await Gpu.shared();
  const spec = { type: 2 as const, alpha: ALPHA, sigma: 1 };
  const stream: Stream = (f) => streamNoise(gpu, { spec, rows: n26 / 64, cols: 64, seed: 41 }, f);
  await checkTail("Type II", stream, (x) => sasTwoSidedTail(ALPHA, x), n26, [1000, 100, 10]);
});

Deno.test("Type I (one SαS per unit), α = 1.75: 2^26 units, tail counts match Poisson", async () => {
  const gpu = await Gpu.shared();
  const spec = { type: 1 as const, alpha: ALPHA, sigma: 1 };
  const stream: Stream = (f) => streamNoise(gpu, { spec, rows: n26, cols: 1, seed: 42 }, f);
  await checkTail("Type I", stream, (x) => sasTwoSidedTail(ALPHA, x), n26, [1000, 100, 10]);
});

Deno.test("Type III (√A·G), α = 1.75: 2^26 draws are SαS with scale 2^-1/2 in the tail", async () => {
  const gpu = await Gpu.shared();
  const spec = { type: 3 as const, alpha: ALPHA, sigma: 1 };
  // One column: each draw has its own A (row factor) and its own G.
  const stream: Stream = (f) => streamNoise(gpu, { spec, rows: n26, cols: 1, seed: 43 }, f);
  // E e^{itX} = E e^{−t²A/2} = exp(−|t|^α·2^{−α/2}): X = Z/√2 with Z ~ SαS(α, 1).
  const tail = (x: number) => sasTwoSidedTail(ALPHA, Math.SQRT2 * x);
  await checkTail("Type III", stream, tail, n26, [1000, 100, 10]);
});

Deno.test("subordinator A (Laplace exp(−s^{α/2})), α = 1.75: 2^26 draws, tail counts match Poisson", async () => {
  const gpu = await Gpu.shared();
  const stream: Stream = (f) =>
    streamStable(gpu, n26, { kind: "positive", alpha: ALPHA, seed: 44 }, f);
  await checkTail("A", stream, (x) => positiveStableTail(ALPHA / 2, x), n26, [1000, 100, 10]);
});

// ---------------------------------------------------------------------------------------------
// Conditional tails: u1 forced into t < 2^-32 (the top 31 bits of its 63-bit R zero, the rest
// Philox), u2 free. Given t uniform on (0, ε), the law of the sample is known in closed form up to
// one integral over t, so 2^20 draws check probabilities of the unconditional law down to ~2^-52.

const EPS = 2 ** -32;
const N_COND = 2 ** 20;

function conditionedWords(seed: number): Uint32Array {
  const q = new Uint32Array(4 * N_COND);
  for (let i = 0; i < N_COND; i++) {
    const r = philox4x32_10([i, 0, 0, 0], [seed, 0x5a17]);
    q.set([r[0] & 0x80000000, r[1], r[2], r[3]], 4 * i);
  }
  return q;
}

/** (1/ε)∫₀^ε f(t) dt with t = ε·e^{−s}: smooth in s, negligible beyond s = 60. */
const averageOverT = (f: (t: number) => number) =>
  integrate((s) => f(EPS * Math.exp(-s)) * Math.exp(-s), 0, 60);

/** Checks counts of `x` beyond thresholds at conditional probabilities `ps` (5-sigma binomial). */
function checkConditional(what: string, x: Float32Array, prob: (v: number) => number) {
  const lines: string[] = [];
  let ok = true;
  for (const p of [0.5, 0.1, 0.01, 0.001]) {
    // Threshold with conditional exceedance p (bisection in log x).
    let [lo, hi] = [0, 200];
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (prob(Math.exp(mid)) > p) lo = mid;
      else hi = mid;
    }
    const thr = Math.exp((lo + hi) / 2);
    const want = prob(thr) * x.length;
    let got = 0;
    for (const v of x) if (Math.abs(v) > thr) got++;
    const sd = Math.sqrt(want * (1 - want / x.length));
    ok &&= Math.abs(got - want) < 5 * sd;
    lines.push(`|x| > ${thr.toPrecision(4)}: ${got} vs ${want.toFixed(1)} ± ${sd.toFixed(1)}`);
  }
  assert.ok(ok, `${what}:\n  ${lines.join("\n  ")}`);
}

Deno.test("SαS α = 1.75 given u1 within 2^-32 of an end: law of |X| down to probability 2^-52", async () => {
  const gpu = await Gpu.shared();
  const q = conditionedWords(51);
  const x = await mapWords(gpu, "map_sas", ALPHA, q);
  // |X| = K(t)·W^{(α−1)/α}, |V| = π(½ − t): P(|X| > x | t) = exp(−(x/K)^{α/(α−1)}).
  const e = ALPHA / (ALPHA - 1);
  const K = (t: number) => {
    const v = Math.PI * (0.5 - t);
    return Math.sin(ALPHA * v) / Math.sin(Math.PI * t) ** (1 / ALPHA) *
      Math.cos((1 - ALPHA) * v) ** ((1 - ALPHA) / ALPHA);
  };
  const prob = (thr: number) => averageOverT((t) => Math.exp(-((thr / K(t)) ** e)));
  checkConditional("SαS | t < 2^-32", x, prob);
  // The CPU twin agrees draw by draw on these words too.
  for (let i = 0; i < 2000; i++) {
    const ref = sasFromWords(ALPHA, q.subarray(4 * i, 4 * i + 4));
    assert.ok(Math.abs(x[i] - ref) <= 1e-4 * Math.abs(ref), `draw ${i}: ${x[i]} vs ${ref}`);
  }
});

Deno.test("subordinator α = 1.75 given u1 within 2^-32 of an end: conditional law of A", async () => {
  const gpu = await Gpu.shared();
  const q = conditionedWords(52);
  const x = await mapWords(gpu, "map_positive", ALPHA, q);
  // A = K·W^{−b/a}: P(A > x | u1) = 1 − exp(−(K/x)^{a/b}); u1 = t or 1 − t with probability ½.
  const a = ALPHA / 2;
  const b = 1 - a;
  const K = (u: number, oneMinusU: number) =>
    Math.sin(Math.PI * a * u) / Math.sin(Math.PI * Math.min(u, oneMinusU)) ** (1 / a) *
    Math.sin(Math.PI * b * u) ** (b / a);
  const p = (k: number, thr: number) => -Math.expm1(-((k / thr) ** (a / b)));
  const prob = (thr: number) =>
    averageOverT((t) => 0.5 * (p(K(t, 1 - t), thr) + p(K(1 - t, t), thr)));
  checkConditional("A | t < 2^-32", x, prob);
  for (let i = 0; i < 2000; i++) {
    const ref = positiveHalfFromWords(ALPHA, q.subarray(4 * i, 4 * i + 4));
    assert.ok(Math.abs(x[i] - ref) <= 1e-4 * ref, `draw ${i}: ${x[i]} vs ${ref}`);
  }
});

Deno.test("the remaining bound on |X| is beyond anything 10^13 draws of the exact law reach", () => {
  // The old grid's caps, for comparison: 5.34e6 at α = 1, 13,466 at α = 1.75.
  const expected: [number, number][] = [[1, 1.2e19], [1.5, 1.5e13], [1.75, 2.3e11], [1.9, 2.5e10]];
  for (const [alpha, approx] of expected) {
    const bound = sasBound(alpha);
    assert.ok(Math.abs(bound / approx - 1) < 0.05, `α=${alpha}: bound ${bound} vs ~${approx}`);
    const p = sasTwoSidedTail(alpha, bound);
    assert.ok(p * 1e13 < 1e-6, `α=${alpha}: P(|X| > ${bound}) = ${p} per draw`);
  }
  // α = 2: 2·√W·|sin V| ≤ 2·√45.06 = 13.4, i.e. 9.5 standard deviations of N(0, 2).
  assert.ok(Math.abs(sasBound(2) - 2 * Math.sqrt(45.0546)) < 1e-3);
});
