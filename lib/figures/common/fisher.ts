/**
 * Fisher's exact test on a 2×2 table of counts (collapsed / not, in two arms): under the null of
 * equal rates and fixed margins, the number of collapsed runs in arm A is hypergeometric. The
 * two-sided p sums the probabilities of every table no more likely than the observed one (R's
 * fisher.test convention, with a relative tolerance of 1e-7 for ties in floating point); the
 * one-sided p is P(X ≥ observed), the chance of arm A collapsing at least as often.
 */

export interface FisherResult {
  twoSided: number;
  /** P(X ≥ a): arm A has at least this many events. */
  greater: number;
  /** P(X ≤ a). */
  less: number;
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/**
 * `a` events out of `nA` runs in arm A, `b` out of `nB` in arm B. Throws on counts that are not
 * integers in range; an arm with no runs gives p = 1 (no information).
 */
export function fisherExact(a: number, nA: number, b: number, nB: number): FisherResult {
  for (const [name, v, max] of [["a", a, nA], ["b", b, nB]] as const) {
    if (!Number.isInteger(v) || !Number.isInteger(max) || v < 0 || max < 0 || v > max) {
      throw new RangeError(`fisherExact: ${name} = ${v} is not a count in 0..${max}`);
    }
  }
  const events = a + b;
  const total = nA + nB;
  const lo = Math.max(0, events - nB);
  const hi = Math.min(events, nA);
  const logDen = logChoose(total, events);
  const p = (k: number) => Math.exp(logChoose(nA, k) + logChoose(nB, events - k) - logDen);
  const observed = p(a);
  let twoSided = 0;
  let greater = 0;
  let less = 0;
  for (let k = lo; k <= hi; k++) {
    const pk = p(k);
    if (pk <= observed * (1 + 1e-7)) twoSided += pk;
    if (k >= a) greater += pk;
    if (k <= a) less += pk;
  }
  const clamp = (v: number) => Math.min(1, v);
  return { twoSided: clamp(twoSided), greater: clamp(greater), less: clamp(less) };
}
