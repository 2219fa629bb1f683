/**
 * CPU twins (f64) of the samplers in kernels/stable.wgsl. Same formulas and the same Philox words,
 * so GPU and CPU differ only by f32 rounding and the GPU's transcendental functions.
 *
 * SαS(α, 1), E e^{itX} = exp(−|t|^α), by Chambers–Mallows–Stuck with β = 0:
 *   V = π(u₁ − ½), W = −log u₂, X = sin(αV)/cos(V)^{1/α} · (cos((1−α)V)/W)^{(1−α)/α}.
 * Positive (α/2)-stable, E e^{−sA} = exp(−s^{α/2}) (Kanter's representation, a = α/2 < 1):
 *   U = πu₁, A = sin(aU)/sin(U)^{1/a} · (sin((1−a)U)/W)^{(1−a)/a}.
 * (A parametrisation with a scale c = cos(πa/2)^{1/a} = cos(πα/4)^{2/α} in front is the same law.)
 *
 * Each sampler takes one Philox draw (four words): u₁ from words 0–1 and u₂ = e^{−W} from words
 * 2–3, both by `unitHalf64` (relative resolution down to 2⁻⁶⁴ at either end of (0, 1)), so the
 * tails are those of the exact law up to events of probability about 2⁻⁶³ per draw; see
 * `SAS_BOUND` for the largest |X| that remain reachable.
 */
import { isUpperHalf, unitFloat, unitHalf64 } from "../rng/philox.ts";

/** One Philox draw: four u32 words. */
export type Words4 = ArrayLike<number>;

/** exp(88) ≈ 1.65e38, below the largest f32; exp(−87) is above the smallest normal f32. */
export const LOG_MAX = 88;
export const LOG_MIN_POSITIVE = -87;
/** The samplers treat α below this as this (1/α would overflow f32; the law is saturated). */
export const ALPHA_MIN = 1e-6;
/** Largest index a = α/2 of the positive sampler, 1 − 2⁻²⁴ (so 1 − a > 0 exactly in f32). */
export const A_MAX = 1 - 2 ** -24;

/** sin(πx) for x ∈ [0, ½]. */
export function sinPi(x: number): number {
  return Math.sin(Math.PI * x);
}

/** −log u for the uniform u = t (lower half) or 1 − t (upper half) of `unitHalf64`. */
export function negLogHalf(t: number, upper: boolean): number {
  return upper ? -Math.log1p(-t) : -Math.log(t);
}

/** W = −log u₂ ~ Exp(1) from words 2–3 of a draw (twin of `stable_exponential`). */
export function exponentialFromWords(r: Words4): number {
  return negLogHalf(unitHalf64(r[2], r[3]), isUpperHalf(r[2]));
}

/** The f32 value the kernels see for a parameter passed as f32. */
const f32 = Math.fround;

/**
 * SαS(α, 1) from one Philox draw: u₁ from words 0–1, u₂ from words 2–3 (twin of `stable_sas`).
 * Works on m = min(u₁, 1 − u₁) (cos V = sin πm) and h = ½ − m = |V|/π, so no cancellation near
 * V = ±π/2, α = 1 or α = 2; the magnitude is formed in log space and capped at e^88.
 */
export function sasFromWords(alpha: number, r: Words4): number {
  const a = Math.max(f32(alpha), ALPHA_MIN);
  const m = unitHalf64(r[0], r[1]);
  const h = 0.5 - m;
  const w = exponentialFromWords(r);
  const c = Math.abs(1 - a);
  const sinAV = sinPi(Math.min(a * h, (1 - 0.5 * a) + a * m)); // sin(α|V|)
  const cosV = sinPi(m);
  const cos1AV = sinPi(0.5 * (1 - c) + c * m); // cos((1−α)V)
  const logX = Math.log(sinAV) - Math.log(cosV) / a +
    ((1 - a) / a) * (Math.log(cos1AV) - Math.log(w));
  const mag = Math.exp(Math.min(logX, LOG_MAX));
  return isUpperHalf(r[0]) ? mag : -mag;
}

/** sin(πx) for x ∈ (0, 1), with 1 − x given separately (no cancellation). */
function sinPi01(x: number, oneMinusX: number): number {
  return sinPi(Math.min(x, oneMinusX));
}

/**
 * Positive stable of index α/2 with Laplace transform exp(−s^{α/2}), 0 < α < 2, from one Philox
 * draw (twin of `stable_positive_half`). Always in [e^−87, e^88].
 */
export function positiveHalfFromWords(alpha: number, r: Words4): number {
  const a = Math.min(Math.max(0.5 * f32(alpha), 0.5 * ALPHA_MIN), A_MAX);
  const b = 1 - a;
  const t = unitHalf64(r[0], r[1]);
  const upper = isUpperHalf(r[0]);
  const u1 = upper ? f32(1 - t) : t;
  const v1 = upper ? t : f32(1 - t);
  const w = exponentialFromWords(r);
  const sinU = sinPi(t);
  const sinAU = sinPi01(a * u1, b + a * v1);
  const sinBU = sinPi01(b * u1, a + b * v1);
  const logX = Math.log(sinAU) - Math.log(sinU) / a + (b / a) * (Math.log(sinBU) - Math.log(w));
  return Math.exp(Math.min(Math.max(logX, LOG_MIN_POSITIVE), LOG_MAX));
}

/**
 * N(0, 1) from one Philox draw, first Box–Muller output (twin of `stable_normal`): radius √(2W)
 * from words 0–1 (|x| ≤ 9.5), angle from word 2.
 */
export function normalFromWords(r: Words4): number {
  const w = negLogHalf(unitHalf64(r[0], r[1]), isUpperHalf(r[0]));
  return Math.sqrt(2 * w) * Math.cos(2 * Math.PI * unitFloat(r[2]));
}

/** The draws that put u₁ and u₂ at their extremes: t = 2⁻⁶⁵·(1 + 2⁻²³) in either half. */
const EXTREME_WORDS: readonly (readonly [number, number])[] = [[0, 0], [0x80000000, 0]];

/**
 * The largest |X| that `sasFromWords` (and `stable_sas`) can return for α: u₁ at its extreme and
 * W at either end. Roughly 1.2·10¹⁹ at α = 1, 1.5·10¹³ at α = 1.5, 2.3·10¹¹ at α = 1.75,
 * 2.5·10¹⁰ at α = 1.9, and 13.4 (9.5 standard deviations of N(0, 2)) at α = 2: the exact law
 * exceeds it with probability below 10⁻¹⁹ per draw (tests/gpu/noise_stable_tail_test.ts).
 */
export function sasBound(alpha: number): number {
  let bound = 0;
  for (const w of EXTREME_WORDS) {
    bound = Math.max(bound, Math.abs(sasFromWords(alpha, [0x80000000, 0, w[0], w[1]])));
  }
  return bound;
}
