// Alpha-stable samplers from Philox words (an include library, no entry point).
// TypeScript twin: lib/reference/stable.ts (same formulas, f64).
//
// SαS(α, scale 1), E e^{itX} = exp(-|t|^α), by Chambers-Mallows-Stuck (1976) with β = 0:
//   V = π(u1 - 1/2), W = -log u2,
//   X = sin(αV) / cos(V)^{1/α} · (cos((1-α)V) / W)^{(1-α)/α}.
// Positive (α/2)-stable with Laplace transform E e^{-sA} = exp(-s^{α/2}) (Kanter 1975), a = α/2:
//   U = π u1, A = sin(aU) / sin(U)^{1/a} · (sin((1-a)U) / W)^{(1-a)/a}.
// (Parametrisations with a scale c = cos(πa/2)^{1/a} in front give the same law: the constants
// cancel.)
//
// Uniforms. Each sampler takes one Philox output (four words): u1 from (x, y), u2 from (z, w), each
// by unit_half64 (philox.wgsl) as (half, t) with t = distance to the nearer end, resolved down to
// 2^-64. The tails come from u1 near 0 or 1 (cos V → 0, sin U → 0) and from W near 0 or ∞, so
// this is what keeps them: a uniform on a 2^-24 grid, as before, capped |X| at 5.3·10^6 for α = 1
// and 1.3·10^4 for α = 1.75, values the exact law exceeds about once in 10^8 draws.
// Largest |X| reachable now (t = 2^-65 and W at either end; lib/reference/stable.ts sasBound):
// about 1.2·10^19 at α = 1, 1.5·10^13 at α = 1.5, 2.3·10^11 at α = 1.75, 2.5·10^10 at α = 1.9,
// and 13.4 at α = 2 (9.5 standard deviations of N(0, 2)). The exact law exceeds each with
// probability below 10^-19 per draw, so 10^13 draws touch the bound with probability below 10^-6.
//
// f32 care. Every sine is evaluated as sin(π·x) with x in (0, 1/2] computed from exact quantities:
// m = t = min(u1, 1 - u1) and h = 1/2 - m = |u1 - 1/2| (exact where h is small). Then
// cos V = sin(πm) > 0, sin(α|V|) = sin(π·min(αh, 1 - αh)) with 1 - αh written as
// (1 - α/2) + αm, and cos((1-α)V) = sin(π(1/2 - |1-α|h)) with the argument written as
// (1 - |1-α|)/2 + |1-α|m: no cancellation near V = ±π/2, α = 1 or α = 2. Small sines use a Taylor
// polynomial and W near 0 a series (GPU sin/log have absolute, not relative, error bounds). The
// product is formed in log space and clamped to finite f32, so no words give NaN or Inf; the
// clamp bites only where the exact law itself exceeds f32 (α below about 0.6 at t = 2^-65).
#include "philox.wgsl"

const STABLE_PI: f32 = 3.141592653589793;
// exp(88) ≈ 1.65e38 < f32 max; exp(-87) ≈ 1.6e-38 > smallest normal f32.
const STABLE_LOG_MAX: f32 = 88.0;
const STABLE_LOG_MIN_POSITIVE: f32 = -87.0;
// Below this α the exponents 1/α overflow f32; the law is saturated there anyway.
const STABLE_ALPHA_MIN: f32 = 1e-6;
// Largest index a = α/2 used by the positive sampler: 1 - 2^-24, so that 1 - a > 0 exactly.
const STABLE_A_MAX: f32 = 0.99999994;

// sin(πx) for x in [0, 1/2], accurate relative to the result also for tiny x.
fn stable_sinpi(x: f32) -> f32 {
  let y = STABLE_PI * x;
  if (y < 0.25) {
    let y2 = y * y;
    return y * (1.0 + y2 * (-1.0 / 6.0 + y2 * (1.0 / 120.0 + y2 * (-1.0 / 5040.0))));
  }
  return sin(y);
}

// -log(u) for the uniform u of unit_half64: -log t in the lower half, and in the upper half
// -log(1 - t) = 2·atanh(t / (2 - t)), a short odd series for t ≤ 1/4 (relative accuracy for W
// near 0), else -log(1 - t) with 1 - t exact. Range [about 5.4·10^-20, 45.1].
fn stable_neg_log_half(t: f32, upper: bool) -> f32 {
  if (!upper) {
    return -log(t);
  }
  if (t >= 0.25) {
    return -log(1.0 - t);
  }
  let z = t / (2.0 - t);
  let z2 = z * z;
  let series = 1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0 + z2 * (1.0 / 9.0))));
  return 2.0 * z * series;
}

// W = -log u2 ~ Exp(1) from the words (z, w) of a draw.
fn stable_exponential(r: vec4<u32>) -> f32 {
  return stable_neg_log_half(unit_half64(r.z, r.w), unit_upper_half(r.z));
}

// SαS(α, 1) from one draw r (u1 from r.x, r.y; u2 from r.z, r.w), 0 < α ≤ 2. α = 1 gives tan V
// (Cauchy), α = 2 gives 2·sin(V)·√W ~ N(0, 2).
fn stable_sas(alpha_in: f32, r: vec4<u32>) -> f32 {
  let alpha = max(alpha_in, STABLE_ALPHA_MIN);
  let m = unit_half64(r.x, r.y); // min(u1, 1 - u1); cos V = sin(π m)
  let h = 0.5 - m; // |V| / π
  let big_w = stable_exponential(r);
  let c = abs(1.0 - alpha);
  let sin_av = stable_sinpi(min(alpha * h, (1.0 - 0.5 * alpha) + alpha * m));
  let cos_v = stable_sinpi(m);
  let cos_1av = stable_sinpi(0.5 * (1.0 - c) + c * m);
  let inv_a = 1.0 / alpha;
  let e = (1.0 - alpha) * inv_a;
  let log_x = log(sin_av) - inv_a * log(cos_v) + e * (log(cos_1av) - log(big_w));
  let mag = exp(min(log_x, STABLE_LOG_MAX));
  return select(-mag, mag, unit_upper_half(r.x)); // V > 0 exactly when u1 > 1/2
}

// sin(πx) for x in (0, 1), with 1 - x passed separately so that neither is a cancellation.
fn stable_sinpi01(x: f32, one_minus_x: f32) -> f32 {
  return stable_sinpi(min(x, one_minus_x));
}

// Positive stable of index a = α/2 with Laplace transform exp(-s^{α/2}), 0 < α < 2, from one draw
// r (u1 from r.x, r.y; u2 from r.z, r.w). Always in [e^-87, e^88]: strictly positive and finite.
// At α = 2 (not a valid input) a is held just below 1, which gives A ≈ 1 instead of NaN.
fn stable_positive_half(alpha_in: f32, r: vec4<u32>) -> f32 {
  let a = clamp(0.5 * alpha_in, 0.5 * STABLE_ALPHA_MIN, STABLE_A_MAX);
  let b = 1.0 - a; // exact, ≥ 2^-24
  let t = unit_half64(r.x, r.y);
  let upper = unit_upper_half(r.x);
  let u1 = select(t, 1.0 - t, upper); // 1 - t is exact or within 2^-24 relative of u1 ≥ 1/2
  let v1 = select(1.0 - t, t, upper); // 1 - u1, exact where small
  let big_w = stable_exponential(r);
  let sin_u = stable_sinpi(t);
  let sin_au = stable_sinpi01(a * u1, b + a * v1);
  let sin_bu = stable_sinpi01(b * u1, a + b * v1);
  let inv_a = 1.0 / a;
  let log_x = log(sin_au) - inv_a * log(sin_u) + b * inv_a * (log(sin_bu) - log(big_w));
  return exp(clamp(log_x, STABLE_LOG_MIN_POSITIVE, STABLE_LOG_MAX));
}

// One N(0, 1) from one draw (Box-Muller, first output): the radius √(2W) from (r.x, r.y) keeps the
// tail to about 9.5 (W ≤ 45.1), the angle 2π·u from r.z needs no finer grid.
fn stable_normal(r: vec4<u32>) -> f32 {
  let w = stable_neg_log_half(unit_half64(r.x, r.y), unit_upper_half(r.x));
  return sqrt(2.0 * w) * cos(TWO_PI * unit_f32(r.z));
}
