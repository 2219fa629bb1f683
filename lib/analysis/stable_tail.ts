/**
 * Tail probabilities of the stable laws the noise samplers draw, far beyond where a CDF computed
 * as 1 − F keeps any digits, and the Poisson law of exceedance counts. Used to test that the
 * samplers' extremes follow the exact law (tests/gpu/noise_stable_tail_test.ts).
 *
 * Both tails come from the convergent or asymptotic series of the stable densities (Zolotarev 1986,
 * §2.4; Nolan, "Univariate Stable Distributions", 2020, §3.10), integrated term by term:
 *   SαS(α, 1):      P(X > x) = (1/π) Σ_k (−1)^{k+1} Γ(αk)/k! · sin(kπα/2) · x^{−αk},
 *   positive a < 1, E e^{−sA} = exp(−s^a):
 *                   P(A > x) = (1/π) Σ_k (−1)^{k+1} Γ(ak)/k! · sin(kπa) · x^{−ak}.
 * The first is asymptotic for α > 1 (its terms shrink like x^{−αk} only for large x), the second
 * converges for every x > 0; `TAIL_TERMS` terms give relative accuracy near x^{−4α} at the x ≥ 50
 * where the tests use them.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients; relative error below 1e-14). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: ${x} must be positive`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = c[0];
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

const TAIL_TERMS = 4;

function seriesTail(index: number, angle: number, x: number): number {
  let sum = 0;
  for (let k = 1; k <= TAIL_TERMS; k++) {
    const term = Math.exp(logGamma(index * k) - logGamma(k + 1) - index * k * Math.log(x)) *
      Math.sin(k * angle);
    sum += k % 2 === 1 ? term : -term;
  }
  return sum / Math.PI;
}

/** P(|X| > x) for X ~ SαS(α, 1), E e^{itX} = exp(−|t|^α), 0 < α < 2, x large (see above). */
export function sasTwoSidedTail(alpha: number, x: number): number {
  if (!(alpha > 0 && alpha < 2)) throw new RangeError(`alpha: ${alpha} must be in (0, 2)`);
  if (!(x > 0)) throw new RangeError(`x: ${x} must be positive`);
  if (alpha === 1) return (2 / Math.PI) * Math.atan(1 / x); // Cauchy, exact
  return 2 * seriesTail(alpha, (Math.PI * alpha) / 2, x);
}

/** P(A > x) for the positive a-stable A with E e^{−sA} = exp(−s^a), 0 < a < 1. */
export function positiveStableTail(a: number, x: number): number {
  if (!(a > 0 && a < 1)) throw new RangeError(`a: ${a} must be in (0, 1)`);
  if (!(x > 0)) throw new RangeError(`x: ${x} must be positive`);
  return seriesTail(a, Math.PI * a, x);
}

/** ln P(N = k) for N ~ Poisson(mu). */
function poissonLogPmf(k: number, mu: number): number {
  return k * Math.log(mu) - mu - logGamma(k + 1);
}

/**
 * P(N ≤ count) and P(N ≥ count) for N ~ Poisson(mu): an observed exceedance count is consistent
 * with the law when both exceed a small p.
 */
export function poissonTails(count: number, mu: number): { below: number; above: number } {
  if (!(mu > 0) || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`poissonTails(${count}, ${mu})`);
  }
  // Sum the pmf outward from the count, in the direction of the smaller side, to keep precision.
  let below = 0;
  for (let k = count; k >= 0; k--) {
    const p = Math.exp(poissonLogPmf(k, mu));
    below += p;
    if (k < mu && p < below * 1e-17) break;
  }
  let above = 0;
  for (let k = count;; k++) {
    const p = Math.exp(poissonLogPmf(k, mu));
    above += p;
    if (k > mu && p < above * 1e-17) break;
  }
  return { below: Math.min(1, below), above: Math.min(1, above) };
}
