/**
 * The large-n limit of the adaptive prunable fraction for iid Gaussian entries (the W_lay value of
 * the synthetic figure, docs/papers.md §B.8, ≈ 0.2655 at ε = 0.1).
 *
 * For x ~ N(0, 1), pruning every |x| < t removes the energy share E[x²; |x| < t] / E[x²] and the
 * fraction P(|x| < t) of the entries, so the limit is P(|x| < t*) with E[x²; |x| < t*] = ε².
 * (For SαS with α < 2 the variance is infinite and the limit is 1: the fraction grows with n.)
 */
import { integrate } from "../analysis/quadrature.ts";

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** P(|x| < t) for x ~ N(0, 1). */
function massWithin(t: number): number {
  return 2 * integrate(phi, 0, t);
}

/** E[x²; |x| < t] for x ~ N(0, 1). */
function energyWithin(t: number): number {
  return 2 * integrate((x) => x * x * phi(x), 0, t);
}

/** lim_{n→∞} of the adaptive prunable fraction of n iid Gaussians at relative error ε. */
export function gaussianPrunableFraction(epsilon: number): number {
  if (!(epsilon >= 0)) throw new RangeError(`epsilon: ${epsilon} must be ≥ 0`);
  if (epsilon === 0) return 0;
  if (epsilon >= 1) return 1;
  const target = epsilon * epsilon;
  let [lo, hi] = [0, 40];
  for (let i = 0; i < 200 && hi - lo > 1e-14; i++) {
    const mid = 0.5 * (lo + hi);
    if (energyWithin(mid) < target) lo = mid;
    else hi = mid;
  }
  return massWithin(0.5 * (lo + hi));
}
