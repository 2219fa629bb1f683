// Alpha-stable samplers from Philox words (an include library, no entry point).
// TypeScript twin: lib/noise/stable_ref.ts (same formulas, f64).
//
// SαS(α, scale 1), E e^{itX} = exp(-|t|^α), by Chambers-Mallows-Stuck (1976) with β = 0:
//   V = π(u1 - 1/2), W = -log u2,
//   X = sin(αV) / cos(V)^{1/α} · (cos((1-α)V) / W)^{(1-α)/α}.
// Positive (α/2)-stable with Laplace transform E e^{-sA} = exp(-s^{α/2}) (Kanter 1975), a = α/2:
//   U = π u1, A = sin(aU) / sin(U)^{1/a} · (sin((1-a)U) / W)^{(1-a)/a}.
// (This is the papers file §3.5 formula with scale c = cos(πa/2)^{1/a}: the constants cancel.)
//
// f32 care. Every sine is evaluated as sin(π·x) with x in (0, 1/2] computed from exact quantities:
// u1 is an odd multiple of 2^-24, so h = |u1 - 1/2| and m = 1/2 - h = min(u1, 1 - u1) are exact and
// never 0. Then cos V = sin(πm) > 0, sin(α|V|) = sin(π·min(αh, 1 - αh)) with 1 - αh written as
// (1 - α/2) + αm, and cos((1-α)V) = sin(π(1/2 - |1-α|h)) with the argument written as
// (1 - |1-α|)/2 + |1-α|m: no cancellation near V = ±π/2, α = 1 or α = 2. Small sines use a Taylor
// polynomial and W near 0 a series (GPU sin/log have absolute, not relative, error bounds). The
// product is formed in log space and clamped to finite f32, so no u1, u2 gives NaN or Inf; the
// clamp only bites for α below about 0.3, where the true law exceeds f32 at the RNG's extremes.
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

// -log(u) for u in (0, 1), accurate relative to the result also for u near 1:
// -log(1 - d) = 2·atanh(d / (2 - d)), a short odd series for d ≤ 1/4 (d = 1 - u is exact).
fn stable_neg_log_unit(u: f32) -> f32 {
  if (u < 0.75) {
    return -log(u);
  }
  let d = 1.0 - u;
  let z = d / (2.0 - d);
  let z2 = z * z;
  let series = 1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0 + z2 * (1.0 / 9.0))));
  return 2.0 * z * series;
}

// SαS(α, 1) from two words (u1 from w0, u2 from w1), 0 < α ≤ 2. α = 1 gives tan V (Cauchy),
// α = 2 gives 2·sin(V)·√W ~ N(0, 2).
fn stable_sas(alpha_in: f32, w0: u32, w1: u32) -> f32 {
  let alpha = max(alpha_in, STABLE_ALPHA_MIN);
  let u1 = unit_f32(w0);
  let h = abs(u1 - 0.5); // |V| / π
  let m = 0.5 - h; // cos V = sin(π m)
  let big_w = stable_neg_log_unit(unit_f32(w1));
  let c = abs(1.0 - alpha);
  let sin_av = stable_sinpi(min(alpha * h, (1.0 - 0.5 * alpha) + alpha * m));
  let cos_v = stable_sinpi(m);
  let cos_1av = stable_sinpi(0.5 * (1.0 - c) + c * m);
  let inv_a = 1.0 / alpha;
  let e = (1.0 - alpha) * inv_a;
  let log_x = log(sin_av) - inv_a * log(cos_v) + e * (log(cos_1av) - log(big_w));
  let mag = exp(min(log_x, STABLE_LOG_MAX));
  return select(-mag, mag, u1 > 0.5);
}

// sin(πx) for x in (0, 1), with 1 - x passed separately so that neither is a cancellation.
fn stable_sinpi01(x: f32, one_minus_x: f32) -> f32 {
  return stable_sinpi(min(x, one_minus_x));
}

// Positive stable of index a = α/2 with Laplace transform exp(-s^{α/2}), 0 < α < 2, from two words.
// Always in [e^-87, e^88]: strictly positive and finite.
// At α = 2 (not a valid input) a is held just below 1, which gives A ≈ 1 instead of NaN.
fn stable_positive_half(alpha_in: f32, w0: u32, w1: u32) -> f32 {
  let a = clamp(0.5 * alpha_in, 0.5 * STABLE_ALPHA_MIN, STABLE_A_MAX);
  let b = 1.0 - a; // exact, ≥ 2^-24
  let u1 = unit_f32(w0);
  let v1 = 1.0 - u1; // exact
  let big_w = stable_neg_log_unit(unit_f32(w1));
  let sin_u = stable_sinpi01(u1, v1);
  let sin_au = stable_sinpi01(a * u1, b + a * v1);
  let sin_bu = stable_sinpi01(b * u1, a + b * v1);
  let inv_a = 1.0 / a;
  let log_x = log(sin_au) - inv_a * log(sin_u) + b * inv_a * (log(sin_bu) - log(big_w));
  return exp(clamp(log_x, STABLE_LOG_MIN_POSITIVE, STABLE_LOG_MAX));
}

// One N(0, 1) from two words (Box-Muller, first output). Like normal2_f32, but -log u uses the
// series near u = 1, so the radius is never the square root of a negative rounding error.
fn stable_normal(w0: u32, w1: u32) -> f32 {
  let r = sqrt(2.0 * stable_neg_log_unit(unit_f32(w0)));
  return r * cos(TWO_PI * unit_f32(w1));
}
