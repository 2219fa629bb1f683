/**
 * CDF of SαS(α, 1) (E e^{itX} = exp(−|t|^α)) in f64, two independent ways, for checking samplers:
 *
 * 1. Nolan (1997), Theorem 1, integral form for β = 0 (where the S0 and S1 parameterisations
 *    coincide), x > 0, α ≠ 1:
 *      F(x) = c₁ + sign(1 − α)/π · ∫_0^{π/2} exp(−x^{α/(α−1)} V(θ)) dθ,
 *      V(θ) = (cos θ / sin αθ)^{α/(α−1)} · cos((α − 1)θ) / cos θ,
 *    with c₁ = 1 for α > 1 and ½ for α < 1; F(−x) = 1 − F(x). α = 1 is the Cauchy CDF.
 * 2. Gil-Pelaez inversion of the characteristic function:
 *      F(x) = ½ + (1/π) ∫_0^∞ sin(tx) e^{−t^α} / t dt   (truncated where e^{−t^α} < 1e−17),
 *    integrated over s = √t.
 */
import { integrate } from "./quadrature.ts";

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha <= 2)) throw new Error(`alpha: ${alpha} must be in (0, 2]`);
}

/** F(x) by Nolan's integral (adaptive Gauss–Kronrod). Accurate to ~1e−12 for |α − 1| ≥ 0.05. */
export function sasCdfNolan(alpha: number, x: number): number {
  checkAlpha(alpha);
  if (x === 0) return 0.5;
  if (x < 0) return 1 - sasCdfNolan(alpha, -x);
  if (alpha === 1) return 0.5 + Math.atan(x) / Math.PI;
  const p = alpha / (alpha - 1);
  const xp = x ** p;
  const v = (t: number) =>
    (Math.cos(t) / Math.sin(alpha * t)) ** p * Math.cos((alpha - 1) * t) / Math.cos(t);
  const integral = integrate(
    (t) => {
      const e = xp * v(t);
      return Number.isFinite(e) ? Math.exp(-e) : 0;
    },
    0,
    Math.PI / 2,
  );
  const c1 = alpha > 1 ? 1 : 0.5;
  return c1 + (Math.sign(1 - alpha) / Math.PI) * integral;
}

/** F(x) by Gil-Pelaez inversion of exp(−|t|^α). */
export function sasCdfInversion(alpha: number, x: number): number {
  checkAlpha(alpha);
  // t = s² makes e^{−t^α} smoother at 0 (analytic for α = ½, 1, 3/2, 2).
  const sMax = Math.sqrt(40 ** (1 / alpha));
  const integral = integrate(
    (s) => 2 * Math.sin(s * s * x) * Math.exp(-(s ** (2 * alpha))) / s,
    0,
    sMax,
  );
  return 0.5 + integral / Math.PI;
}
