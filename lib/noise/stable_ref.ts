/**
 * CPU twins (f64) of the samplers in kernels/stable.wgsl. Same formulas and the same Philox words,
 * so GPU and CPU differ only by f32 rounding and the GPU's transcendental functions.
 *
 * SαS(α, 1), E e^{itX} = exp(−|t|^α), by Chambers–Mallows–Stuck with β = 0:
 *   V = π(u₁ − ½), W = −log u₂, X = sin(αV)/cos(V)^{1/α} · (cos((1−α)V)/W)^{(1−α)/α}.
 * Positive (α/2)-stable, E e^{−sA} = exp(−s^{α/2}) (Kanter's representation, a = α/2 < 1):
 *   U = πu₁, A = sin(aU)/sin(U)^{1/a} · (sin((1−a)U)/W)^{(1−a)/a}.
 * The latter is the papers file's §3.5 formula with scale c = cos(πa/2)^{1/a} = cos(πα/4)^{2/α}.
 */
import { unitFloat } from "../rng/philox.ts";

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

/** −log(u) for u ∈ (0, 1). */
export function negLogUnit(u: number): number {
  return -Math.log(u);
}

/** The f32 value the kernels see for a parameter passed as f32. */
const f32 = Math.fround;

/**
 * SαS(α, 1) from two Philox words: u₁ from w0, u₂ from w1 (twin of `stable_sas`). Works on
 * h = |u₁ − ½| = |V|/π and m = ½ − h (cos V = sin πm), both exact, so no cancellation near
 * V = ±π/2, α = 1 or α = 2; the magnitude is formed in log space and capped at e^88.
 */
export function sasFromWords(alpha: number, w0: number, w1: number): number {
  const a = Math.max(f32(alpha), ALPHA_MIN);
  const u1 = unitFloat(w0);
  const h = Math.abs(u1 - 0.5);
  const m = 0.5 - h;
  const w = negLogUnit(unitFloat(w1));
  const c = Math.abs(1 - a);
  const sinAV = sinPi(Math.min(a * h, (1 - 0.5 * a) + a * m)); // sin(α|V|)
  const cosV = sinPi(m);
  const cos1AV = sinPi(0.5 * (1 - c) + c * m); // cos((1−α)V)
  const logX = Math.log(sinAV) - Math.log(cosV) / a +
    ((1 - a) / a) * (Math.log(cos1AV) - Math.log(w));
  const mag = Math.exp(Math.min(logX, LOG_MAX));
  return u1 > 0.5 ? mag : -mag;
}

/** sin(πx) for x ∈ (0, 1), with 1 − x given separately (no cancellation). */
function sinPi01(x: number, oneMinusX: number): number {
  return sinPi(Math.min(x, oneMinusX));
}

/**
 * Positive stable of index α/2 with Laplace transform exp(−s^{α/2}), 0 < α < 2 (twin of
 * `stable_positive_half`). Always in [e^−87, e^88].
 */
export function positiveHalfFromWords(alpha: number, w0: number, w1: number): number {
  const a = Math.min(Math.max(0.5 * f32(alpha), 0.5 * ALPHA_MIN), A_MAX);
  const b = 1 - a;
  const u1 = unitFloat(w0);
  const v1 = 1 - u1;
  const w = negLogUnit(unitFloat(w1));
  const sinU = sinPi01(u1, v1);
  const sinAU = sinPi01(a * u1, b + a * v1);
  const sinBU = sinPi01(b * u1, a + b * v1);
  const logX = Math.log(sinAU) - Math.log(sinU) / a + (b / a) * (Math.log(sinBU) - Math.log(w));
  return Math.exp(Math.min(Math.max(logX, LOG_MIN_POSITIVE), LOG_MAX));
}

/** N(0, 1) from two words, first Box–Muller output (twin of `stable_normal`). */
export function normalFromWords(w0: number, w1: number): number {
  return Math.sqrt(2 * negLogUnit(unitFloat(w0))) * Math.cos(2 * Math.PI * unitFloat(w1));
}
