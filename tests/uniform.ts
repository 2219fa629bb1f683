/**
 * Deterministic U(lo, hi) test inputs (mulberry32), independent of the project's RNG. Shared by
 * the Deno tests (through tests/helpers.ts) and the browser page's in-page kernel checks
 * (web/page/checks.ts), so both feed the kernels the same inputs; no platform API here.
 */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 2 ** 32);
  }
  return out;
}
