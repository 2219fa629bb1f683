/**
 * A first-order prediction of how often a run collapses (collapse.ts), from the stable tail
 * alone. A collapse needs one noise draw big enough that the unit it hits holds ≥ 90% of the
 * first layer's ‖W‖²_F: then every other unit fits mce's 10% error budget and is pruned. With
 * s = σ·lr^{1/α}, ‖W‖ the layer's Frobenius norm (taken at initialisation, U(±1/√d):
 * ‖W‖² ≈ n/3), d inputs, n units and K steps, the jump of one draw and the draws of a run are
 *
 *   Type I   (one SαS scalar per unit and step, added to all d weights): jump² = s²Z²·d,
 *            collapse when |Z| > 3‖W‖/(s√d); n·K draws;
 *   Type II  (one SαS per weight and step): jump² = s²Z², |Z| > 3‖W‖/s; n·d·K draws;
 *   Type III (√A·G per unit and step, A positive (α/2)-stable, G ~ N(0, I_d), ‖G‖² ≈ d):
 *            jump² ≈ s²·A·d, A > 9‖W‖²/(s²d); n·K draws;
 *
 * per draw p = P(|Z| > x) (or P(A > a)) from the exact tails (analysis/stable_tail.ts), and per
 * run P = 1 − (1 − p)^draws. It ignores training (a jump on a weight the gradient pulls back
 * shrinks; one on a pixel that is always 0 stays) and treats the 90% share as the only route, so
 * it is an order of magnitude, to set against the observed rate, not a fit.
 */
import { positiveStableTail, sasTwoSidedTail } from "../../analysis/stable_tail.ts";

export interface CollapseModelInput {
  type: 1 | 2 | 3;
  alpha: number;
  sigma: number;
  lr: number;
  /** Hidden units n, inputs d, training steps K. */
  width: number;
  inputs: number;
  steps: number;
}

export interface CollapsePrediction {
  /** Noise scale per step s = σ·lr^{1/α}. */
  scale: number;
  /** ‖W‖_F assumed (at initialisation). */
  weightNorm: number;
  /** The draw (|Z|, or A for Type III) beyond which one draw collapses the run. */
  threshold: number;
  /** P(one draw beyond the threshold). */
  perDraw: number;
  draws: number;
  /** P(the run collapses) = 1 − (1 − perDraw)^draws. */
  perRun: number;
}

/** The share of ‖W‖²_F one unit must hold for mce at 10% error to prune all the others. */
export const COLLAPSE_SHARE = 0.9;

export function predictCollapse(m: CollapseModelInput): CollapsePrediction {
  if (!(m.alpha > 0 && m.alpha < 2)) throw new RangeError(`alpha ${m.alpha} must be in (0, 2)`);
  for (const [k, v] of Object.entries({ sigma: m.sigma, lr: m.lr, width: m.width })) {
    if (!(v > 0)) throw new RangeError(`${k} ${v} must be > 0`);
  }
  if (!(m.inputs >= 1 && m.steps >= 0)) throw new RangeError("inputs ≥ 1 and steps ≥ 0");
  const scale = m.sigma * m.lr ** (1 / m.alpha);
  const weightNorm = Math.sqrt(m.width / 3);
  const ratio = Math.sqrt(COLLAPSE_SHARE / (1 - COLLAPSE_SHARE)); // jump / ‖W‖ = 3
  const jump = ratio * weightNorm / scale; // |Z| for Type II
  let threshold: number;
  let perDraw: number;
  let draws: number;
  if (m.type === 2) {
    threshold = jump;
    perDraw = sasTwoSidedTail(m.alpha, threshold);
    draws = m.width * m.inputs * m.steps;
  } else if (m.type === 1) {
    threshold = jump / Math.sqrt(m.inputs);
    perDraw = sasTwoSidedTail(m.alpha, threshold);
    draws = m.width * m.steps;
  } else {
    threshold = jump * jump / m.inputs;
    perDraw = positiveStableTail(m.alpha / 2, threshold);
    draws = m.width * m.steps;
  }
  perDraw = Math.min(1, Math.max(0, perDraw));
  // 1 − (1 − p)^N without cancellation for tiny p.
  const perRun = -Math.expm1(draws * Math.log1p(-Math.min(perDraw, 1 - 1e-16)));
  return { scale, weightNorm, threshold, perDraw, draws, perRun };
}

/**
 * Two-sided exact binomial test of `k` events in `n` trials against probability `p`: the summed
 * probability of every count no more likely than `k` (1 when n = 0).
 */
export function binomialTwoSided(k: number, n: number, p: number): number {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n)) {
    throw new RangeError(`binomialTwoSided: ${k} of ${n} is not a count`);
  }
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialTwoSided: p = ${p}`);
  if (n === 0) return 1;
  const pmf = (j: number) => {
    if (p === 0) return j === 0 ? 1 : 0;
    if (p === 1) return j === n ? 1 : 0;
    let logC = 0;
    for (let i = 1; i <= j; i++) logC += Math.log((n - j + i) / i);
    return Math.exp(logC + j * Math.log(p) + (n - j) * Math.log1p(-p));
  };
  const observed = pmf(k);
  let sum = 0;
  for (let j = 0; j <= n; j++) {
    const q = pmf(j);
    if (q <= observed * (1 + 1e-7)) sum += q;
  }
  return Math.min(1, sum);
}
